import { oneStepAlgorithm } from '../one-step.js';
import { aggregateStats } from './aggregate.js';
import { discloseStats, runStats } from './local.js';
import { summaryParamsSchema } from './schemas.js';

/** Name of the single local step of `summary`. */
export const SUMMARY_STEP = 'stats';

/**
 * `summary` (issue 2 point 6): count, missing count, mean and sample standard deviation of number
 * and date variables, counts per level of categorical ones, pooled over the sites that release.
 * One round: the hub asks every site for 'stats' and pools the answers.
 */
export const summary = oneStepAlgorithm({
  name: 'summary',
  version: '1.0.0',
  description:
    'Count, missing, mean and SD per numeric variable; counts per level for categorical ones',
  params: summaryParamsSchema,
  variables: (params) => [...params.variables],
  step: SUMMARY_STEP,
  run: runStats,
  disclose: discloseStats,
  aggregate: (params, results) => aggregateStats(params, results),
});

export { suppressSmallCells } from './local.js';
export { SUMMARY_FAILURES, describeSites } from './aggregate.js';
export * from './schemas.js';
