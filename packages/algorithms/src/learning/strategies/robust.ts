import type { ClientUpdate, RobustStrategy } from './types.js';
import { checkUpdates } from './validate.js';
import { addVectors } from './fedavg.js';

/*
 * Robust aggregation (Yin et al. 2018, "Byzantine-robust distributed learning"): coordinate by
 * coordinate, the median of the updates, or their mean after dropping the ⌊β·n⌋ smallest and
 * largest. Both ignore example counts on purpose: a weight a site states itself would let one
 * poisoned site outweigh the rest. Both are translation-equivariant, so working on updates
 * gives the same model as working on the sites' new vectors.
 */

function coordinate(updates: readonly ClientUpdate[], j: number, out: Float64Array): void {
  updates.forEach((u, i) => (out[i] = u.vector[j] ?? 0));
  out.sort();
}

/** Median of a sorted array (mean of the two middle values when the length is even). */
function sortedMedian(x: Float64Array): number {
  const h = x.length >> 1;
  return x.length % 2 === 1 ? (x[h] ?? 0) : ((x[h - 1] ?? 0) + (x[h] ?? 0)) / 2;
}

/** FedMedian: global ← global + coordinate-wise median of the updates. Stateless. */
export function fedMedian(): RobustStrategy {
  return {
    name: 'fedmedian',
    summable: false,
    client: { proximalMu: 0 },
    aggregate(global, updates) {
      checkUpdates(global, updates);
      const column = new Float64Array(updates.length);
      const delta = new Float64Array(global.length);
      for (let j = 0; j < delta.length; j++) {
        coordinate(updates, j, column);
        delta[j] = sortedMedian(column);
      }
      return { global: addVectors(global, delta), state: null };
    },
  };
}

/**
 * Trimmed mean: per coordinate, drop the k = ⌊β·n⌋ smallest and k largest of the n updates and
 * average the rest. β = 0 is the unweighted mean. Stateless.
 * @throws Error when β is not in [0, 0.5).
 */
export function fedTrimmedMean(beta: number): RobustStrategy {
  if (!(beta >= 0 && beta < 0.5)) throw new Error(`trimmed mean beta ${beta} is not in [0, 0.5)`);
  return {
    name: 'fedtrimmedavg',
    summable: false,
    client: { proximalMu: 0 },
    aggregate(global, updates) {
      checkUpdates(global, updates);
      const n = updates.length;
      const k = Math.floor(beta * n);
      const column = new Float64Array(n);
      const delta = new Float64Array(global.length);
      for (let j = 0; j < delta.length; j++) {
        coordinate(updates, j, column);
        let s = 0;
        for (let i = k; i < n - k; i++) s += column[i] ?? 0;
        delta[j] = s / (n - 2 * k);
      }
      return { global: addVectors(global, delta), state: null };
    },
  };
}
