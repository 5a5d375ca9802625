import { oneStepAlgorithm } from '../one-step.js';
import { aggregateCrosstab } from './aggregate.js';
import { discloseCrosstab, runCrosstab } from './local.js';
import { crosstabParamsSchema } from './schemas.js';

/** Name of the single local step of `crosstab`. */
export const CROSSTAB_STEP = 'table';

/**
 * `crosstab` (issue 3): the contingency table of two categorical variables pooled exactly over the
 * sites, small cells suppressed at each site, with Pearson's chi-square test of independence when
 * no cell is suppressed. One round.
 */
export const crosstab = oneStepAlgorithm({
  name: 'crosstab',
  version: '1.1.0',
  description: 'Contingency table of two categorical variables with a chi-square test',
  params: crosstabParamsSchema,
  variables: (params) => [params.rows, params.columns],
  step: CROSSTAB_STEP,
  run: runCrosstab,
  disclose: discloseCrosstab,
  aggregate: (params, results) => aggregateCrosstab(params, results),
});

export { CROSSTAB_FAILURES } from './aggregate.js';
export { pearsonChiSquare } from './chi-square.js';
export * from './schemas.js';
