import type { VectorReader, VectorWriter } from '../sum-form.js';

/** Count, mean and sum of squared deviations of some values, as the moment-based steps release. */
export interface GroupMoments {
  readonly count: number;
  readonly mean: number;
  readonly m2: number;
}

/**
 * Moments as the three sums that add up across sites: n, Σx and Σx². Precision: the hub forms
 * m2 = Σx² − (Σx)²/n, which loses about k significant digits when |mean|/sd ≈ 10^k (the plain
 * path pools with Chan et al.'s update instead); see summary.ts.
 */
export function writeMoments(w: VectorWriter, m: GroupMoments): void {
  w.push(m.count);
  w.push(m.mean * m.count);
  w.push(m.m2 + m.count * m.mean * m.mean);
}

/** The pooled moments from the three summed elements {@link writeMoments} wrote. */
export function readMoments(r: VectorReader): { count: number; mean: number; m2: number } {
  const count = r.count();
  const sum = r.next();
  const sumSq = r.next();
  const mean = count > 0 ? sum / count : 0;
  const m2 = count > 0 ? Math.max(0, sumSq - (sum * sum) / count) : 0;
  return { count, mean, m2 };
}

/** Elements {@link writeMoments} writes. */
export const MOMENTS_LENGTH = 3;
