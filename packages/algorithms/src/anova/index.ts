import type { Algorithm } from '../framework.js';
import { aggregateAnovaGroups } from './aggregate.js';
import { discloseAnovaGroups, runAnovaGroups } from './local.js';
import { anovaParamsSchema, type AnovaParams } from './schemas.js';

/** Name of the single local step of `anova`. */
export const ANOVA_STEP = 'groups';

/**
 * `anova` (issue 3): one-way analysis of variance of a number variable across the levels of a
 * categorical one. One round: every site sends count, mean and m2 per level; the hub pools them
 * exactly and builds the ANOVA table, F and its p-value.
 */
export const anova: Algorithm<AnovaParams, null> = {
  name: 'anova',
  version: '1.0.0',
  description: 'One-way ANOVA of a number variable across the levels of a categorical one',
  params: anovaParamsSchema,
  variables: (params) => [params.variable, params.group],
  start: () => ({ kind: 'step', step: ANOVA_STEP, input: null, state: null }),
  local: {
    [ANOVA_STEP]: {
      run: runAnovaGroups,
      // The output handed to disclose is the one runAnovaGroups returned for the same context.
      disclose: (output, ctx) =>
        discloseAnovaGroups(output as ReturnType<typeof runAnovaGroups>, ctx),
    },
  },
  aggregate: (_params, _state, step, results) =>
    step === ANOVA_STEP
      ? aggregateAnovaGroups(results)
      : { kind: 'failed', code: 'UNKNOWN_STEP', reason: `anova has no step '${step}'` },
};

export { ANOVA_FAILURES } from './aggregate.js';
export * from './schemas.js';
