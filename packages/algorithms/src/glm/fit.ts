import type { Coefficient } from '../linear-regression/schemas.js';
import type { Matrix } from '../numerics/linear-algebra.js';
import { normalCdf, normalQuantile } from '../numerics/distributions.js';
import { coefficientTable } from '../regression/coefficients.js';
import type { GlmFamily, NewtonOutput } from './schemas.js';

/** The sites' Newton sums pooled: n, X'WX (full symmetric), score, deviance, log L. */
export interface Pooled {
  n: number;
  info: Matrix;
  score: number[];
  deviance: number;
  logLikelihood: number;
}

/**
 * Sums the sites' outputs; `null` when a site's μ overflowed at this β (deviance null).
 * Outputs must already be checked to hold p(p+1)/2 and p entries.
 */
export function poolNewton(outputs: readonly NewtonOutput[], p: number): Pooled | null {
  const info: Matrix = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const score = new Array<number>(p).fill(0);
  let n = 0;
  let deviance = 0;
  let logLikelihood = 0;
  for (const o of outputs) {
    if (o.deviance === null || o.logLikelihood === null) return null;
    n += o.n;
    deviance += o.deviance;
    logLikelihood += o.logLikelihood;
    o.score.forEach((v, j) => (score[j] = (score[j] as number) + v));
    let at = 0;
    for (let j = 0; j < p; j++) {
      const row = info[j] as number[];
      for (let k = j; k < p; k++) row[k] = (row[k] as number) + (o.xtwx[at++] as number);
    }
  }
  for (let j = 0; j < p; j++)
    for (let k = 0; k < j; k++) (info[j] as number[])[k] = info[k]?.[j] as number;
  return { n, info, score, deviance, logLikelihood };
}

/** R's glm.fit convergence rule: |dev − dev_old| / (|dev| + 0.1) < ε. */
export function hasConverged(deviance: number, previous: number, tolerance: number): boolean {
  return Math.abs(deviance - previous) / (Math.abs(deviance) + 0.1) < tolerance;
}

/**
 * The intercept-only fit from the sums at β = 0 (intercept first), the Newton start when the
 * model has an intercept, and the null deviance (R's `null.deviance`: the intercept-only model
 * with the offset, or β = 0 without an intercept).
 *
 * binomial: Σy = U₀ + n/2 (U₀ = Σ(y − ½)); β₀ = logit(ȳ); D₀ = −2[S log ȳ + (n − S) log(1 − ȳ)].
 * poisson: with E = Σ e^offset = I₀₀ and Σy = U₀ + E, the MLE is β₀ = log(Σy/E), and
 *   D₀ = D(0) − 2[Σy log(Σy/E) − Σy + E], from D(0) = 2Σ[y log y − y·offset − y + e^offset].
 *
 * @returns the start β₀ (null when the outcome is constant: all 0 or all 1, or all counts 0) and
 *   the null deviance.
 */
export function interceptOnly(
  family: GlmFamily,
  atZero: Pooled,
  intercept: boolean,
): { start: number | null; nullDeviance: number } {
  if (!intercept) return { start: null, nullDeviance: atZero.deviance };
  const u0 = atZero.score[0] as number;
  if (family === 'binomial') {
    const s = u0 + atZero.n / 2;
    const f = atZero.n - s;
    const xlogx = (a: number): number => (a > 0 ? a * Math.log(a / atZero.n) : 0);
    const nullDeviance = -2 * (xlogx(s) + xlogx(f));
    return { start: s > 0 && f > 0 ? Math.log(s / f) : null, nullDeviance };
  }
  const exposure = atZero.info[0]?.[0] as number;
  const sumY = u0 + exposure;
  const ylogc = sumY > 0 ? sumY * Math.log(sumY / exposure) : 0;
  const nullDeviance = atZero.deviance - 2 * (ylogc - sumY + exposure);
  return { start: sumY > 0 ? Math.log(sumY / exposure) : null, nullDeviance };
}

/** z tests and Wald 95% intervals (estimate ± Φ⁻¹(0.975)·SE), as summary.glm and confint.default. */
export function waldCoefficients(
  names: readonly string[],
  beta: readonly number[],
  covariance: Matrix,
): Record<string, Coefficient> {
  return coefficientTable(names, beta, (j) => covariance[j]?.[j] as number, {
    quantile: normalQuantile(0.975),
    pValue: (z) => 2 * normalCdf(-Math.abs(z)),
  });
}

/**
 * Separation (or, for poisson, a level with no events): a coefficient diverging makes the weights
 * of the rows it separates vanish, so its standard error explodes. Returns the design columns
 * whose SE at the final β exceeds {@link SEPARATION_SE_RATIO} × their SE at the start (the
 * intercept-only fit, or β = 0), most inflated first. Well-posed fits move an SE by far less.
 */
export function inflatedColumns(
  names: readonly string[],
  covariance: Matrix,
  reference: readonly number[],
): string[] {
  return names
    .map((name, j) => ({
      name,
      ratio: Math.sqrt(covariance[j]?.[j] as number) / (reference[j] as number),
    }))
    .filter((c) => !(c.ratio <= SEPARATION_SE_RATIO))
    .sort((a, b) => b.ratio - a.ratio)
    .map((c) => c.name);
}

/** SE growth from start to finish above which a coefficient is taken to diverge. */
export const SEPARATION_SE_RATIO = 1000;
