import type { Algorithm } from '../framework.js';
import { aggregateStats, type SummaryState } from './aggregate.js';
import { aggregateQuantiles } from './aggregate-quantiles.js';
import { discloseStats, runStats, type RawStats } from './local.js';
import { discloseQuantiles, runQuantiles, type QuantilesRaw } from './quantiles-local.js';
import { summaryParamsSchema, type SummaryParams } from './schemas.js';

/** Name of the first local step of `summary`. */
export const SUMMARY_STEP = 'stats';
/** Name of the second local step, run only when quantiles are asked for. */
export const SUMMARY_QUANTILES_STEP = 'quantiles';

/**
 * `summary` (issue 2 point 6, extended in issue 3): count, missing count, mean and sample standard
 * deviation of number and date variables, counts per level of categorical ones, pooled over the
 * sites that release; optionally min and max (where every node allows them), per-group summaries
 * (`groupBy`) and quantiles with guaranteed bounds. Round 'stats' pools the moments; when
 * quantiles are asked for, round 'quantiles' collects merged fine histograms on shared grids.
 */
export const summary: Algorithm<SummaryParams, SummaryState | null> = {
  name: 'summary',
  version: '1.1.0',
  description:
    'Count, missing, mean, SD, quantiles per numeric variable; level counts; optional groups',
  params: summaryParamsSchema,
  variables: (params) =>
    params.groupBy === undefined || params.variables.includes(params.groupBy)
      ? [...params.variables]
      : [...params.variables, params.groupBy],
  start: () => ({ kind: 'step', step: SUMMARY_STEP, input: null, state: null }),
  local: {
    [SUMMARY_STEP]: {
      run: runStats,
      // The framework hands disclose the output that run returned for the same context.
      disclose: (output, ctx) => discloseStats(output as RawStats, ctx),
    },
    [SUMMARY_QUANTILES_STEP]: {
      run: runQuantiles,
      disclose: (output, ctx) => discloseQuantiles(output as QuantilesRaw, ctx),
    },
  },
  aggregate: (params, state, step, results) => {
    if (step === SUMMARY_STEP) return aggregateStats(params, results);
    if (step === SUMMARY_QUANTILES_STEP && state !== null) {
      return aggregateQuantiles(params, state, results);
    }
    return { kind: 'failed', code: 'UNKNOWN_STEP', reason: `summary has no step '${step}'` };
  },
};

export { suppressSmallCells } from './local.js';
export { SUMMARY_FAILURES, describeSites } from './aggregate.js';
export type { SummaryState } from './aggregate.js';
export * from './schemas.js';
