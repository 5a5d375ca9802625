import type { HubDecision, SiteResult } from '../framework.js';
import { COMMON_FAILURES, describeSites, failureFor, type HubFailure } from '../hub-failures.js';
import { INTERCEPT } from '../linear-regression/aggregate.js';
import {
  SingularMatrixError,
  cholesky,
  choleskySolve,
  invertSpd,
  type Matrix,
} from '../numerics/linear-algebra.js';
import { PooledKinds, dummyDesign } from '../regression/design.js';
import {
  hasConverged,
  inflatedColumns,
  interceptOnly,
  poolNewton,
  waldCoefficients,
  type Pooled,
} from './fit.js';
import {
  GLM_FAMILIES,
  glmLevelsOutputSchema,
  newtonOutputSchema,
  type GlmDesign,
  type GlmFamily,
  type GlmParams,
  type GlmResult,
  type NewtonInput,
  type NewtonOutput,
} from './schemas.js';

/** Hub-side failure codes of the GLMs (HubDecision `failed`). */
export const GLM_FAILURES = {
  ...COMMON_FAILURES,
  VARIABLE_KIND_MISMATCH: 'a variable has different kinds at different sites',
  OUTCOME_NOT_BINARY: 'the outcome of a logistic regression does not have exactly two levels',
  SITES_CHANGED: 'the sites or their rows changed between Newton rounds',
  SINGULAR_DESIGN: "X'WX is singular: a covariate or level is collinear with others, or constant",
  SEPARATION: 'a coefficient diverges: the outcome is (quasi-)completely separated',
  NOT_CONVERGED: 'the deviance did not settle within maxIterations Newton rounds',
} as const;

/** Step halvings allowed in a row when μ overflows at a proposed β (R's glm.fit does the same). */
const MAX_HALVINGS = 20;

/** Hub state between Newton rounds (JSON, persisted). */
export interface GlmState {
  design: GlmDesign;
  names: string[];
  /** β sent to the round being aggregated. */
  beta: number[];
  /** Newton rounds sent so far, the current one included. */
  iteration: number;
  /** Deviance at the previous β, null before there is one to compare against. */
  previousDeviance: number | null;
  /** The previous β and the step from it, for halving when μ overflows. */
  previousBeta: number[] | null;
  halvings: number;
  /** SE of each coefficient at the start (intercept-only fit or β = 0), to detect divergence. */
  referenceSe: number[] | null;
  nullDeviance: number | null;
  /** Pooled complete cases and sites, fixed after the first Newton round. */
  n: number | null;
  sites: number | null;
}

type Decision = HubDecision<GlmState | null>;
const fail = failureFor(GLM_FAILURES);

const next = (state: GlmState): Decision => {
  const input: NewtonInput = { ...state.design, beta: state.beta };
  return { kind: 'step', step: 'newton', input, state };
};

/** Names the hub's outcome level coded 1, or explains why there is none. */
function positiveLevel(params: GlmParams, levels: Set<string> | null): string | null | HubFailure {
  if (levels === null) return null;
  const sorted = [...levels].sort();
  if (sorted.length !== 2) {
    return fail(
      'OUTCOME_NOT_BINARY',
      `${params.outcome} has ${sorted.length} levels over the sites`,
    );
  }
  const positive = params.positive ?? sorted[1];
  if (positive === undefined || !levels.has(positive)) {
    return fail('OUTCOME_NOT_BINARY', `${params.outcome} has no level named as positive`);
  }
  return positive;
}

/**
 * After 'levels': unions each categorical covariate's levels over the sites (the first in sorted
 * order is the reference; one dummy `var:level` per other level, as linear-regression), fixes the
 * outcome's coding, and sends β = 0 to the first 'newton' round.
 */
export function aggregateLevels(
  family: GlmFamily,
  params: GlmParams,
  results: readonly SiteResult[],
): Decision {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const pooled = new PooledKinds();
  for (const r of ok) {
    const parsed = glmLevelsOutputSchema.safeParse(r.output);
    if (!parsed.success || params.covariates.some((c) => !Object.hasOwn(parsed.data.covariates, c)))
      return fail('INVALID_OUTPUT', `${r.trust}: output does not fit the levels step`);
    pooled.note(params.outcome, parsed.data.outcome);
    for (const [name, info] of Object.entries(parsed.data.covariates)) pooled.note(name, info);
  }
  const mismatch = pooled.mismatch([params.outcome, ...params.covariates]);
  if (mismatch !== null) return fail('VARIABLE_KIND_MISMATCH', mismatch);
  const levels = pooled.levels;
  const positive =
    family === 'binomial' ? positiveLevel(params, levels.get(params.outcome) ?? null) : null;
  if (positive !== null && typeof positive === 'object') return positive;
  const { columns, levels: sent } = dummyDesign(params.covariates, levels);
  const names = [...(params.intercept ? [INTERCEPT] : []), ...columns.map((c) => c.name)];
  return next({
    design: { columns, levels: sent, positive },
    names,
    beta: names.map(() => 0),
    iteration: 1,
    previousDeviance: null,
    previousBeta: null,
    halvings: 0,
    referenceSe: null,
    nullDeviance: null,
    n: null,
    sites: null,
  });
}

