import type { TaskPayload } from '@tessera/protocol';
import type { ExecOutcome } from '../exec/executor.js';
import { privacyClaimOf } from '../privacy/privacy-claim.js';
import type { PrivacyLedger } from '../privacy/privacy-ledger.js';

/**
 * The last gate before an ok output is released: an output that carries a privacy report (it
 * holds noise) spends its ε and δ from the project's budget first, and is refused with
 * PRIVACY_BUDGET when the budget would be exceeded or none is set. Outputs without noise, and
 * refused or failed outcomes, pass untouched and spend nothing.
 */
export async function spendBeforeRelease(
  ledger: Pick<PrivacyLedger, 'spend'>,
  p: Pick<TaskPayload, 'taskId' | 'project' | 'traceId'>,
  outcome: ExecOutcome,
): Promise<ExecOutcome> {
  const c = privacyClaimOf(outcome);
  if (c.kind === 'none') return outcome;
  if (c.kind === 'invalid') return { status: 'failed', code: 'STEP_FAILED', reason: c.reason };
  const verdict = await ledger.spend(p.project, c.claim, p.taskId, p.traceId);
  if (!verdict.ok) return { status: 'refused', code: verdict.code, reason: verdict.reason };
  return outcome;
}
