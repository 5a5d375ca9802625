/*
 * Server strategies for federated learning (issue 6). A model is one flat Float64Array of
 * parameters; every site trains from the same global vector and returns its UPDATE, the
 * difference `local − global` (Reddi et al. 2021 write it Δᵢ = xᵢ − x), with the number of
 * examples it trained on. Differences rather than new vectors because update clipping
 * (DP-FedAvg) and the server optimisers work on differences, and a sum of differences is what
 * secure aggregation carries. Strategies are pure: state between rounds is plain JSON.
 */

/** One site's contribution to a round. */
export interface ClientUpdate {
  /** The site's trained vector minus the global vector it started from. */
  readonly vector: Float64Array;
  /** Examples the site trained on this round (the FedAvg weight); a positive integer. */
  readonly examples: number;
}

/**
 * State a strategy keeps between rounds, JSON-serialisable so the hub can persist it with the
 * job. `null` before the first round and for stateless strategies.
 */
export type StrategyState = {
  /** Rounds aggregated so far. */
  readonly rounds: number;
  /** First moment mₜ (Reddi et al. Alg. 2), one entry per parameter. */
  readonly m: readonly number[];
  /** Second moment vₜ, one entry per parameter. */
  readonly v: readonly number[];
} | null;

/** A new global vector and the state to keep for the next round. */
export interface Aggregated {
  readonly global: Float64Array;
  readonly state: StrategyState;
}

/**
 * A pooled FedAvg numerator and denominator: Σ nᵢ·Δᵢ and Σ nᵢ. Both are plain sums, so secure
 * aggregation can deliver them without any single update being seen.
 */
export interface WeightedSum {
  readonly weighted: Float64Array;
  readonly examples: number;
}

/** Settings every site needs for its local training under this strategy. */
export interface ClientSettings {
  /** FedProx proximal weight μ: the site adds (μ/2)‖w − w_global‖² to its loss. 0 = none. */
  readonly proximalMu: number;
}

interface StrategyBase {
  readonly name: string;
  readonly client: ClientSettings;
  /**
   * The next global vector from the round's updates.
   * @throws Error when there is no update, a dimension differs from `global`, a value is not
   *   finite, an example count is not a positive integer, or the state does not fit.
   */
  aggregate(
    global: Float64Array,
    updates: readonly ClientUpdate[],
    state: StrategyState,
  ): Aggregated;
}

/** A strategy that needs only the examples-weighted sum of updates (secure aggregation works). */
export interface MeanStrategy extends StrategyBase {
  readonly summable: true;
  /**
   * The next global vector from pooled sums, identical to `aggregate` over the same updates.
   * @throws Error when `examples` is not positive, dimensions differ or a value is not finite.
   */
  aggregateSum(global: Float64Array, sum: WeightedSum, state: StrategyState): Aggregated;
}

/** A strategy that must see every update (median, trimmed mean): no secure aggregation. */
export interface RobustStrategy extends StrategyBase {
  readonly summable: false;
}

/** Any server strategy. */
export type Strategy = MeanStrategy | RobustStrategy;
