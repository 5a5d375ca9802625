import { gridEdge } from './grid.js';
import type { Cell, Grid, QuantileEstimate } from './schemas.js';

/**
 * Pooled quantiles from the sites' merged fine histograms (README "summary", quantiles).
 *
 * At boundary i (the lower edge of grid position i, i = 1..bins + 1) the hub knows, summed over
 * the sites, L(i) = the counts of cells that end at or before i and U(i) = the counts of cells that
 * start before i. The number of values in positions below i lies in [L(i), U(i)], so the k-th
 * smallest value x₍ₖ₎ is at least the edge of the largest i with U(i) < k and at most the edge of
 * the smallest i with L(i) ≥ k. A quantile's interval brackets every order statistic that R's
 * types 1 and 7 use; without merging it spans one or two fine bins.
 */

/** Cumulative bounds at each boundary 0..bins + 1 (index = boundary). */
interface Bounds {
  readonly below: Float64Array;
  readonly notAbove: Float64Array;
}

function boundaryCounts(grid: Grid, sites: readonly (readonly Cell[])[]): Bounds {
  const size = grid.bins + 3;
  const ends = new Float64Array(size);
  const starts = new Float64Array(size);
  for (const cells of sites) {
    for (const [from, to, count] of cells) {
      ends[to] = (ends[to] ?? 0) + count;
      starts[from + 1] = (starts[from + 1] ?? 0) + count;
    }
  }
  for (let i = 1; i < size; i++) {
    ends[i] = (ends[i] ?? 0) + (ends[i - 1] ?? 0);
    starts[i] = (starts[i] ?? 0) + (starts[i - 1] ?? 0);
  }
  return { below: ends, notAbove: starts };
}

/** Smallest boundary in [1, bins + 1] where `at(i)` holds (monotone), or null. */
function firstBoundary(bins: number, at: (i: number) => boolean): number | null {
  let lo = 1;
  let hi = bins + 2;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (at(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo <= bins + 1 ? lo : null;
}

/** Value of boundary i: the lower edge of position i (edge i − 1 of the grid). */
const boundaryValue = (grid: Grid, i: number): number => gridEdge(grid, i - 1);

/** R's type 1 index (stats::quantile, with its fuzz): the smallest k with k ≥ n·p. */
export function type1Index(n: number, p: number): number {
  const fuzz = 4 * Number.EPSILON;
  const np = n * p;
  const j = Math.floor(np + fuzz);
  return Math.min(n, Math.max(1, np > j + fuzz ? j + 1 : j));
}

/** The order statistics a quantile's interval must hold: those of R's types 1 and 7. */
export function orderRange(n: number, p: number): [number, number] {
  const h = (n - 1) * p + 1;
  const k1 = type1Index(n, p);
  const a = Math.max(1, Math.min(k1, Math.floor(h - 1e-9 * h)));
  const b = Math.min(n, Math.max(k1, Math.ceil(h + 1e-9 * h)));
  return [a, b];
}

/** What bounds the values besides the grid: the pooled min and max, where released. */
export interface KnownRange {
  readonly min?: number;
  readonly max?: number;
}

/**
 * The quantiles `ps` of `n` pooled values from the sites' released cells on `grid`.
 * `estimate` interpolates the pooled cumulative count (cells' unknown splits taken at their
 * midpoint) at (n − 1)·p + ½ and is clamped to [lower, upper]. A side that may lie in an open
 * bin is null unless the pooled min or max closes it.
 */
export function pooledQuantiles(
  grid: Grid,
  sites: readonly (readonly Cell[])[],
  n: number,
  ps: readonly number[],
  known: KnownRange = {},
): QuantileEstimate[] {
  const { below, notAbove } = boundaryCounts(grid, sites);
  const at = (arr: Float64Array, i: number): number => arr[i] ?? 0;
  const mid = (i: number): number => (at(below, i) + at(notAbove, i)) / 2;
  return ps.map((p): QuantileEstimate => {
    const [a, b] = orderRange(n, p);
    // Largest i with U(i) < a is one before the first with U(i) ≥ a.
    const firstNotBelow = firstBoundary(grid.bins, (i) => at(notAbove, i) >= a);
    const lowerIdx = firstNotBelow === null ? grid.bins + 1 : firstNotBelow - 1;
    const upperIdx = firstBoundary(grid.bins, (i) => at(below, i) >= b);
    let lower = lowerIdx >= 1 ? boundaryValue(grid, lowerIdx) : null;
    let upper = upperIdx === null ? null : boundaryValue(grid, upperIdx);
    if (known.min !== undefined) lower = lower === null ? known.min : Math.max(lower, known.min);
    if (known.max !== undefined) upper = upper === null ? known.max : Math.min(upper, known.max);
    if (lower === null || upper === null) {
      const side =
        lower === null
          ? `open below (values under ${String(grid.lo)}, or the minimum withheld)`
          : `open above (values over ${String(grid.hi)}, or the maximum withheld)`;
      return {
        p,
        estimate: null,
        lower,
        upper,
        errorBound: null,
        reason: `may lie in a cell ${side}`,
      };
    }
    const t = (n - 1) * p + 0.5;
    const j = firstBoundary(grid.bins, (i) => mid(i) > t);
    let estimate = (lower + upper) / 2;
    if (j !== null && j > 1) {
      const c0 = mid(j - 1);
      const x0 = boundaryValue(grid, j - 1);
      const x1 = boundaryValue(grid, j);
      estimate = x0 + ((t - c0) / (mid(j) - c0)) * (x1 - x0);
    }
    estimate = Math.min(upper, Math.max(lower, estimate));
    return { p, estimate, lower, upper, errorBound: upper - lower };
  });
}
