import { sampleDiscreteGaussian, sampleDiscreteLaplace } from './discrete.js';
import { analyticGaussianSigma } from './gaussian-sigma.js';
import type { RandomBytes } from './random-source.js';
import type { DpMechanism, DpRelease, PrivacyReport } from './schemas.js';
import { sensitivity, type Bounds, type Sensitivity } from './sensitivity.js';

/** The privacy parameters of one release: δ is required for the Gaussian, absent for Laplace. */
export interface DpParams {
  readonly mechanism: DpMechanism;
  readonly epsilon: number;
  readonly delta?: number;
}

/** Noisy values and what their release spent. */
export interface Privatized {
  readonly values: number[];
  readonly release: DpRelease;
}

// Sums are put on a grid of 2^-20 of the smallest per-variable sensitivity: rounding to it adds
// at most one step per value to the sensitivity, a relative cost under 1e-6.
const GRID_BITS = 20;
// The scale is computed in floating point; widening it by 2^-40 keeps it above the exact Δ/ε.
const WIDEN = 1 + 2 ** -40;

/**
 * Adds noise to counts: each count gets an independent discrete Laplace or discrete Gaussian
 * draw, in whole rows. `histogram` and `contingency` are cells one row falls in exactly one of
 * (Δ₁ = Δ₂ = 1); `count` is one count; `counts` are counts one row may change all of.
 * Results are integers and may be negative; clamping them at 0 afterwards costs no privacy.
 * @throws RangeError for a count that is not a non-negative safe integer, or bad parameters.
 */
export function privatizeCounts(
  counts: readonly number[],
  dp: DpParams,
  source: RandomBytes,
  o: { statistic: 'count' | 'counts' | 'histogram' | 'contingency' },
): Privatized {
  for (const c of counts)
    if (!Number.isSafeInteger(c) || c < 0)
      throw new RangeError(`a count must be a non-negative integer, got ${c}`);
  const s =
    o.statistic === 'counts'
      ? sensitivity({ kind: 'counts', k: counts.length })
      : sensitivity({ kind: o.statistic });
  return addNoise(counts, s, 1, dp, source);
}

/**
 * Adds noise to sums of values already clipped to `bounds` (one bound per sum, same order); with
 * `centred`, each sum is of (x − midpoint(bounds)), the numerator of a mean, whose sensitivity is
 * half the bounds' width. Values are snapped to a power-of-two grid (see `resolution` in the
 * release) and noised there with an exact discrete sampler, never a floating-point Laplace.
 * @throws RangeError for a non-finite sum, mismatched bounds, or bad parameters.
 */
export function privatizeSums(
  sums: readonly number[],
  bounds: readonly Bounds[],
  dp: DpParams,
  source: RandomBytes,
  o: { centred?: boolean } = {},
): Privatized {
  if (sums.length !== bounds.length)
    throw new RangeError(`${sums.length} sums but ${bounds.length} bounds`);
  const kind = o.centred === true ? 'centred-sum' : 'sum';
  const per = bounds.map((b) => sensitivity({ kind, bounds: [b] }).l1);
  const grid = 2 ** (Math.floor(Math.log2(Math.min(...per))) - GRID_BITS);
  const steps = sums.map((x) => {
    if (!Number.isFinite(x)) throw new RangeError(`a sum must be finite, got ${x}`);
    const k = Math.round(x / grid);
    if (!Number.isSafeInteger(k)) throw new RangeError(`a sum of ${x} is too large for its grid`);
    return k;
  });
  const s = sensitivity({ kind, bounds });
  // Rounding to the grid moves each value by under half a step, so a neighbour by under one.
  const onGrid = { l1: s.l1 / grid + sums.length, l2: s.l2 / grid + Math.sqrt(sums.length) };
  return addNoise(steps, onGrid, grid, dp, source);
}

/**
 * Splits a release's ε and δ evenly over `k` releases (basic composition), e.g. a mean's
 * centred sum and count.
 * @throws RangeError unless k is a positive integer.
 */
export function splitBudget(dp: DpParams, k: number): DpParams {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be ≥ 1, got ${k}`);
  return {
    mechanism: dp.mechanism,
    epsilon: dp.epsilon / k,
    ...(dp.delta === undefined ? {} : { delta: dp.delta / k }),
  };
}

/**
 * The privacy report of a site output holding these releases: under basic composition their
 * ε and δ add up. Put it under the output's `privacy` key (PRIVACY_REPORT_KEY).
 * @throws RangeError when no release is given.
 */
export function composeReports(releases: readonly DpRelease[]): PrivacyReport {
  if (releases.length === 0) throw new RangeError('a privacy report needs at least one release');
  return {
    epsilon: releases.reduce((a, r) => a + r.epsilon, 0),
    delta: releases.reduce((a, r) => a + r.delta, 0),
    releases: [...releases],
  };
}

/** The noise scale in grid steps: Laplace b = Δ₁/ε; Gaussian σ by the analytic Gaussian. */
export function noiseScaleInSteps(s: Sensitivity, dp: DpParams): number {
  checkParams(dp);
  if (dp.mechanism === 'laplace') return (s.l1 / dp.epsilon) * WIDEN;
  // CKS 2020 (Theorem 14): below σ = 1 step the discrete Gaussian's extra privacy loss is no
  // longer negligible, so σ is never smaller.
  return Math.max(1, analyticGaussianSigma(s.l2, dp.epsilon, dp.delta ?? 0) * WIDEN);
}

function addNoise(
  steps: readonly number[],
  s: Sensitivity,
  grid: number,
  dp: DpParams,
  source: RandomBytes,
): Privatized {
  const scale = noiseScaleInSteps(s, dp);
  const draw =
    dp.mechanism === 'laplace'
      ? () => sampleDiscreteLaplace(source, scale)
      : () => sampleDiscreteGaussian(source, scale);
  const values = steps.map((k) => (k + Number(draw())) * grid);
  return {
    values,
    release: {
      mechanism: dp.mechanism,
      epsilon: dp.epsilon,
      delta: dp.delta ?? 0,
      noiseScale: scale * grid,
      resolution: grid,
    },
  };
}

function checkParams(dp: DpParams): void {
  if (!(dp.epsilon > 0 && dp.epsilon <= 50))
    throw new RangeError(`ε must be in (0, 50], got ${dp.epsilon}`);
  if (dp.mechanism === 'laplace' && dp.delta !== undefined && dp.delta !== 0)
    throw new RangeError('the laplace mechanism takes no δ');
  if (dp.mechanism === 'gaussian' && !(dp.delta !== undefined && dp.delta > 0 && dp.delta < 1))
    throw new RangeError(`the gaussian mechanism needs 0 < δ < 1, got ${String(dp.delta)}`);
}
