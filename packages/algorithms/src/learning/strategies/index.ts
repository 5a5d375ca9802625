/*
 * Server strategies for federated learning (issue 6). Updates are differences `local − global`
 * with the site's example count; see types.ts.
 */
export { createStrategy, strategyConfigSchema, type StrategyConfig } from './config.js';
export { fedAvg, weightedSum } from './fedavg.js';
export { fedOpt, type FedOptConfig, type FedOptRule } from './fedopt.js';
export { fedMedian, fedTrimmedMean } from './robust.js';
export {
  roundStatus,
  sampleSites,
  type RoundStatus,
  type SamplingConfig,
  type SiteReply,
} from './sampling.js';
export type {
  Aggregated,
  ClientSettings,
  ClientUpdate,
  MeanStrategy,
  RobustStrategy,
  Strategy,
  StrategyState,
  WeightedSum,
} from './types.js';
