/**
 * @tessera/algorithms — federated algorithms as pure functions (DESIGN "Packages").
 */
export * from './framework.js';
export * from './table.js';
export {
  tableVariables,
  isMissing,
  numberColumn,
  categoricalColumn,
  makeTable,
} from './table-info.js';
export { evaluateCohort, filterTable } from './cohort-eval.js';
export { validateCohort } from './cohort-validate.js';
export { isoDateToDays } from './cohort-values.js';
export { runLocalStep, checkVariables, effectiveMinCount } from './run-local-step.js';
export { getAlgorithm, listAlgorithms } from './registry.js';
export {
  simulateJob,
  seededRandomBytes,
  type SimulationOptions,
  type SimulationRun,
} from './simulate.js';
export * from './privacy/index.js';
export {
  summary,
  SUMMARY_STEP,
  SUMMARY_FAILURES,
  describeSites,
  suppressSmallCells,
  SUMMARY_QUANTILES_STEP,
  MAX_GROUPS,
} from './summary/index.js';
export type {
  SummaryParams,
  SummaryResult,
  NumericSummary,
  CategoricalSummary,
  SummaryLocalOutput,
  QuantileEstimate,
  QuantileGrid,
  GroupSummary,
  GroupNumericSummary,
  SummaryState,
} from './summary/index.js';
export { summaryParamsSchema, summaryLocalOutputSchema } from './summary/index.js';
export {
  compensatedSum,
  moments,
  poolMoments,
  sampleVariance,
  type Moments,
} from './numerics/moments.js';
export { createRng, type Rng } from './numerics/random.js';
export {
  lnGamma,
  regularizedBeta,
  regularizedGammaP,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
  chiSquareCdf,
  fCdf,
  twoSidedTPValue,
  chiSquarePValue,
  fPValue,
} from './numerics/distributions.js';
export { ttest, TTEST_STEP, TTEST_FAILURES, ttestParamsSchema } from './ttest/index.js';
export type {
  TtestParams,
  TtestResult,
  TtestGroup,
  TtestPairedResult,
  TtestPairedParams,
  TtestTwoSampleParams,
} from './ttest/index.js';
export { anova, ANOVA_STEP, ANOVA_FAILURES, anovaParamsSchema } from './anova/index.js';
export type { AnovaParams, AnovaResult, AnovaTerm } from './anova/index.js';
export {
  correlation,
  CORRELATION_STEP,
  CORRELATION_FAILURES,
  correlationParamsSchema,
} from './correlation/index.js';
export type { CorrelationParams, CorrelationResult } from './correlation/index.js';
export * from './kaplan-meier/index.js';
export * from './glm/index.js';
export * from './pca/index.js';
export * from './kmeans/index.js';
export { poolComoments, type Comoments } from './numerics/moments.js';
export {
  secureAlgorithm,
  type SecureOptions,
  type SecureAggregationReport,
  type SecureHubState,
} from './secure/hub.js';
export { SUM_FORMS } from './secure/sum-forms/index.js';
export type { SumForm, Layout } from './secure/sum-form.js';
export {
  runSecureStep,
  type SecureNodeIdentity,
  type SecureNodeMemory,
} from './secure/node-step.js';
export * from './secure/node-phases.js';
export { parsePhaseStep, phaseStep } from './secure/wire.js';
export { simulateSecureJob } from './secure/simulate-secure.js';

// Federated learning (issue 6).
export * from './learning/train/index.js';
export * from './learning/export.js';
export * from './learning/predict.js';
export { skewedTable, splitTask, type SiteSkew } from './learning/training/synthetic-tables.js';

// Imaging (issue 7).
export * from './imaging/index.js';
