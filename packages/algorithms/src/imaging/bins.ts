/*
 * Equal-width intensity bins as SeriesImages.histogram defines them (framework.ts): `bins` bins
 * over [min, max), a value below min in the first bin and one at or above max in the last. The
 * node's pixel reader and the hub's moments both use these, so they agree on every edge.
 */

/** Most bins an imaging histogram may have (each is one released cell per group). */
export const MAX_IMAGE_BINS = 1000;

/**
 * The bin of `x`: ⌊(x − min)·bins / (max − min)⌋ clamped to [0, bins − 1]. For integer values and
 * integer min, max the quotient is exact wherever it is a whole number, so a value on an edge
 * lands in the bin that starts there.
 */
export function binOf(x: number, min: number, max: number, bins: number): number {
  const b = Math.floor(((x - min) * bins) / (max - min));
  return b < 0 ? 0 : b >= bins ? bins - 1 : b;
}

/** Adds the bin of each of `values` into `into` (length `bins`). */
export function addToBins(
  values: ArrayLike<number>,
  min: number,
  max: number,
  into: Float64Array,
): void {
  const bins = into.length;
  const span = max - min;
  // The same expression as binOf (not a precomputed bins/span factor, whose rounding could move
  // a value on an edge into the bin below).
  for (let i = 0; i < values.length; i++) {
    const b = Math.floor((((values[i] ?? min) - min) * bins) / span);
    const k = b < 0 ? 0 : b >= bins ? bins - 1 : b;
    into[k] = (into[k] ?? 0) + 1;
  }
}

/** Mean and standard deviation of binned values, each value taken at its bin's centre. */
export interface BinnedMoments {
  /** The values counted (the released bins' total). */
  readonly n: number;
  readonly mean: number;
  /** Population standard deviation (divisor n): the pixels are the whole population measured. */
  readonly sd: number;
}

/**
 * Moments of a histogram over [min, max) whose null bins are left out, taking each value at its
 * bin's centre; null when no value is counted.
 *
 * Binning error, for values inside [min, max): moving each value to its bin's centre moves it by
 * at most w/2 (w = (max − min)/bins), so |mean − true mean| ≤ w/2, and, sd being 1-Lipschitz in
 * the largest shift, |sd − true sd| ≤ w/2 too (for smooth densities the grouped variance exceeds
 * the true one by about w²/12, Sheppard). Values outside [min, max) are counted in the edge bins
 * and their error is unbounded: choose [min, max) to hold the data.
 */
export function binnedMoments(
  counts: readonly (number | null)[],
  min: number,
  max: number,
): BinnedMoments | null {
  const w = (max - min) / counts.length;
  let n = 0;
  let sum = 0;
  counts.forEach((c, i) => {
    if (c === null) return;
    n += c;
    sum += c * (min + (i + 0.5) * w);
  });
  if (n === 0) return null;
  const mean = sum / n;
  let ss = 0;
  counts.forEach((c, i) => {
    if (c === null) return;
    const d = min + (i + 0.5) * w - mean;
    ss += c * d * d;
  });
  return { n, mean, sd: Math.sqrt(ss / n) };
}
