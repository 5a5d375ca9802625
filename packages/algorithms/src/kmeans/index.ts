import type { Algorithm } from '../framework.js';
import {
  KMEANS_STEPS,
  aggregateAssign,
  aggregateScale,
  aggregateSeed,
  startKmeans,
  type KmeansState,
} from './aggregate.js';
import {
  discloseAssign,
  discloseCounted,
  runAssign,
  runScale,
  runSeed,
  type AssignLocal,
  type Counted,
  type Unfit,
} from './local.js';
import { kmeansParamsSchema, type KmeansParams } from './schemas.js';

/**
 * `kmeans` (issue 3): federated Lloyd iterations. The hub sends centroids, each site assigns its
 * complete cases to the nearest and releases per cluster the count, coordinate sums and within
 * sum of squares (clusters below minCount suppressed), and the hub moves the centroids to the
 * pooled means until they stop moving. Optional first rounds: 'scale' (pooled z-score transform)
 * and 'seed' (starting centroids from the sites' local clusterings when no init is given).
 */
export const kmeans: Algorithm<KmeansParams, KmeansState> = {
  name: 'kmeans',
  version: '1.0.0',
  description: 'k-means clustering by federated Lloyd iterations; small clusters suppressed',
  params: kmeansParamsSchema,
  variables: (params) => [...params.variables],
  start: startKmeans,
  local: {
    // Each disclose is handed the output its run returned for the same context.
    [KMEANS_STEPS.scale]: {
      run: runScale,
      disclose: (o, ctx) => discloseCounted(o as Counted<unknown> | Unfit, ctx),
    },
    [KMEANS_STEPS.seed]: {
      run: runSeed,
      disclose: (o, ctx) => discloseCounted(o as Counted<unknown> | Unfit, ctx),
    },
    [KMEANS_STEPS.assign]: {
      run: runAssign,
      disclose: (o, ctx) => discloseAssign(o as AssignLocal | Unfit, ctx),
    },
  },
  aggregate: (params, state, step, results) => {
    if (step === KMEANS_STEPS.scale) return aggregateScale(params, results);
    if (step === KMEANS_STEPS.seed) return aggregateSeed(params, state, results);
    if (step === KMEANS_STEPS.assign) return aggregateAssign(params, state, results);
    return { kind: 'failed', code: 'UNKNOWN_STEP', reason: `kmeans has no step '${step}'` };
  },
};

export { KMEANS_FAILURES, KMEANS_STEPS } from './aggregate.js';
export type { KmeansState } from './aggregate.js';
export { MAX_PARAMETERS_PER_ROW, clustersToSuppress } from './local.js';
export * from './schemas.js';
