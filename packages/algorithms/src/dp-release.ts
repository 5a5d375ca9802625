import type { Moments } from './numerics/moments.js';
import {
  composeReports,
  privatizeCounts,
  privatizeSums,
  splitBudget,
  type DpParams,
} from './privacy/privatize.js';
import type { RandomBytes } from './privacy/random-source.js';
import type { DpRelease, DpSpec, PrivacyReport } from './privacy/schemas.js';
import { clip, midpoint, type Bounds } from './privacy/sensitivity.js';

/*
 * The node side of a noisy release (issue 5 point 3): an algorithm's disclose step, after its
 * suppression, asks a Noiser for noisy versions of what it releases. The job's ε and δ are split
 * evenly over the output's releases (basic composition); the report goes under the output's
 * `privacy` key, where the node spends it before the output leaves.
 */

/** Adds noise to one output's statistics and keeps the account of what they spent. */
export interface Noiser {
  /**
   * One noisy release of cells that partition the rows (each row in exactly one cell, Δ = 1),
   * rounded to whole rows and clamped at 0 (a count below 0 says nothing a 0 does not, and the
   * hub divides by counts and takes logs of ratios of them). One share of the budget.
   */
  cells(statistic: string, counts: readonly number[]): number[];
  /**
   * Noisy moments of values clipped to `bounds` in disjoint groups (each row in at most one),
   * from the groups' exact moments and their already noisy counts: a noisy centred sum and a
   * noisy centred sum of squares per group, two shares of the budget. A row moves one group's
   * sums only, so every group is noised at the full share (parallel composition) and each sum
   * is recorded once. The mean is clamped to the bounds and m2 to [0, n·(width/2)²].
   */
  moments(
    statistic: string,
    exact: readonly Moments[],
    noisyCounts: readonly number[],
    bounds: Bounds,
  ): Moments[];
  /**
   * The privacy report of the output.
   * @throws RangeError when the releases made are not the number the budget was split over.
   */
  report(): PrivacyReport;
}

/**
 * A Noiser that splits the job's `dp` evenly over `releases` releases (a `cells` call is one, a
 * `moments` call two), drawing noise from `source`.
 * @throws RangeError unless releases is a positive integer.
 */
export function makeNoiser(dp: DpSpec, releases: number, source: RandomBytes): Noiser {
  const share: DpParams = splitBudget(dp, releases);
  const made: DpRelease[] = [];
  const sumOf = (x: number, b: Bounds, centred: boolean) =>
    privatizeSums([x], [b], share, source, { centred });
  return {
    cells(statistic, counts) {
      const r = privatizeCounts(counts, share, source, { statistic: 'histogram' });
      made.push({ ...r.release, statistic });
      return r.values.map((v) => Math.max(0, v));
    },
    moments(statistic, exact, noisyCounts, bounds) {
      const mid = midpoint(bounds);
      const half = (bounds[1] - bounds[0]) / 2;
      const sums = exact.map((m) => sumOf(m.count * (m.mean - mid), bounds, true));
      const squares = exact.map((m) =>
        sumOf(m.m2 + m.count * (m.mean - mid) ** 2, [0, half * half], false),
      );
      // With no group the release is still made (and spent), so the report is the same shape.
      made.push({ ...(sums[0] ?? sumOf(0, bounds, true)).release, statistic: `${statistic}.sum` });
      const sq = squares[0] ?? sumOf(0, [0, half * half], false);
      made.push({ ...sq.release, statistic: `${statistic}.sumOfSquares` });
      return exact.map((_, i) => {
        const n = noisyCounts[i] ?? 0;
        if (n <= 0) return { count: 0, mean: mid, m2: 0 };
        const mean = clip(mid + (sums[i]?.values[0] ?? 0) / n, bounds);
        const q = squares[i]?.values[0] ?? 0;
        const m2 = Math.min(Math.max(0, q - n * (mean - mid) ** 2), n * half * half);
        return { count: n, mean, m2 };
      });
    },
    report() {
      if (made.length !== releases)
        throw new RangeError(`the budget was split over ${releases} releases, ${made.length} made`);
      return composeReports(made);
    },
  };
}

/** Values clipped to bounds (NaN, a missing value, stays NaN). */
export function clipAll(values: ArrayLike<number>, bounds: Bounds): Float64Array {
  return Float64Array.from(values, (x) => clip(x, bounds));
}
