/*
 * First and second moments that pool exactly across sites. Each site sends (count, mean, m2) where
 * m2 is the sum of squared deviations from its own mean; the hub combines them with the pairwise
 * formula of Chan, Golub & LeVeque (1979), which is exact in exact arithmetic and numerically
 * stable, unlike pooling raw sums of squares.
 */

/** Count, mean and sum of squared deviations from the mean of some values. */
export interface Moments {
  readonly count: number;
  readonly mean: number;
  readonly m2: number;
}

/**
 * Neumaier's compensated sum of the non-NaN entries of `values` (improved Kahan summation), so a
 * site's sums do not lose digits with many rows.
 */
export function compensatedSum(values: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] ?? Number.NaN;
    if (Number.isNaN(x)) continue;
    const t = sum + x;
    c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + c;
}

/**
 * Moments of the non-NaN entries of `values`, by two passes: the mean, then the squared deviations
 * with the corrected two-pass formula m2 = Σd² − (Σd)²/n (Chan, Golub & LeVeque 1983), whose
 * second term removes the rounding error left in the mean. Empty input gives count 0, mean 0, m2 0.
 */
export function moments(values: ArrayLike<number>): Moments {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i] ?? Number.NaN)) count++;
  if (count === 0) return { count: 0, mean: 0, m2: 0 };
  const mean = compensatedSum(values) / count;
  const dev = new Float64Array(count);
  const sq = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] ?? Number.NaN;
    if (Number.isNaN(x)) continue;
    dev[k] = x - mean;
    sq[k] = (x - mean) * (x - mean);
    k++;
  }
  const sd = compensatedSum(dev);
  return {
    count,
    mean: mean + sd / count,
    m2: Math.max(0, compensatedSum(sq) - (sd * sd) / count),
  };
}

/** Pools two sets of moments (Chan et al.'s parallel formula). */
export function poolMoments(a: Moments, b: Moments): Moments {
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  return {
    count,
    mean: a.mean + (delta * b.count) / count,
    m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
  };
}

/** Sample variance (n − 1 denominator), or null with fewer than two values. */
export function sampleVariance(m: Moments): number | null {
  return m.count < 2 ? null : m.m2 / (m.count - 1);
}

/** Count, means and co-moment matrix Σ(x_i − m_i)(x_j − m_j) of some complete cases. */
export interface Comoments {
  count: number;
  means: number[];
  comoments: number[][];
}

/**
 * Pools two sets of co-moments exactly: C = C_a + C_b + δδᵀ·n_a·n_b / n (Chan et al.'s pairwise
 * formula), so pooling per-site co-moments equals computing them over the concatenated rows.
 */
export function poolComoments(a: Comoments, b: Comoments): Comoments {
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  const n = a.count + b.count;
  const delta = b.means.map((m, i) => m - (a.means[i] ?? 0));
  const w = (a.count * b.count) / n;
  return {
    count: n,
    means: a.means.map((m, i) => m + ((delta[i] ?? 0) * b.count) / n),
    comoments: a.comoments.map((row, i) =>
      row.map((c, j) => c + (b.comoments[i]?.[j] ?? 0) + (delta[i] ?? 0) * (delta[j] ?? 0) * w),
    ),
  };
}
