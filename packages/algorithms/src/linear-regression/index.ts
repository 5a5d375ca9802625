import type { Algorithm } from '../framework.js';
import { aggregateLevels, aggregateMoments, type LinearRegressionState } from './aggregate.js';
import { discloseLevels, discloseMoments, runLevels, runMoments } from './local.js';
import type { LevelsLocal, MomentsLocal } from './local.js';
import { linearRegressionParamsSchema, type LinearRegressionParams } from './schemas.js';

/** The local steps of `linear-regression`, in order. */
export const LINEAR_REGRESSION_STEPS = { levels: 'levels', moments: 'moments' } as const;

/**
 * `linear-regression` (issue 3): ordinary least squares from pooled sufficient statistics, exact to
 * the fit over all sites' rows. Two rounds: 'levels' learns each covariate's kind and categorical
 * levels (so dummies are coded alike everywhere), then 'moments' returns n, X'X, X'y, y'y.
 */
export const linearRegression: Algorithm<LinearRegressionParams, LinearRegressionState> = {
  name: 'linear-regression',
  version: '1.0.0',
  description: 'OLS: coefficients, standard errors, t, p, 95% CIs, R², adjusted R², residual SE, n',
  params: linearRegressionParamsSchema,
  variables: (params) => [params.outcome, ...params.covariates],
  start: () => ({ kind: 'step', step: LINEAR_REGRESSION_STEPS.levels, input: null, state: null }),
  local: {
    [LINEAR_REGRESSION_STEPS.levels]: {
      run: runLevels,
      // The output handed to disclose is the one run returned for the same context.
      disclose: (output, ctx) => discloseLevels(output as LevelsLocal, ctx),
    },
    [LINEAR_REGRESSION_STEPS.moments]: {
      run: runMoments,
      disclose: (output, ctx) => discloseMoments(output as MomentsLocal, ctx),
    },
  },
  aggregate: (params, state, step, results) => {
    if (step === LINEAR_REGRESSION_STEPS.levels) return aggregateLevels(params, results);
    if (step === LINEAR_REGRESSION_STEPS.moments && state !== null) {
      return aggregateMoments(params, state, results);
    }
    return { kind: 'failed', code: 'UNKNOWN_STEP', reason: `linear-regression: step '${step}'` };
  },
};

export { LINEAR_REGRESSION_FAILURES, INTERCEPT } from './aggregate.js';
export type { LinearRegressionState } from './aggregate.js';
export { MAX_PARAMETERS_PER_ROW } from './local.js';
export * from './schemas.js';
