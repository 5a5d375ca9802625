import { addVectors, meanStrategy, meanUpdate } from './fedavg.js';
import type { MeanStrategy, StrategyState } from './types.js';

/*
 * Adaptive server optimisers, Reddi et al. 2021, "Adaptive Federated Optimization", Algorithm 2.
 * With Δₜ the examples-weighted mean update (the paper's plain mean when every site has the same
 * count), per coordinate:
 *   mₜ = β₁ mₜ₋₁ + (1 − β₁) Δₜ
 *   vₜ = vₜ₋₁ + Δₜ²                                  (FedAdagrad)
 *   vₜ = vₜ₋₁ − (1 − β₂) Δₜ² sign(vₜ₋₁ − Δₜ²)        (FedYogi)
 *   vₜ = β₂ vₜ₋₁ + (1 − β₂) Δₜ²                      (FedAdam)
 *   xₜ₊₁ = xₜ + η mₜ / (√vₜ + τ)
 * with m₋₁ = 0 and v₋₁ = τ² (the paper asks v₋₁ ≥ τ²). No bias correction, as in the paper.
 */

/** Which second-moment rule. */
export type FedOptRule = 'adagrad' | 'yogi' | 'adam';

/** Server optimiser settings (the paper's names). */
export interface FedOptConfig {
  /** Server learning rate η. */
  readonly eta: number;
  /** First-moment decay β₁ in [0, 1). */
  readonly beta1: number;
  /** Second-moment decay β₂ in [0, 1) (unused by FedAdagrad). */
  readonly beta2: number;
  /** Adaptivity τ > 0: larger is closer to FedAvg with momentum. */
  readonly tau: number;
}

/** The second moment after one round for one coordinate. */
function nextV(rule: FedOptRule, v: number, d2: number, beta2: number): number {
  switch (rule) {
    case 'adagrad':
      return v + d2;
    case 'yogi':
      return v - (1 - beta2) * d2 * Math.sign(v - d2);
    case 'adam':
      return beta2 * v + (1 - beta2) * d2;
  }
}

function checkState(
  state: StrategyState,
  dimension: number,
  tau: number,
): NonNullable<StrategyState> {
  if (state === null)
    return {
      rounds: 0,
      m: new Array<number>(dimension).fill(0),
      v: new Array<number>(dimension).fill(tau * tau),
    };
  if (state.m.length !== dimension || state.v.length !== dimension)
    throw new Error(
      `server optimiser state has ${state.m.length}/${state.v.length} moments, the model ${dimension} parameters`,
    );
  if (!state.m.every(Number.isFinite) || !state.v.every((x) => Number.isFinite(x) && x >= 0))
    throw new Error('server optimiser state has a non-finite moment or a negative second moment');
  return state;
}

/**
 * FedAdagrad, FedYogi or FedAdam. The state carries mₜ and vₜ as plain number arrays.
 * @throws Error when a setting is out of range (here) or, in aggregation, when the state's
 *   length differs from the model's.
 */
export function fedOpt(rule: FedOptRule, config: FedOptConfig): MeanStrategy {
  const { eta, beta1, beta2, tau } = config;
  if (!(eta > 0 && Number.isFinite(eta)))
    throw new Error(`server learning rate eta ${eta} is not positive`);
  if (!(beta1 >= 0 && beta1 < 1)) throw new Error(`beta1 ${beta1} is not in [0, 1)`);
  if (!(beta2 >= 0 && beta2 < 1)) throw new Error(`beta2 ${beta2} is not in [0, 1)`);
  if (!(tau > 0 && Number.isFinite(tau))) throw new Error(`tau ${tau} is not positive`);
  return meanStrategy(`fed${rule}`, 0, (global, sum, state) => {
    const delta = meanUpdate(global, sum);
    const prev = checkState(state, global.length, tau);
    const m = prev.m.map((mj, j) => beta1 * mj + (1 - beta1) * (delta[j] ?? 0));
    const v = prev.v.map((vj, j) => nextV(rule, vj, (delta[j] ?? 0) ** 2, beta2));
    const step = new Float64Array(global.length).map(
      (_, j) => (eta * (m[j] ?? 0)) / (Math.sqrt(v[j] ?? 0) + tau),
    );
    return { global: addVectors(global, step), state: { rounds: prev.rounds + 1, m, v } };
  });
}
