import { describe, expect, it } from 'vitest';
import { createRng } from '../../numerics/random.js';
import { checkGradient } from '../models/gradient-check.js';
import { createModel } from '../models/model.js';
import { localObjective, localObjectiveValue, proximalTerm } from './objective.js';
import type { ObjectiveOptions } from './objective.js';

describe('local objective with the FedProx term', () => {
  it('passes a gradient check (max relative error < 1e-6) with every term on', () => {
    const model = createModel({ type: 'mlp', inputs: 3, hidden: [5], classes: 3, dropout: 0.3 });
    const rng = createRng(11);
    const batch = { x: Float64Array.from({ length: 18 }, () => rng.normal()), rows: 6 };
    const labels = [0, 1, 2, 2, 1, 0];
    const anchor = model.init(11);
    const params = anchor.map((w) => w + 0.3 * rng.normal());
    const options: ObjectiveOptions = {
      classWeights: [1, 2, 0.5],
      l2: 0.05,
      dropoutMasks: model.sampleDropoutMasks(6, rng),
      proximal: { mu: 0.8, anchor },
    };
    const { gradient, objective, loss } = localObjective(model, params, batch, labels, options);
    expect(objective).toBeGreaterThan(loss);
    const check = checkGradient(
      (w) => localObjectiveValue(model, w, batch, labels, options),
      params,
      gradient,
    );
    expect(check.maxRelativeError).toBeLessThan(1e-6);
  });

  it('is μ/2·‖w − w_global‖² with gradient μ·(w − w_global)', () => {
    const g = new Float64Array(2);
    const value = proximalTerm(
      Float64Array.of(1, 3),
      { mu: 0.5, anchor: Float64Array.of(0, 1) },
      g,
    );
    expect(value).toBeCloseTo(0.25 * (1 + 4), 15);
    expect(Array.from(g)).toEqual([0.5, 1]);
  });

  it('rejects a negative μ and an anchor of another length', () => {
    const w = new Float64Array(2);
    expect(() => proximalTerm(w, { mu: -1, anchor: w }, null)).toThrow(/mu is -1/);
    expect(() => proximalTerm(w, { mu: 1, anchor: new Float64Array(3) }, null)).toThrow(/anchor/);
  });
});
