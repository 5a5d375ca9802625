import type { Algorithm } from '../framework.js';
import { aggregateCrosstab } from './aggregate.js';
import { discloseCrosstab, runCrosstab, type CrosstabRawCounts } from './local.js';
import { crosstabParamsSchema, type CrosstabParams } from './schemas.js';

/** Name of the single local step of `crosstab`. */
export const CROSSTAB_STEP = 'table';

/**
 * `crosstab` (issue 3): the contingency table of two categorical variables pooled exactly over the
 * sites, small cells suppressed at each site, with Pearson's chi-square test of independence when
 * no cell is suppressed. One round.
 */
export const crosstab: Algorithm<CrosstabParams, null> = {
  name: 'crosstab',
  version: '1.0.0',
  description: 'Contingency table of two categorical variables with a chi-square test',
  params: crosstabParamsSchema,
  variables: (params) => [params.rows, params.columns],
  start: () => ({ kind: 'step', step: CROSSTAB_STEP, input: null, state: null }),
  local: {
    [CROSSTAB_STEP]: {
      run: runCrosstab,
      // The output handed to disclose is the one runCrosstab returned for the same context.
      disclose: (output, ctx) => discloseCrosstab(output as CrosstabRawCounts, ctx),
    },
  },
  aggregate: (params, _state, step, results) =>
    step === CROSSTAB_STEP
      ? aggregateCrosstab(params, results)
      : { kind: 'failed', code: 'UNKNOWN_STEP', reason: `crosstab has no step '${step}'` },
};

export { CROSSTAB_FAILURES } from './aggregate.js';
export { pearsonChiSquare } from './chi-square.js';
export * from './schemas.js';
