import type { ClientUpdate, WeightedSum } from './types.js';

/**
 * Checks a round's updates against the global vector.
 * @throws Error naming the offending update (by position) when there is none, a length differs,
 *   a value is not finite or an example count is not a positive integer.
 */
export function checkUpdates(global: Float64Array, updates: readonly ClientUpdate[]): void {
  checkVector(global, 'global vector');
  if (updates.length === 0) throw new Error('no update to aggregate');
  updates.forEach((u, i) => {
    if (u.vector.length !== global.length)
      throw new Error(
        `update ${i} has ${u.vector.length} parameters, the global vector ${global.length}`,
      );
    if (!Number.isSafeInteger(u.examples) || u.examples <= 0)
      throw new Error(`update ${i} has examples ${u.examples}, not a positive integer`);
    checkVector(u.vector, `update ${i}`);
  });
}

/**
 * Checks a pooled weighted sum against the global vector.
 * @throws Error when the length differs, a value is not finite or `examples` is not positive.
 */
export function checkSum(global: Float64Array, sum: WeightedSum): void {
  checkVector(global, 'global vector');
  if (sum.weighted.length !== global.length)
    throw new Error(
      `weighted sum has ${sum.weighted.length} parameters, the global vector ${global.length}`,
    );
  if (!Number.isFinite(sum.examples) || sum.examples <= 0)
    throw new Error(`weighted sum has examples ${sum.examples}, not positive`);
  checkVector(sum.weighted, 'weighted sum');
}

function checkVector(v: Float64Array, what: string): void {
  for (let j = 0; j < v.length; j++) {
    if (!Number.isFinite(v[j])) throw new Error(`${what} has a non-finite value at ${j}`);
  }
}
