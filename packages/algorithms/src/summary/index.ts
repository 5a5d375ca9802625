import type { Algorithm } from '../framework.js';
import { aggregateStats } from './aggregate.js';
import { discloseStats, runStats } from './local.js';
import { summaryParamsSchema, type SummaryLocalOutput, type SummaryParams } from './schemas.js';

/** Name of the single local step of `summary`. */
export const SUMMARY_STEP = 'stats';

/**
 * `summary` (issue 2 point 6): count, missing count, mean and sample standard deviation of number
 * and date variables, counts per level of categorical ones, pooled over the sites that release.
 * One round: the hub asks every site for 'stats' and pools the answers.
 */
export const summary: Algorithm<SummaryParams, null> = {
  name: 'summary',
  version: '1.0.0',
  description:
    'Count, missing, mean and SD per numeric variable; counts per level for categorical ones',
  params: summaryParamsSchema,
  variables: (params) => [...params.variables],
  start: () => ({ kind: 'step', step: SUMMARY_STEP, input: null, state: null }),
  local: {
    [SUMMARY_STEP]: {
      run: runStats,
      // The output handed to disclose is the one runStats returned for the same context.
      disclose: (output, ctx) => discloseStats(output as SummaryLocalOutput, ctx),
    },
  },
  aggregate: (params, _state, step, results) =>
    step === SUMMARY_STEP
      ? aggregateStats(params, results)
      : { kind: 'failed', code: 'UNKNOWN_STEP', reason: `summary has no step '${step}'` },
};

export { suppressSmallCells } from './local.js';
export { SUMMARY_FAILURES, describeSites } from './aggregate.js';
export * from './schemas.js';
