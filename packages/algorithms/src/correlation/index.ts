import type { Algorithm } from '../framework.js';
import { aggregateComoments } from './aggregate.js';
import { discloseComoments, runComoments } from './local.js';
import { correlationParamsSchema, type CorrelationParams } from './schemas.js';

/** Name of the single local step of `correlation`. */
export const CORRELATION_STEP = 'comoments';

/**
 * `correlation` (issue 3): Pearson correlation matrix of number variables over complete cases,
 * with p-values. One round: every site sends its complete-case count, means and co-moments; the
 * hub pools them exactly.
 */
export const correlation: Algorithm<CorrelationParams, null> = {
  name: 'correlation',
  version: '1.0.0',
  description: 'Pearson correlation matrix with p-values over complete cases',
  params: correlationParamsSchema,
  variables: (params) => [...params.variables],
  start: () => ({ kind: 'step', step: CORRELATION_STEP, input: null, state: null }),
  local: {
    [CORRELATION_STEP]: {
      run: runComoments,
      // The output handed to disclose is the one runComoments returned for the same context.
      disclose: (output, ctx) => discloseComoments(output as ReturnType<typeof runComoments>, ctx),
    },
  },
  aggregate: (params, _state, step, results) =>
    step === CORRELATION_STEP
      ? aggregateComoments(params, results)
      : { kind: 'failed', code: 'UNKNOWN_STEP', reason: `correlation has no step '${step}'` },
};

export { CORRELATION_FAILURES } from './aggregate.js';
export * from './schemas.js';
