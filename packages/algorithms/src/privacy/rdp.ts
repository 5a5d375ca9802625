/*
 * A Rényi-DP accountant for repeated Gaussian releases (issue 6, DP-FedAvg).
 *
 * The Gaussian mechanism with noise SD σ·Δ₂ on a statistic of L2 sensitivity Δ₂ is
 * (α, α/(2σ²))-RDP for every order α > 1, and k such releases compose to (α, k·α/(2σ²))-RDP
 * (Mironov 2017, "Rényi Differential Privacy", Prop. 7 and Corollary 3). An (α, ε_α)-RDP
 * mechanism is (ε, δ)-DP with
 *   ε = ε_α + log((α − 1)/α) − (log δ + log α)/(α − 1)
 * (Canonne, Kamath & Steinke 2020, "The Discrete Gaussian for Differential Privacy", Prop. 12;
 * Balle et al. 2020; the conversion Google's dp_accounting uses), which is never larger than
 * Mironov's ε_α + log(1/δ)/(α − 1) (Prop. 3), kept for comparison. The accountant takes the best
 * order: the minimum over α > 1, found on a log grid and refined by golden-section search.
 *
 * No amplification by subsampling is claimed (a site's update is released whenever the site
 * trains): conservative. For the Gaussian alone the exact (ε, δ) of k releases is that of one
 * release with σ/√k (Dong, Roth & Su 2019, μ-GDP); the RDP figure is a few tens of percent
 * above it, the price of an accountant that composes with other mechanisms too.
 */
import type { RdpAccountant } from './schemas.js';

/** How RDP is turned into (ε, δ). */
export type RdpConversion = 'improved' | 'mironov';

/**
 * The RDP of the Gaussian mechanism at order α: α / (2σ²), with σ the noise SD over the L2
 * sensitivity.
 * @throws RangeError unless α > 1 and σ > 0 are finite.
 */
export function gaussianRdp(alpha: number, sigma: number): number {
  if (!(alpha > 1 && Number.isFinite(alpha))) throw new RangeError(`order α must be > 1: ${alpha}`);
  if (!(sigma > 0 && Number.isFinite(sigma)))
    throw new RangeError(`the noise multiplier σ must be finite and > 0: ${sigma}`);
  return alpha / (2 * sigma * sigma);
}

/** The ε of one order's RDP ε_α at δ, by the chosen conversion. */
function epsilonAt(alpha: number, rdp: number, delta: number, conversion: RdpConversion): number {
  if (conversion === 'mironov') return rdp + Math.log(1 / delta) / (alpha - 1);
  return rdp + Math.log1p(-1 / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
}

/** An (ε, δ) guarantee with the Rényi order that gave it. */
export interface RdpEpsilon {
  readonly epsilon: number;
  readonly alpha: number;
}

// Orders searched: α = 1 + 10^t for t on [-4, 7], 441 points, then refined around the best.
const T_MIN = -4;
const T_MAX = 7;
const GRID = 441;
const GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * The smallest ε over orders α > 1 such that a mechanism with RDP curve `rdp` is (ε, δ)-DP.
 * The curve must be convex in α (true of every composition of Gaussian releases), so the
 * conversion's minimum is found by a grid and a golden-section refinement in log(α − 1).
 * @throws RangeError unless 0 < δ < 1.
 */
export function rdpToEpsilon(
  rdp: (alpha: number) => number,
  delta: number,
  conversion: RdpConversion = 'improved',
): RdpEpsilon {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`δ must be in (0, 1): ${delta}`);
  const f = (t: number): number => {
    const alpha = 1 + 10 ** t;
    return epsilonAt(alpha, rdp(alpha), delta, conversion);
  };
  const step = (T_MAX - T_MIN) / (GRID - 1);
  let best = T_MIN;
  let bestValue = Infinity;
  for (let i = 0; i < GRID; i++) {
    const t = T_MIN + i * step;
    const v = f(t);
    if (v < bestValue) {
      bestValue = v;
      best = t;
    }
  }
  let lo = Math.max(T_MIN, best - step);
  let hi = Math.min(T_MAX, best + step);
  let a = hi - GOLDEN * (hi - lo);
  let b = lo + GOLDEN * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let i = 0; i < 80 && hi - lo > 1e-13; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - GOLDEN * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + GOLDEN * (hi - lo);
      fb = f(b);
    }
  }
  const t = fa < fb ? a : b;
  const value = Math.min(fa, fb);
  return value < bestValue
    ? { epsilon: Math.max(0, value), alpha: 1 + 10 ** t }
    : { epsilon: Math.max(0, bestValue), alpha: 1 + 10 ** best };
}

/**
 * The (ε, δ) of `releases` Gaussian releases of noise multiplier σ (SD over L2 sensitivity),
 * composed in RDP and converted at δ. Zero releases cost ε = 0.
 * @throws RangeError for a negative or fractional count, σ ≤ 0, or δ outside (0, 1).
 */
export function composedGaussianEpsilon(
  releases: number,
  sigma: number,
  delta: number,
  conversion: RdpConversion = 'improved',
): RdpEpsilon {
  if (!Number.isSafeInteger(releases) || releases < 0)
    throw new RangeError(`releases must be an integer ≥ 0: ${releases}`);
  gaussianRdp(2, sigma);
  if (!(delta > 0 && delta < 1)) throw new RangeError(`δ must be in (0, 1): ${delta}`);
  if (releases === 0) return { epsilon: 0, alpha: Infinity };
  return rdpToEpsilon((alpha) => releases * gaussianRdp(alpha, sigma), delta, conversion);
}

/**
 * What the (j+1)-th release of a job's repeated Gaussian releases costs after j of them: the
 * increase ε(j+1) − ε(j) of the composed ε (improved conversion), and all of δ at the first
 * (δ is fixed for the whole composition). Summed over the first k releases these give exactly
 * the accountant's (ε(k), δ), which is what a node's privacy ledger charges.
 * @throws RangeError for a prior count that is not an integer ≥ 0, or bad accountant values.
 */
export function accountantIncrement(
  accountant: RdpAccountant,
  prior: number,
): { epsilon: number; delta: number } {
  const before = composedGaussianEpsilon(prior, accountant.sigma, accountant.delta).epsilon;
  const after = composedGaussianEpsilon(prior + 1, accountant.sigma, accountant.delta).epsilon;
  // ε(k) is strictly increasing in k; the floor guards only against rounding in the minimum.
  return {
    epsilon: Math.max(after - before, Number.MIN_VALUE),
    delta: prior === 0 ? accountant.delta : 0,
  };
}

/** A canonical text of an accountant: releases compose only with those of the same key. */
export function accountantKey(accountant: RdpAccountant): string {
  return `${accountant.method}:sigma=${accountant.sigma}:delta=${accountant.delta}`;
}
