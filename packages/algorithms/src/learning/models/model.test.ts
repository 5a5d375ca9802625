import { describe, expect, it } from 'vitest';
import { createRng } from '../../numerics/random.js';
import { createModel } from './model.js';
import { architecture } from './spec.js';

describe('parameter layout', () => {
  it('lays out each dense layer as input-major weights, then biases', () => {
    const arch = architecture({ type: 'mlp', inputs: 3, hidden: [4], classes: 2 });
    expect(arch.layers).toEqual([
      { inputs: 3, outputs: 4, weightOffset: 0, biasOffset: 12 },
      { inputs: 4, outputs: 1, weightOffset: 16, biasOffset: 20 },
    ]);
    expect(arch.parameterCount).toBe(21);
  });

  it('counts about 92k parameters for 100 → 256 → 256 → 2 (softmax head)', () => {
    const spec = {
      type: 'mlp',
      inputs: 100,
      hidden: [256, 256],
      classes: 2,
      output: 'softmax',
    } as const;
    expect(createModel(spec).parameterCount).toBe(100 * 256 + 256 + 256 * 256 + 256 + 514);
  });

  it('logistic regression computes σ(b + Σ xᵢ·wᵢ) from weights then bias', () => {
    const model = createModel({ type: 'logistic', inputs: 2 });
    const params = Float64Array.of(0.5, -1, 0.25);
    const p = model.predictProba(params, { x: Float64Array.of(2, 3, 0, 0), rows: 2 });
    const eta = 0.25 + 2 * 0.5 - 3;
    expect(p[1]).toBeCloseTo(1 / (1 + Math.exp(-eta)), 14);
    expect(p[0]).toBeCloseTo(1 - 1 / (1 + Math.exp(-eta)), 14);
    expect(p[3]).toBeCloseTo(1 / (1 + Math.exp(-0.25)), 14);
  });

  it('softmax weight (i, j) joins input i to class j', () => {
    const model = createModel({ type: 'softmax', inputs: 2, classes: 3 });
    const params = new Float64Array(model.parameterCount);
    params[1 * 3 + 2] = 1; // input 1 → class 2
    const logits = model.forward(params, { x: Float32Array.of(5, 7), rows: 1 });
    expect(Array.from(logits)).toEqual([0, 0, 7]);
  });
});

describe('models', () => {
  it('initialises deterministically by seed, with zero biases and He-scaled ReLU weights', () => {
    const model = createModel({ type: 'mlp', inputs: 200, hidden: [300], classes: 2 });
    const a = model.init(42);
    expect(model.init(42)).toEqual(a);
    expect(model.init(43)).not.toEqual(a);
    const [hidden] = model.architecture.layers;
    const w = a.subarray(0, 200 * 300);
    const sd = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(sd).toBeCloseTo(Math.sqrt(2 / 200), 3);
    expect(
      a.subarray(hidden?.biasOffset, (hidden?.biasOffset ?? 0) + 300).every((b) => b === 0),
    ).toBe(true);
  });

  it('gives probabilities that sum to one and a loss equal to the mean −log p(y)', () => {
    const model = createModel({
      type: 'mlp',
      inputs: 3,
      hidden: [5],
      classes: 4,
      activation: 'tanh',
    });
    const rng = createRng(1);
    const batch = { x: Float64Array.from({ length: 18 }, () => rng.normal()), rows: 6 };
    const labels = [0, 1, 2, 3, 1, 2];
    const params = model.init(3);
    const p = model.predictProba(params, batch);
    let expected = 0;
    for (let r = 0; r < 6; r++) {
      const row = p.subarray(r * 4, r * 4 + 4);
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
      expected -= Math.log(row[labels[r] ?? 0] ?? 0) / 6;
    }
    expect(model.loss(params, batch, labels)).toBeCloseTo(expected, 12);
    expect(model.loss(params, batch, labels, { classWeights: [2, 2, 2, 2] })).toBeCloseTo(
      2 * expected,
      12,
    );
  });

  it('applies dropout only when masks are given (training time)', () => {
    const model = createModel({ type: 'mlp', inputs: 2, hidden: [8], classes: 2, dropout: 0.5 });
    const params = model.init(1);
    const batch = { x: Float64Array.of(1, -1, 0.5, 2), rows: 2 };
    const masks = model.sampleDropoutMasks(2, createRng(9));
    expect(masks[0]?.every((m) => m === 0 || m === 2)).toBe(true);
    expect(model.forward(params, batch)).toEqual(model.forward(params, batch));
    expect(model.forward(params, batch, masks)).not.toEqual(model.forward(params, batch));
  });

  it('stays finite for extreme logits', () => {
    const model = createModel({ type: 'logistic', inputs: 1 });
    const params = Float64Array.of(1000, 0);
    const batch = { x: Float64Array.of(1, -1), rows: 2 };
    expect(model.loss(params, batch, [0, 1])).toBeCloseTo(1000, 10);
    expect(Array.from(model.gradient(params, batch, [0, 1]))).toEqual([1, 0]);
  });
});

describe('refusals', () => {
  const model = createModel({ type: 'softmax', inputs: 2, classes: 3 });
  const params = new Float64Array(model.parameterCount);
  const batch = { x: new Float64Array(4), rows: 2 };

  it('rejects invalid specifications, naming the field', () => {
    expect(() => createModel({ type: 'mlp', inputs: 2, hidden: [0], classes: 2 })).toThrow(
      /hidden\[0\]/,
    );
    expect(() => createModel({ type: 'softmax', inputs: 2, classes: 1 })).toThrow(/classes/);
    expect(() =>
      createModel({ type: 'mlp', inputs: 2, hidden: [], classes: 2, dropout: 1 }),
    ).toThrow(/dropout/);
    expect(() =>
      createModel({ type: 'mlp', inputs: 2, hidden: [], classes: 3, output: 'sigmoid' }),
    ).toThrow(/sigmoid needs 2 classes/);
  });

  it('rejects wrong shapes, labels, class weights and λ', () => {
    expect(() => model.forward(new Float64Array(3), batch)).toThrow(/parameter vector has 3/);
    expect(() => model.forward(params, { x: new Float64Array(5), rows: 2 })).toThrow(
      /holds 5 values/,
    );
    expect(() => model.loss(params, batch, [0, 3])).toThrow(/label of row 1 is 3/);
    expect(() => model.loss(params, batch, [0, 1], { classWeights: [1, 1] })).toThrow(/2 entries/);
    expect(() => model.loss(params, batch, [0, 1], { classWeights: [1, -1, 1] })).toThrow(
      /classWeights\[1\]/,
    );
    expect(() => model.loss(params, batch, [0, 1], { l2: -1 })).toThrow(/l2 is -1/);
    expect(() =>
      model.loss(params, batch, [0, 1], { dropoutMasks: [new Float64Array(2)] }),
    ).toThrow(/without dropout/);
  });
});
