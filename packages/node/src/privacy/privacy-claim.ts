import { PRIVACY_REPORT_KEY, rdpAccountantSchema, type RdpAccountant } from '@tessera/algorithms';
import { z } from 'zod';
import type { ExecOutcome } from '../exec/executor.js';

/**
 * What the node reads from a step's ok output to know it holds noise: the output's top-level
 * `privacy` field, the total ε and δ of its releases. The algorithms write it with
 * `composeReports` (packages/algorithms/src/privacy), whose report carries more (mechanism,
 * noise scale, grid) for the hub; the node needs only the amounts to spend, and the field stays
 * in the output, so what the hub reports is what the node spent.
 */
export const privacyClaimSchema = z.looseObject({
  epsilon: z.number().gt(0).max(1000),
  delta: z.number().min(0).lt(1),
  /** A release that composes within its job by this accountant (DP-FedAvg; rdp.ts). */
  accountant: rdpAccountantSchema.optional(),
});
export type PrivacyClaim = Pick<z.infer<typeof privacyClaimSchema>, 'epsilon' | 'delta'>;

/** The claim of an ok outcome: none (no noise), the amounts, or why the report is unusable. */
export function privacyClaimOf(
  outcome: ExecOutcome,
):
  | { kind: 'none' }
  | { kind: 'claim'; claim: PrivacyClaim; accountant?: RdpAccountant }
  | { kind: 'invalid'; reason: string } {
  if (outcome.status !== 'ok') return { kind: 'none' };
  const out = outcome.output;
  if (typeof out !== 'object' || out === null || !Object.hasOwn(out, PRIVACY_REPORT_KEY))
    return { kind: 'none' };
  const parsed = privacyClaimSchema.safeParse((out as Record<string, unknown>)[PRIVACY_REPORT_KEY]);
  if (!parsed.success)
    return {
      kind: 'invalid',
      reason: "the step's privacy report is invalid, so it was not released",
    };
  const claim = { epsilon: parsed.data.epsilon, delta: parsed.data.delta };
  const { accountant } = parsed.data;
  return accountant === undefined ? { kind: 'claim', claim } : { kind: 'claim', claim, accountant };
}
