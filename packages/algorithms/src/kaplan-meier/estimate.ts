import { normalQuantile } from '../numerics/distributions.js';
import type { ConfType, CurvePoint, MedianSurvival } from './schemas.js';

/** Pooled counts of one curve at every grid point. */
export interface PooledCurve {
  readonly atRisk: readonly number[];
  readonly events: readonly number[];
  readonly censored: readonly number[];
}

/** R's default tolerance in quantile.survfit: sqrt(.Machine$double.eps). */
const QUANTILE_TOLERANCE = Math.sqrt(2.220446049250313e-16);

/**
 * The Kaplan–Meier curve at the grid points: S(t_j) = Π_{i ≤ j} (1 − d_i / n_i), the Greenwood
 * standard error of S (S · √Σ d/(n(n − d)), as R's summary.survfit reports it) and the pointwise
 * confidence band of R's survfit for `confType` ("log": S·exp(∓z·se(log S)), upper capped at 1;
 * "log-log"; "plain": S ∓ z·se(S) within [0, 1]). Undefined values (S = 0 on the log scales) are
 * null, where R has NA.
 */
export function kaplanMeierCurve(
  grid: readonly number[],
  pooled: PooledCurve,
  confidenceLevel: number,
  confType: ConfType,
): CurvePoint[] {
  const z = normalQuantile(1 - (1 - confidenceLevel) / 2);
  let survival = 1;
  let varLog = 0;
  return grid.map((time, j) => {
    const n = pooled.atRisk[j] ?? 0;
    const d = pooled.events[j] ?? 0;
    if (n > 0 && d > 0) {
      survival *= 1 - d / n;
      varLog += d < n ? d / (n * (n - d)) : Number.POSITIVE_INFINITY;
    }
    const seLog = Math.sqrt(varLog);
    const band = confidenceBand(survival, seLog, z, confType);
    const se = survival * seLog;
    return {
      time,
      atRisk: n,
      events: d,
      censored: pooled.censored[j] ?? 0,
      survival,
      standardError: Number.isFinite(se) ? se : null,
      ...band,
    };
  });
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** R's survfit_confint for a survival p whose log has standard error `se`. */
function confidenceBand(
  p: number,
  se: number,
  z: number,
  confType: ConfType,
): { lower: number | null; upper: number | null } {
  if (confType === 'plain') {
    const w = se * p * z;
    if (!Number.isFinite(w)) return { lower: null, upper: null };
    return { lower: Math.max(p - w, 0), upper: Math.min(p + w, 1) };
  }
  if (confType === 'log') {
    if (p === 0) return { lower: null, upper: null };
    return {
      lower: finiteOrNull(Math.exp(Math.log(p) - z * se)),
      upper: finiteOrNull(Math.min(Math.exp(Math.log(p) + z * se), 1)),
    };
  }
  if (p === 0 || p === 1) return { lower: null, upper: null };
  const w = (z * se) / Math.log(p);
  return {
    lower: finiteOrNull(Math.exp(-Math.exp(Math.log(-Math.log(p)) - w))),
    upper: finiteOrNull(Math.exp(-Math.exp(Math.log(-Math.log(p)) + w))),
  };
}

/**
 * Median survival and its confidence interval as R's quantile.survfit computes them: the first
 * time the curve (resp. the lower and upper band) is at or below 0.5, or the midpoint to the next
 * time when it sits at 0.5 exactly (within √ε). Only grid points where the curve had an event or
 * a censored row count as times, as survfit lists only those.
 */
export function medianSurvival(points: readonly CurvePoint[]): MedianSurvival {
  const observed = points.filter((p) => p.events + p.censored > 0);
  const x = [0, ...observed.map((p) => p.time)];
  const quantile = (curve: (p: CurvePoint) => number | null): number | null =>
    findQuantile(x, [0, ...observed.map((p) => complement(curve(p)))], 0.5, QUANTILE_TOLERANCE);
  return {
    median: quantile((p) => p.survival),
    lower: quantile((p) => p.lower),
    upper: quantile((p) => p.upper),
  };
}

const complement = (s: number | null): number | null => (s === null ? null : 1 - s);

/**
 * R's survival:::findq: the time at which the cumulative distribution `y` (1 − S, with null for
 * NA) first reaches `p`, taking the midpoint with the next time when it equals `p` within `tol`.
 */
export function findQuantile(
  x: readonly number[],
  y: readonly (number | null)[],
  p: number,
  tol: number,
): number | null {
  const present = y.filter((v): v is number => v !== null);
  if (present.length === 0 || Math.max(...present) < p) return null;
  const xmax = x[x.length - 1] ?? 0;
  // R drops repeated y values (first kept): a flat stretch of the curve is one step.
  const seen = new Set<number | null>();
  const xs: number[] = [];
  const ys: (number | null)[] = [];
  y.forEach((v, i) => {
    if (seen.has(v)) return;
    seen.add(v);
    xs.push(x[i] ?? Number.NaN);
    ys.push(v);
  });
  // approx(y ± tol, 1:n, p, method = "constant", f = 1): the index of the smallest knot ≥ p,
  // NA outside the knots' range; NA knots are dropped.
  const index = (shift: number): number | null => {
    const knots = ys
      .map((v, i) => ({ key: v === null ? null : v + shift, i }))
      .filter((k): k is { key: number; i: number } => k.key !== null)
      .sort((a, b) => a.key - b.key);
    const first = knots[0];
    const lastKnot = knots[knots.length - 1];
    if (first === undefined || lastKnot === undefined) return null;
    if (p < first.key || p > lastKnot.key) return null;
    return knots.find((k) => k.key >= p)?.i ?? null;
  };
  const i1 = index(tol);
  const i2 = index(-tol);
  const at = (i: number | null): number => (i === null ? Number.NaN : (xs[i] ?? Number.NaN));
  let q = (at(i1) + at(i2)) / 2;
  const yn = ys[ys.length - 1];
  if (yn !== null && yn !== undefined && Math.abs(p - yn) < tol) q = (at(i1) + xmax) / 2;
  return Number.isNaN(q) ? null : q;
}
