import { describe, expect, it } from 'vitest';
import { fedOpt, type FedOptRule } from './fedopt.js';
import type { ClientUpdate, StrategyState } from './types.js';

/*
 * Two rounds of Reddi et al. 2021, Algorithm 2, worked by hand with η = 1, β₁ = 0.5, β₂ = 0.75,
 * τ = 0.5 (so v₋₁ = τ² = 0.25, m₋₁ = 0), from x₀ = [0, 0].
 * Round 1: updates [8, -4]×1 and [0, 0]×3 → Δ₁ = [2, -1], Δ₁² = [4, 1]; m₁ = [1, -0.5].
 * Round 2: one update [0.5, -3]×2 → Δ₂² = [0.25, 9]; m₂ = 0.5 m₁ + 0.5 Δ₂ = [0.75, -1.75].
 * Second moments (per rule):
 *   adagrad: v₁ = 0.25 + [4, 1] = [4.25, 1.25];          v₂ = v₁ + [0.25, 9] = [4.5, 10.25]
 *   yogi:    v₁ = 0.25 + 0.25·[4, 1] = [1.25, 0.5]        (sign(0.25 − Δ²) = −1 both)
 *            v₂ = [1.25 − 0.25·0.25, 0.5 + 0.25·9] = [1.1875, 2.75]  (signs +1, −1)
 *   adam:    v₁ = 0.75·0.25 + 0.25·[4, 1] = [1.1875, 0.4375]
 *            v₂ = 0.75·v₁ + 0.25·[0.25, 9] = [0.953125, 2.578125]
 * and xₜ₊₁ = xₜ + η mₜ / (√vₜ + τ).
 */
const config = { eta: 1, beta1: 0.5, beta2: 0.75, tau: 0.5 };
const v = (...x: number[]): Float64Array => Float64Array.from(x);
const update = (examples: number, ...x: number[]): ClientUpdate => ({ vector: v(...x), examples });
const round1 = [update(1, 8, -4), update(3, 0, 0)];
const round2 = [update(2, 0.5, -3)];
const m1 = [1, -0.5];
const m2 = [0.75, -1.75];

const expected: Record<FedOptRule, { v1: number[]; v2: number[] }> = {
  adagrad: { v1: [4.25, 1.25], v2: [4.5, 10.25] },
  yogi: { v1: [1.25, 0.5], v2: [1.1875, 2.75] },
  adam: { v1: [1.1875, 0.4375], v2: [0.953125, 2.578125] },
};

const stepOf = (m: number[], vt: number[]): number[] =>
  m.map((mj, j) => (config.eta * mj) / (Math.sqrt(vt[j] ?? Number.NaN) + config.tau));

describe.each(Object.keys(expected) as FedOptRule[])('fed%s', (rule) => {
  const { v1, v2 } = expected[rule];

  it('follows the paper’s update equations for two rounds, state kept as JSON between them', () => {
    const s = fedOpt(rule, config);
    const r1 = s.aggregate(v(0, 0), round1, null);
    expect(r1.state).toEqual({ rounds: 1, m: m1, v: v1 });
    const x1 = stepOf(m1, v1);
    [...r1.global].forEach((x, j) => {
      expect(x).toBeCloseTo(x1[j] ?? Number.NaN, 14);
    });

    // The hub persists state as JSON; the next round starts from the parsed copy.
    const restored = JSON.parse(JSON.stringify(r1.state)) as StrategyState;
    const r2 = s.aggregate(r1.global, round2, restored);
    expect(r2.state?.rounds).toBe(2);
    r2.state?.m.forEach((x, j) => {
      expect(x).toBeCloseTo(m2[j] ?? Number.NaN, 14);
    });
    r2.state?.v.forEach((x, j) => {
      expect(x).toBeCloseTo(v2[j] ?? Number.NaN, 14);
    });
    const step2 = stepOf(m2, v2);
    [...r2.global].forEach((x, j) => {
      expect(x).toBeCloseTo((x1[j] ?? Number.NaN) + (step2[j] ?? Number.NaN), 14);
    });
  });

  it('gives the same round from pooled sums as from the updates', () => {
    const s = fedOpt(rule, config);
    const sum = { weighted: v(8, -4), examples: 4 };
    expect(s.aggregateSum(v(0, 0), sum, null)).toEqual(s.aggregate(v(0, 0), round1, null));
  });
});

describe('fedOpt', () => {
  it('refuses a state that does not fit the model', () => {
    const s = fedOpt('adam', config);
    const state = { rounds: 1, m: [0], v: [1] };
    expect(() => s.aggregate(v(0, 0), round1, state)).toThrow('1/1 moments, the model 2');
    const negative = { rounds: 1, m: [0, 0], v: [1, -1] };
    expect(() => s.aggregate(v(0, 0), round1, negative)).toThrow('negative second moment');
  });

  it('refuses settings out of range', () => {
    expect(() => fedOpt('yogi', { ...config, eta: 0 })).toThrow('eta 0');
    expect(() => fedOpt('yogi', { ...config, beta1: 1 })).toThrow('beta1 1');
    expect(() => fedOpt('yogi', { ...config, beta2: -0.1 })).toThrow('beta2 -0.1');
    expect(() => fedOpt('yogi', { ...config, tau: 0 })).toThrow('tau 0');
  });

  it('names itself after the rule, as the strategy config does', () => {
    expect(fedOpt('adagrad', config).name).toBe('fedadagrad');
  });
});