/** Parses and pools one round's outputs, or the failure that stops the job. */
function pool(state: GlmState, results: readonly SiteResult[]): Pooled | null | HubFailure {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const p = state.names.length;
  const outputs: NewtonOutput[] = [];
  for (const r of ok) {
    const parsed = newtonOutputSchema.safeParse(r.output);
    const d = parsed.data;
    const fits =
      d !== undefined &&
      (d.deviance === null || (d.score.length === p && d.xtwx.length === (p * (p + 1)) / 2));
    if (d === undefined || !fits)
      return fail('INVALID_OUTPUT', `${r.trust}: output does not fit the newton step`);
    outputs.push(d);
  }
  if (state.sites !== null && state.sites !== ok.length) {
    return fail('SITES_CHANGED', `${state.sites} sites released before, ${ok.length} now`);
  }
  const pooled = poolNewton(outputs, p);
  if (pooled !== null && state.n !== null && pooled.n !== state.n) {
    return fail('SITES_CHANGED', 'the pooled complete cases changed between rounds');
  }
  return pooled;
}

const seFrom = (cov: Matrix): number[] => cov.map((row, j) => Math.sqrt(row[j] as number));

/**
 * After a 'newton' round at β: pools n, X'WX, score and deviance; stops with the result when R's
 * rule |dev − dev_old| / (|dev| + 0.1) < tolerance holds (β, SEs from (X'WX)⁻¹ and deviance all
 * at that same β), else sends β + (X'WX)⁻¹·score. The first round (β = 0) also checks the design
 * for singularity, gives the null deviance and, with an intercept, jumps to the intercept-only fit.
 */
export function aggregateNewton(
  family: GlmFamily,
  params: GlmParams,
  state: GlmState,
  results: readonly SiteResult[],
): Decision {
  const pooled = pool(state, results);
  if (pooled !== null && 'kind' in pooled) return pooled;
  if (pooled === null) return halve(params, state);
  const first = state.n === null;
  const s: GlmState = {
    ...state,
    n: pooled.n,
    sites: results.filter((r) => r.status === 'ok').length,
  };
  let factor: Matrix;
  try {
    factor = cholesky(pooled.info);
  } catch (e) {
    if (!(e instanceof SingularMatrixError)) throw e;
    const column = state.names[Number(/column (\d+)/.exec(e.message)?.[1] ?? 0)] ?? '?';
    // At β = 0 the weights are all positive, so a singular X'WX is the design itself.
    if (first)
      return fail('SINGULAR_DESIGN', `${column} is collinear with earlier columns or constant`);
    return fail('SEPARATION', `the information about ${column} vanished: its coefficient diverges`);
  }
  if (first) {
    const { start, nullDeviance } = interceptOnly(family, pooled, params.intercept);
    if (params.intercept && start === null) {
      const what = family === 'binomial' ? 'takes one value only' : 'is 0 in every row';
      return fail('SEPARATION', `the outcome ${params.outcome} ${what}`);
    }
    s.nullDeviance = nullDeviance;
    if (start !== null && s.iteration < params.maxIterations) {
      // The start's own round gives the reference SEs and the first deviance to compare.
      return next({
        ...s,
        iteration: s.iteration + 1,
        beta: s.beta.map((_, j) => (j === 0 ? start : 0)),
      });
    }
  }
  if (s.referenceSe === null) s.referenceSe = seFrom(invertSpd(pooled.info));
  if (
    s.previousDeviance !== null &&
    hasConverged(pooled.deviance, s.previousDeviance, params.tolerance)
  ) {
    return finish(family, params, s, pooled);
  }
  if (s.iteration >= params.maxIterations) {
    const diverging = inflatedColumns(s.names, invertSpd(pooled.info), s.referenceSe);
    if (diverging.length > 0) return separation(diverging);
    return fail(
      'NOT_CONVERGED',
      `no convergence in ${params.maxIterations} Newton rounds (tolerance ${params.tolerance})`,
    );
  }
  const step = choleskySolve(factor, pooled.score);
  return next({
    ...s,
    iteration: s.iteration + 1,
    previousDeviance: pooled.deviance,
    previousBeta: s.beta,
    halvings: 0,
    beta: s.beta.map((b, j) => b + (step[j] as number)),
  });
}

const separation = (columns: readonly string[]): HubFailure =>
  fail(
    'SEPARATION',
    `the coefficient of ${columns.join(', ')} diverges (fitted values reach the boundary)`,
  );

/** μ overflowed at the proposed β: go back half way (R's glm.fit step halving). */
function halve(params: GlmParams, state: GlmState): Decision {
  const prev = state.previousBeta;
  if (prev === null || state.halvings >= MAX_HALVINGS || state.iteration >= params.maxIterations) {
    return fail('NOT_CONVERGED', 'the fitted values overflow and step halving did not recover');
  }
  return next({
    ...state,
    iteration: state.iteration + 1,
    halvings: state.halvings + 1,
    beta: state.beta.map((b, j) => ((prev[j] as number) + b) / 2),
  });
}

function finish(family: GlmFamily, params: GlmParams, s: GlmState, pooled: Pooled): Decision {
  const covariance = invertSpd(pooled.info);
  const diverging = inflatedColumns(s.names, covariance, s.referenceSe ?? seFrom(covariance));
  if (diverging.length > 0) return separation(diverging);
  const p = s.names.length;
  const result: GlmResult = {
    n: pooled.n,
    coefficients: waldCoefficients(s.names, s.beta, covariance),
    deviance: pooled.deviance,
    nullDeviance: s.nullDeviance ?? pooled.deviance,
    aic: -2 * pooled.logLikelihood + 2 * p,
    logLikelihood: pooled.logLikelihood,
    dfResidual: pooled.n - p,
    dfNull: params.intercept ? pooled.n - 1 : pooled.n,
    iterations: s.iteration,
    converged: true,
    family,
    link: GLM_FAMILIES[family],
    sites: s.sites ?? 0,
  };
  return { kind: 'done', result };
}
