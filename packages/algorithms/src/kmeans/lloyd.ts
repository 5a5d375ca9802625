/*
 * Weighted k-means on points in memory: k-means++ seeding (Arthur & Vassilvitskii 2007) and Lloyd
 * iterations. A node runs it on its own rows (weights 1) to propose starting centroids; the hub runs
 * it on the proposals (weights = their sizes) to pick the job's k starting centroids.
 */
import type { Rng } from '../numerics/random.js';

/** Squared Euclidean distance. */
export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const d = (a[j] ?? 0) - (b[j] ?? 0);
    s += d * d;
  }
  return s;
}

/** Index of the centroid nearest to `x`; the lowest index wins a tie (as R's kmeans does). */
export function nearest(x: ArrayLike<number>, centroids: readonly (readonly number[])[]): number {
  let best = 0;
  let bestD = Infinity;
  centroids.forEach((c, i) => {
    const d = squaredDistance(x, c);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/** Draws an index with probability proportional to `weights` (all ≥ 0, sum > 0). */
function draw(weights: readonly number[], rng: Rng): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.uniform() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i] ?? 0;
    if (u < 0) return i;
  }
  // Rounding left u ≥ 0 after the last positive weight.
  return weights.findLastIndex((w) => w > 0);
}

/**
 * Weighted k-means++: the first centroid is drawn with probability ∝ weight, each next one with
 * probability ∝ weight × squared distance to the nearest centroid chosen so far.
 *
 * @returns k centroids, or null when the points hold fewer than k distinct positions.
 */
export function kmeansPlusPlus(
  points: readonly (readonly number[])[],
  weights: readonly number[],
  k: number,
  rng: Rng,
): number[][] | null {
  if (points.length === 0) return null;
  const chosen: number[][] = [[...(points[draw(weights, rng)] ?? [])]];
  const d2 = points.map((p) => squaredDistance(p, chosen[0] ?? []));
  while (chosen.length < k) {
    const w = d2.map((d, i) => d * (weights[i] ?? 0));
    if (!w.some((x) => x > 0)) return null;
    const c = [...(points[draw(w, rng)] ?? [])];
    chosen.push(c);
    points.forEach((p, i) => {
      d2[i] = Math.min(d2[i] ?? Infinity, squaredDistance(p, c));
    });
  }
  return chosen;
}

/** Centroids after weighted Lloyd iterations, with the weight assigned to each. */
export interface LloydFit {
  readonly centroids: number[][];
  readonly sizes: number[];
}

/**
 * Weighted Lloyd iterations from `init` until no point changes cluster or `maxIterations`; an
 * empty cluster keeps its centroid.
 */
export function weightedLloyd(
  points: readonly (readonly number[])[],
  weights: readonly number[],
  init: readonly (readonly number[])[],
  maxIterations: number,
): LloydFit {
  let centroids = init.map((c) => [...c]);
  const assigned = new Int32Array(points.length).fill(-1);
  let sizes = new Array<number>(init.length).fill(0);
  for (let iter = 0; iter < maxIterations; iter++) {
    let changed = false;
    for (let i = 0; i < points.length; i++) {
      const c = nearest(points[i] ?? [], centroids);
      if (assigned[i] !== c) changed = true;
      assigned[i] = c;
    }
    if (!changed) break;
    const sums = centroids.map((c) => new Array<number>(c.length).fill(0));
    sizes = new Array<number>(init.length).fill(0);
    points.forEach((p, i) => {
      const c = assigned[i] ?? 0;
      const w = weights[i] ?? 0;
      sizes[c] = (sizes[c] ?? 0) + w;
      const s = sums[c] ?? [];
      p.forEach((x, j) => (s[j] = (s[j] ?? 0) + w * x));
    });
    centroids = centroids.map((old, c) => {
      const size = sizes[c] ?? 0;
      return size > 0 ? (sums[c] ?? []).map((s) => s / size) : old;
    });
  }
  return { centroids, sizes };
}
