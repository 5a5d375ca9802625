import { PRIVACY_REPORT_KEY, accountantIncrement, accountantKey } from '@tessera/algorithms';
import type { TaskPayload } from '@tessera/protocol';
import type { ExecOutcome } from '../exec/executor.js';
import { privacyClaimOf } from '../privacy/privacy-claim.js';
import type { Composition, PrivacyLedger } from '../privacy/privacy-ledger.js';

/**
 * The last gate before an ok output is released: an output that carries a privacy report (it
 * holds noise) spends its ε and δ from the project's budget first, and is refused with
 * PRIVACY_BUDGET when the budget would be exceeded or none is set. Outputs without noise, and
 * refused or failed outcomes, pass untouched and spend nothing.
 *
 * A report that names an accountant (DP-FedAvg's repeated Gaussian releases, issue 6) is
 * charged the accountant's increment after this job's earlier releases in the node's own
 * ledger — ε(k) − ε(k−1) for the k-th, δ with the first — so the job's charges add up to the
 * accountant's (ε(k), δ) for the k updates this site released, whatever round numbers the hub
 * sends. The report's ε and δ are set to what was charged, so the hub sees what was spent.
 */
export async function spendBeforeRelease(
  ledger: Pick<PrivacyLedger, 'spend'>,
  p: Pick<TaskPayload, 'taskId' | 'jobId' | 'project' | 'traceId'>,
  outcome: ExecOutcome,
): Promise<ExecOutcome> {
  const c = privacyClaimOf(outcome);
  if (c.kind === 'none') return outcome;
  if (c.kind === 'invalid') return { status: 'failed', code: 'STEP_FAILED', reason: c.reason };
  const accountant = c.accountant;
  const composition: Composition | undefined =
    accountant === undefined
      ? undefined
      : {
          job: p.jobId,
          key: accountantKey(accountant),
          charge: (prior) => accountantIncrement(accountant, prior),
        };
  const verdict = await ledger.spend(p.project, c.claim, p.taskId, p.traceId, composition);
  if (!verdict.ok) return { status: 'refused', code: verdict.code, reason: verdict.reason };
  if (composition === undefined || outcome.status !== 'ok') return outcome;
  const output = outcome.output as Record<string, unknown>;
  const report = output[PRIVACY_REPORT_KEY] as Record<string, unknown>;
  return {
    ...outcome,
    output: {
      ...output,
      [PRIVACY_REPORT_KEY]: {
        ...report,
        epsilon: verdict.spent.epsilon,
        delta: verdict.spent.delta,
      },
    },
  };
}
