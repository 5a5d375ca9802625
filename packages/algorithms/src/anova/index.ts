import { oneStepAlgorithm } from '../one-step.js';
import { aggregateAnovaGroups } from './aggregate.js';
import { discloseAnovaGroups, runAnovaGroups } from './local.js';
import { anovaParamsSchema } from './schemas.js';

/** Name of the single local step of `anova`. */
export const ANOVA_STEP = 'groups';

/**
 * `anova` (issue 3): one-way analysis of variance of a number variable across the levels of a
 * categorical one. One round: every site sends count, mean and m2 per level; the hub pools them
 * exactly and builds the ANOVA table, F and its p-value.
 */
export const anova = oneStepAlgorithm({
  name: 'anova',
  version: '1.0.0',
  description: 'One-way ANOVA of a number variable across the levels of a categorical one',
  params: anovaParamsSchema,
  variables: (params) => [params.variable, params.group],
  step: ANOVA_STEP,
  run: runAnovaGroups,
  disclose: discloseAnovaGroups,
  aggregate: (params, results) => aggregateAnovaGroups(params, results),
});

export { ANOVA_FAILURES } from './aggregate.js';
export * from './schemas.js';
