import type { ClientUpdate, MeanStrategy, WeightedSum } from './types.js';
import { checkSum, checkUpdates } from './validate.js';

/**
 * Σ nᵢ·Δᵢ and Σ nᵢ over a round's updates: what a site contributes to secure aggregation is its
 * own term nᵢ·Δᵢ and nᵢ.
 * @throws Error as {@link checkUpdates}.
 */
export function weightedSum(global: Float64Array, updates: readonly ClientUpdate[]): WeightedSum {
  checkUpdates(global, updates);
  const weighted = new Float64Array(global.length);
  let examples = 0;
  for (const u of updates) {
    examples += u.examples;
    for (let j = 0; j < weighted.length; j++)
      weighted[j] = (weighted[j] ?? 0) + u.examples * (u.vector[j] ?? 0);
  }
  return { weighted, examples };
}

/**
 * The examples-weighted mean update Σ nᵢΔᵢ / Σ nᵢ (McMahan et al. 2017), the pseudo-gradient of
 * every mean strategy.
 * @throws Error as {@link checkSum}.
 */
export function meanUpdate(global: Float64Array, sum: WeightedSum): Float64Array {
  checkSum(global, sum);
  return sum.weighted.map((s) => s / sum.examples);
}

/** `global + delta`, element by element, in a new vector. */
export function addVectors(global: Float64Array, delta: Float64Array): Float64Array {
  return global.map((g, j) => g + (delta[j] ?? 0));
}

/**
 * A mean strategy from its step on the pseudo-gradient: `aggregate` pools the updates and
 * hands over to `aggregateSum`, so plain and secure rounds run the same arithmetic.
 */
export function meanStrategy(
  name: string,
  proximalMu: number,
  step: MeanStrategy['aggregateSum'],
): MeanStrategy {
  return {
    name,
    summable: true,
    client: { proximalMu },
    aggregateSum: step,
    aggregate: (global, updates, state) => step(global, weightedSum(global, updates), state),
  };
}

/**
 * FedAvg: global ← global + Σ nᵢΔᵢ / Σ nᵢ. With μ > 0 this is FedProx (Li et al. 2020), whose
 * server side is FedAvg and whose proximal term lives in the sites' loss (`client.proximalMu`).
 * Stateless: the returned state is always null.
 */
export function fedAvg(proximalMu = 0): MeanStrategy {
  return meanStrategy(proximalMu > 0 ? 'fedprox' : 'fedavg', proximalMu, (global, sum) => ({
    global: addVectors(global, meanUpdate(global, sum)),
    state: null,
  }));
}
