import { oneStepAlgorithm } from '../one-step.js';
import { aggregateHistogram } from './aggregate.js';
import { discloseHistogram, runHistogram } from './local.js';
import { histogramParamsSchema } from './schemas.js';

/** Name of the single local step of `histogram`. */
export const HISTOGRAM_STEP = 'counts';

/**
 * `histogram` (issue 3): counts of a number or date variable per bin (given edges, or equal-width
 * bins over a range), below and above the edges, and missing, pooled exactly over the sites.
 * Small cells are suppressed at each site. One round.
 */
export const histogram = oneStepAlgorithm({
  name: 'histogram',
  version: '1.0.0',
  description: 'Counts per bin of a numeric variable (given edges or bins over a range)',
  params: histogramParamsSchema,
  variables: (params) => [params.variable],
  step: HISTOGRAM_STEP,
  run: runHistogram,
  disclose: discloseHistogram,
  aggregate: (params, results) => aggregateHistogram(params, results),
});

export { HISTOGRAM_FAILURES } from './aggregate.js';
export { binIndex } from './local.js';
export * from './schemas.js';
