import { lnGamma } from '../numerics/distributions.js';
import type { Design } from './design.js';
import type { GlmFamily } from './schemas.js';

/** What one site computes at β: X'WX (full p × p, upper triangle filled), score, deviance, log L. */
export interface NewtonSums {
  readonly xtwx: Float64Array;
  readonly score: Float64Array;
  readonly deviance: number;
  readonly logLikelihood: number;
}

/**
 * Logistic (canonical logit link) sums at β, one pass over the rows with no allocation per row:
 * μ = 1/(1 + e^−η), W = μ(1 − μ), score X'(y − μ), deviance 2 Σ [softplus(−η) + (1 − y)·η]
 * (= −2 log L for 0/1 outcomes), computed from e^−|η| so that no term overflows.
 */
function logisticSums(d: Design, beta: Float64Array): NewtonSums {
  const { n, p, x, y } = d;
  const a = new Float64Array(p * p);
  const u = new Float64Array(p);
  let dev = 0;
  for (let r = 0, base = 0; r < n; r++, base += p) {
    let eta = 0;
    for (let j = 0; j < p; j++) eta += (x[base + j] as number) * (beta[j] as number);
    const e = Math.exp(-Math.abs(eta));
    const mu = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
    const yr = y[r] as number;
    dev += Math.log1p(e) + (eta < 0 ? -eta : 0) + (1 - yr) * eta;
    const w = mu * (1 - mu);
    const res = yr - mu;
    for (let j = 0; j < p; j++) {
      const xj = x[base + j] as number;
      u[j] = (u[j] as number) + xj * res;
      const wxj = w * xj;
      const row = j * p;
      for (let k = j; k < p; k++)
        a[row + k] = (a[row + k] as number) + wxj * (x[base + k] as number);
    }
  }
  return { xtwx: a, score: u, deviance: 2 * dev, logLikelihood: -dev };
}

/**
 * Poisson (canonical log link) sums at β: μ = exp(η + offset), W = μ, score X'(y − μ),
 * deviance 2 Σ [y log(y/μ) − (y − μ)], log L = Σ [y log μ − μ − log y!]. The terms that do not
 * depend on β (Σ y log y − y, Σ log y!) are summed here too; they cost one log per row.
 */
function poissonSums(d: Design, beta: Float64Array): NewtonSums {
  const { n, p, x, y, offset } = d;
  const a = new Float64Array(p * p);
  const u = new Float64Array(p);
  let kernel = 0;
  let constant = 0;
  let logFactorials = 0;
  for (let r = 0, base = 0; r < n; r++, base += p) {
    let eta = offset === null ? 0 : (offset[r] as number);
    for (let j = 0; j < p; j++) eta += (x[base + j] as number) * (beta[j] as number);
    const mu = Math.exp(eta);
    const yr = y[r] as number;
    kernel += mu - yr * eta;
    if (yr > 0) {
      constant += yr * Math.log(yr) - yr;
      logFactorials += yr < 2 ? 0 : lnGamma(yr + 1);
    }
    const res = yr - mu;
    for (let j = 0; j < p; j++) {
      const xj = x[base + j] as number;
      u[j] = (u[j] as number) + xj * res;
      const wxj = mu * xj;
      const row = j * p;
      for (let k = j; k < p; k++)
        a[row + k] = (a[row + k] as number) + wxj * (x[base + k] as number);
    }
  }
  return {
    xtwx: a,
    score: u,
    deviance: 2 * (kernel + constant),
    logLikelihood: -kernel - logFactorials,
  };
}

/**
 * The Newton sums of `family` over a site's design at β (length p).
 * @throws RangeError when β does not have p entries.
 */
export function newtonSums(family: GlmFamily, d: Design, beta: readonly number[]): NewtonSums {
  if (beta.length !== d.p) throw new RangeError(`β has ${beta.length} entries, the design ${d.p}`);
  const b = Float64Array.from(beta);
  return family === 'binomial' ? logisticSums(d, b) : poissonSums(d, b);
}
