import type { HubDecision, SiteResult } from '../framework.js';
import { COMMON_FAILURES, describeSites, failureFor } from '../hub-failures.js';
import { SingularMatrixError, dot, invertSpd, matVec } from '../numerics/linear-algebra.js';
import { fPValue, studentTQuantile, twoSidedTPValue } from '../numerics/distributions.js';
import { coefficientTable } from '../regression/coefficients.js';
import { PooledKinds, dummyDesign } from '../regression/design.js';
import {
  levelsOutputSchema,
  momentsOutputSchema,
  type LinearRegressionParams,
  type LinearRegressionResult,
  type MomentsInput,
  type MomentsOutput,
} from './schemas.js';

/** Hub-side failure codes of `linear-regression` (HubDecision `failed`). */
export const LINEAR_REGRESSION_FAILURES = {
  ...COMMON_FAILURES,
  VARIABLE_KIND_MISMATCH: 'a covariate has different kinds at different sites',
  SINGULAR_DESIGN: "X'X is singular: a covariate or level is collinear with others",
  NO_DEGREES_OF_FREEDOM: 'no residual degrees of freedom are left',
} as const;

/** The name of the intercept in the result, as R prints it. */
export const INTERCEPT = '(Intercept)';

/** Hub state between the steps: the design sent to 'moments' (null before it). */
export type LinearRegressionState = MomentsInput | null;

type Decision = HubDecision<LinearRegressionState>;
const fail = failureFor(LINEAR_REGRESSION_FAILURES);

/**
 * After 'levels': unions each categorical covariate's levels over the sites, takes the first
 * (sorted) as reference and sends one dummy column `var:level` per other level to 'moments'.
 */
export function aggregateLevels(
  params: LinearRegressionParams,
  results: readonly SiteResult[],
): Decision {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const pooled = new PooledKinds();
  for (const r of ok) {
    const parsed = levelsOutputSchema.safeParse(r.output);
    if (!parsed.success || params.covariates.some((c) => !Object.hasOwn(parsed.data.covariates, c)))
      return fail('INVALID_OUTPUT', `${r.trust}: output does not fit the levels step`);
    for (const [name, info] of Object.entries(parsed.data.covariates)) pooled.note(name, info);
  }
  const mismatch = pooled.mismatch(params.covariates);
  if (mismatch !== null) return fail('VARIABLE_KIND_MISMATCH', mismatch);
  const input: MomentsInput = dummyDesign(params.covariates, pooled.levels);
  return { kind: 'step', step: 'moments', input, state: input };
}

/** Sums the sites' sufficient statistics (only sites with status ok). */
function poolMoments(outputs: readonly MomentsOutput[], p: number): MomentsOutput {
  const total: MomentsOutput = {
    n: 0,
    xtx: Array.from({ length: p }, () => new Array<number>(p).fill(0)),
    xty: new Array<number>(p).fill(0),
    yty: 0,
    sumY: 0,
  };
  for (const o of outputs) {
    total.n += o.n;
    total.yty += o.yty;
    total.sumY += o.sumY;
    o.xty.forEach((v, j) => (total.xty[j] = (total.xty[j] as number) + v));
    o.xtx.forEach((row, j) => {
      row.forEach((v, k) => ((total.xtx[j] as number[])[k] = (total.xtx[j]?.[k] as number) + v));
    });
  }
  return total;
}

/**
 * After 'moments': pools X'X, X'y, y'y over the sites and fits OLS: β = (X'X)⁻¹X'y,
 * RSS = y'y − β'X'y, σ² = RSS/(n−p), SE = √(diag((X'X)⁻¹)·σ²), t tests and 95% CIs with n−p df.
 * R² is centred with an intercept and uncentred without, as R's summary.lm does.
 */
export function aggregateMoments(
  params: LinearRegressionParams,
  input: MomentsInput,
  results: readonly SiteResult[],
): Decision {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const names = [...(params.intercept ? [INTERCEPT] : []), ...input.columns.map((c) => c.name)];
  const p = names.length;
  const outputs: MomentsOutput[] = [];
  for (const r of ok) {
    const parsed = momentsOutputSchema.safeParse(r.output);
    const fits =
      parsed.success &&
      parsed.data.xty.length === p &&
      parsed.data.xtx.length === p &&
      parsed.data.xtx.every((row) => row.length === p);
    if (!parsed.success || !fits)
      return fail('INVALID_OUTPUT', `${r.trust}: output does not fit the moments step`);
    outputs.push(parsed.data);
  }
  const m = poolMoments(outputs, p);
  const df = m.n - p;
  if (df < 1) return fail('NO_DEGREES_OF_FREEDOM', `${p} parameters need more than ${p} rows`);
  let inv;
  try {
    inv = invertSpd(m.xtx);
  } catch (e) {
    if (!(e instanceof SingularMatrixError)) throw e;
    return fail('SINGULAR_DESIGN', `${e.message} (${names.join(', ')})`);
  }
  const beta = matVec(inv, m.xty);
  const rss = Math.max(0, m.yty - dot(beta, m.xty));
  const sigma2 = rss / df;
  const tss = params.intercept ? m.yty - (m.sumY * m.sumY) / m.n : m.yty;
  const rSquared = 1 - rss / tss;
  const dfTotal = params.intercept ? m.n - 1 : m.n;
  // The overall F test of the model against the intercept-only one (against zero without an
  // intercept), as R's summary.lm reports it; none for an intercept-only model or a perfect fit.
  const df1 = params.intercept ? p - 1 : p;
  const f = df1 >= 1 && rss > 0 ? (tss - rss) / df1 / sigma2 : null;
  const result: LinearRegressionResult = {
    n: m.n,
    coefficients: coefficientTable(names, beta, (j) => (inv[j]?.[j] as number) * sigma2, {
      quantile: studentTQuantile(0.975, df),
      pValue: (t) => twoSidedTPValue(t, df),
    }),
    rSquared,
    adjustedRSquared: 1 - ((1 - rSquared) * dfTotal) / df,
    residualStandardError: Math.sqrt(sigma2),
    df,
    fStatistic: f === null ? null : { value: f, df1, df2: df, pValue: fPValue(f, df1, df) },
  };
  return { kind: 'done', result };
}
