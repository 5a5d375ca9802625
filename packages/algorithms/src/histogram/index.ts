import type { Algorithm } from '../framework.js';
import { aggregateHistogram } from './aggregate.js';
import { discloseHistogram, runHistogram, type HistogramRawCounts } from './local.js';
import { histogramParamsSchema, type HistogramParams } from './schemas.js';

/** Name of the single local step of `histogram`. */
export const HISTOGRAM_STEP = 'counts';

/**
 * `histogram` (issue 3): counts of a number or date variable per bin (given edges, or equal-width
 * bins over a range), below and above the edges, and missing, pooled exactly over the sites.
 * Small cells are suppressed at each site. One round.
 */
export const histogram: Algorithm<HistogramParams, null> = {
  name: 'histogram',
  version: '1.0.0',
  description: 'Counts per bin of a numeric variable (given edges or bins over a range)',
  params: histogramParamsSchema,
  variables: (params) => [params.variable],
  start: () => ({ kind: 'step', step: HISTOGRAM_STEP, input: null, state: null }),
  local: {
    [HISTOGRAM_STEP]: {
      run: runHistogram,
      // The output handed to disclose is the one runHistogram returned for the same context.
      disclose: (output, ctx) => discloseHistogram(output as HistogramRawCounts, ctx),
    },
  },
  aggregate: (params, _state, step, results) =>
    step === HISTOGRAM_STEP
      ? aggregateHistogram(params, results)
      : { kind: 'failed', code: 'UNKNOWN_STEP', reason: `histogram has no step '${step}'` },
};

export { HISTOGRAM_FAILURES } from './aggregate.js';
export { binIndex } from './local.js';
export * from './schemas.js';
