/**
 * Differential privacy for released aggregates (DESIGN "Security model"): exact discrete Laplace
 * and Gaussian noise on a fixed grid, sensitivities from declared bounds, the `dp` params field
 * and the `privacy` report the node spends from the project's budget.
 */
export {
  sampleDiscreteGaussian,
  sampleDiscreteLaplace,
  discreteLaplaceVariance,
} from './discrete.js';
export { analyticGaussianSigma, classicalGaussianSigma, gaussianDelta } from './gaussian-sigma.js';
export {
  composeReports,
  noiseScaleInSteps,
  privatizeCounts,
  privatizeSums,
  splitBudget,
  type DpParams,
  type Privatized,
} from './privatize.js';
export { type Fraction, type RandomBytes } from './random-source.js';
export {
  accountantIncrement,
  accountantKey,
  composedGaussianEpsilon,
  gaussianRdp,
  rdpToEpsilon,
  type RdpConversion,
  type RdpEpsilon,
} from './rdp.js';
export {
  DP_MECHANISMS,
  PRIVACY_REPORT_KEY,
  dpReleaseSchema,
  dpSpecSchema,
  privacyReportSchema,
  rdpAccountantSchema,
  type DpMechanism,
  type DpRelease,
  type DpSpec,
  type PrivacyReport,
  type RdpAccountant,
} from './schemas.js';
export {
  checkBounds,
  clip,
  midpoint,
  sensitivity,
  type Bounds,
  type Sensitivity,
  type Statistic,
} from './sensitivity.js';
