import type { Algorithm, HubDecision, LocalStep } from '../framework.js';
import { aggregateLevels, aggregateNewton, type GlmState } from './aggregate.js';
import { discloseLevels, discloseNewton, runLevels, runNewton } from './local.js';
import type { GlmLevelsLocal, NewtonLocal } from './local.js';
import {
  logisticParamsSchema,
  poissonParamsSchema,
  type GlmFamily,
  type GlmParams,
  type LogisticParams,
  type PoissonParams,
} from './schemas.js';

/** The local steps of the GLMs: 'levels' once, then one 'newton' round per iteration. */
export const GLM_STEPS = { levels: 'levels', newton: 'newton' } as const;

function localSteps<P extends GlmParams>(family: GlmFamily): Record<string, LocalStep<P>> {
  return {
    [GLM_STEPS.levels]: {
      run: (ctx) => runLevels(family, ctx),
      // The output handed to disclose is the one run returned for the same context.
      disclose: (output, ctx) => discloseLevels(family, output as GlmLevelsLocal, ctx),
    },
    [GLM_STEPS.newton]: {
      run: (ctx) => runNewton(family, ctx),
      disclose: (output, ctx) => discloseNewton(output as NewtonLocal, ctx),
    },
  };
}

function aggregate<P extends GlmParams>(
  family: GlmFamily,
): Algorithm<P, GlmState | null>['aggregate'] {
  return (params, state, step, results) => {
    if (step === GLM_STEPS.levels) return aggregateLevels(family, params, results);
    if (step === GLM_STEPS.newton && state !== null) {
      return aggregateNewton(family, params, state, results);
    }
    return { kind: 'failed', code: 'UNKNOWN_STEP', reason: `${family} GLM: step '${step}'` };
  };
}

const start = (): HubDecision<GlmState | null> => ({
  kind: 'step',
  step: GLM_STEPS.levels,
  input: null,
  state: null,
});

/**
 * `logistic-regression` (issue 3): binomial GLM with logit link by federated Newton–Raphson, one
 * round per iteration, exact to the pooled maximum-likelihood fit: coefficients, SEs, z, p, Wald
 * 95% CIs, deviance, null deviance, AIC, iterations, n.
 */
export const logisticRegression: Algorithm<LogisticParams, GlmState | null> = {
  name: 'logistic-regression',
  version: '1.0.0',
  description: 'Logistic regression (Newton–Raphson): coefficients, SEs, z, p, 95% CIs, deviance',
  params: logisticParamsSchema,
  variables: (params) => [params.outcome, ...params.covariates],
  start,
  local: localSteps<LogisticParams>('binomial'),
  aggregate: aggregate<LogisticParams>('binomial'),
};

/**
 * `poisson-regression` (issue 3): Poisson GLM with log link and an optional offset (log exposure),
 * on the same Newton machinery as {@link logisticRegression}.
 */
export const poissonRegression: Algorithm<PoissonParams, GlmState | null> = {
  name: 'poisson-regression',
  version: '1.0.0',
  description: 'Poisson regression (Newton–Raphson, optional offset): coefficients, SEs, z, p, CIs',
  params: poissonParamsSchema,
  variables: (params) => [
    params.outcome,
    ...params.covariates,
    ...(params.offset === undefined ? [] : [params.offset]),
  ],
  start,
  local: localSteps<PoissonParams>('poisson'),
  aggregate: aggregate<PoissonParams>('poisson'),
};

export { GLM_FAILURES } from './aggregate.js';
export type { GlmState } from './aggregate.js';
export * from './schemas.js';
