import { discloseComoments, type runComoments } from '../correlation/local.js';
import type { LocalOutcome, LocalStepContext } from '../framework.js';
import type { PcaParams } from './schemas.js';

/** Largest share of complete cases the number of variables may reach (issue 3 point 4). */
export const MAX_VARIABLES_PER_ROW = 0.33;

type Ctx = LocalStepContext<PcaParams>;

/**
 * Disclosure check of 'comoments' for `pca`: `correlation`'s (INVALID_PARAMS for a non-number
 * variable, MIN_COUNT below minCount complete cases), then PARAMETER_LIMIT when the number of
 * variables exceeds 0.33 × the complete cases.
 */
export function disclosePcaComoments(
  output: ReturnType<typeof runComoments>,
  ctx: Ctx,
): LocalOutcome {
  const outcome = discloseComoments(output, ctx);
  if (outcome.status !== 'ok' || 'unfit' in output) return outcome;
  const p = ctx.params.variables.length;
  if (p > MAX_VARIABLES_PER_ROW * output.count) {
    return {
      status: 'refused',
      code: 'PARAMETER_LIMIT',
      reason: `${p} variables exceed ${MAX_VARIABLES_PER_ROW} × the complete cases`,
    };
  }
  return outcome;
}
