import { oneStepAlgorithm } from '../one-step.js';
import { aggregateComoments } from './aggregate.js';
import { discloseComoments, runComoments } from './local.js';
import { correlationParamsSchema } from './schemas.js';

/** Name of the single local step of `correlation`. */
export const CORRELATION_STEP = 'comoments';

/**
 * `correlation` (issue 3): Pearson correlation matrix of number variables over complete cases,
 * with p-values. One round: every site sends its complete-case count, means and co-moments; the
 * hub pools them exactly.
 */
export const correlation = oneStepAlgorithm({
  name: 'correlation',
  version: '1.0.0',
  description: 'Pearson correlation matrix with p-values over complete cases',
  params: correlationParamsSchema,
  variables: (params) => [...params.variables],
  step: CORRELATION_STEP,
  run: runComoments,
  disclose: discloseComoments,
  aggregate: (params, results) => aggregateComoments(params, results),
});

export { CORRELATION_FAILURES } from './aggregate.js';
export * from './schemas.js';
