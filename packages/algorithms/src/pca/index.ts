import { oneStepAlgorithm } from '../one-step.js';
import { aggregatePca } from './aggregate.js';
import { runComoments } from '../correlation/local.js';
import { disclosePcaComoments } from './local.js';
import { pcaParamsSchema, type PcaParams } from './schemas.js';

/** Name of the single local step of `pca`. */
export const PCA_STEP = 'comoments';

/**
 * `pca` (issue 3): principal components of number variables over complete cases, from the pooled
 * covariance (or correlation) matrix. One round: every site sends its complete-case count, means
 * and co-moments; the hub pools them exactly (Chan et al.) and eigen-decomposes (Jacobi).
 */
export const pca = oneStepAlgorithm<PcaParams, ReturnType<typeof runComoments>>({
  name: 'pca',
  version: '1.0.0',
  description: 'Principal components from the pooled covariance or correlation matrix',
  params: pcaParamsSchema,
  variables: (params) => [...params.variables],
  step: PCA_STEP,
  // The same release as correlation's, computed by the same code.
  run: runComoments,
  disclose: disclosePcaComoments,
  aggregate: (params, results) => aggregatePca(params, results),
});

export { PCA_FAILURES, signConvention } from './aggregate.js';
export { MAX_VARIABLES_PER_ROW } from './local.js';
export * from './schemas.js';
