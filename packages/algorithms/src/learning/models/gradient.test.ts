import { describe, expect, it } from 'vitest';
import { createRng } from '../../numerics/random.js';
import { checkGradient } from './gradient-check.js';
import { createModel } from './model.js';
import type { LossOptions, Model } from './model.js';
import type { ModelSpec } from './spec.js';

// Issue 6 "Done when": gradient checks pass for every layer and loss. Tolerance: max relative
// error per component < 1e-6 in Float64 (denominator floored at 1e-4, see gradient-check.ts).
const TOLERANCE = 1e-6;
const ROWS = 7;

function makeCase(spec: ModelSpec, seed: number) {
  const model = createModel(spec);
  const rng = createRng(seed);
  const x = Float64Array.from({ length: ROWS * spec.inputs }, () => rng.normal());
  const classes = model.architecture.classes;
  // Every class present, so class weights act on every branch.
  const labels = Int32Array.from({ length: ROWS }, (_, r) => r % classes);
  // Not the initial vector alone: scaled so that ReLUs and tanhs are away from both ends.
  const params = model.init(seed).map((w) => w + 0.1 * rng.normal());
  return { model, batch: { x, rows: ROWS }, labels, params, rng };
}

function expectGradientMatches(
  model: Model,
  params: Float64Array,
  batch: { x: Float64Array; rows: number },
  labels: Int32Array,
  options: LossOptions = {},
): void {
  const { gradient } = model.lossAndGradient(params, batch, labels, options);
  const check = checkGradient((w) => model.loss(w, batch, labels, options), params, gradient);
  expect(check.maxRelativeError, `worst at parameter ${check.worstIndex}`).toBeLessThan(TOLERANCE);
}

describe('gradient checks (Float64, max relative error < 1e-6)', () => {
  it('dense + sigmoid + binary cross-entropy (logistic regression)', () => {
    const c = makeCase({ type: 'logistic', inputs: 4 }, 1);
    expectGradientMatches(c.model, c.params, c.batch, c.labels);
  });

  it('dense + softmax + cross-entropy (softmax regression, 3 classes)', () => {
    const c = makeCase({ type: 'softmax', inputs: 4, classes: 3 }, 2);
    expectGradientMatches(c.model, c.params, c.batch, c.labels);
  });

  it('dense + ReLU hidden layers', () => {
    const c = makeCase({ type: 'mlp', inputs: 3, hidden: [5, 4], classes: 3 }, 3);
    expectGradientMatches(c.model, c.params, c.batch, c.labels);
  });

  it('dense + tanh hidden layers with a sigmoid head', () => {
    const spec: ModelSpec = {
      type: 'mlp',
      inputs: 3,
      hidden: [5, 4],
      classes: 2,
      activation: 'tanh',
    };
    const c = makeCase(spec, 4);
    expect(c.model.architecture.head).toBe('sigmoid');
    expectGradientMatches(c.model, c.params, c.batch, c.labels);
  });

  it('dropout with a fixed mask (ReLU and tanh)', () => {
    for (const activation of ['relu', 'tanh'] as const) {
      const spec: ModelSpec = {
        type: 'mlp',
        inputs: 3,
        hidden: [6, 5],
        classes: 3,
        activation,
        dropout: 0.4,
      };
      const c = makeCase(spec, 5);
      const dropoutMasks = c.model.sampleDropoutMasks(ROWS, c.rng);
      expect(dropoutMasks.some((m) => m.includes(0))).toBe(true);
      expectGradientMatches(c.model, c.params, c.batch, c.labels, { dropoutMasks });
    }
  });

  it('class weights with both heads', () => {
    const binary = makeCase({ type: 'mlp', inputs: 3, hidden: [4], classes: 2 }, 6);
    expectGradientMatches(binary.model, binary.params, binary.batch, binary.labels, {
      classWeights: [0.3, 2.5],
    });
    const multi = makeCase({ type: 'softmax', inputs: 3, classes: 4 }, 7);
    expectGradientMatches(multi.model, multi.params, multi.batch, multi.labels, {
      classWeights: [1, 0.5, 3, 0],
    });
  });

  it('L2 penalty on the weights', () => {
    const c = makeCase({ type: 'mlp', inputs: 3, hidden: [4], classes: 3, activation: 'tanh' }, 8);
    expectGradientMatches(c.model, c.params, c.batch, c.labels, { l2: 0.7 });
  });

  it('everything at once, softmax head on two classes', () => {
    const spec: ModelSpec = {
      type: 'mlp',
      inputs: 4,
      hidden: [6, 5, 3],
      classes: 2,
      output: 'softmax',
      dropout: 0.2,
    };
    const c = makeCase(spec, 9);
    const dropoutMasks = c.model.sampleDropoutMasks(ROWS, c.rng);
    expectGradientMatches(c.model, c.params, c.batch, c.labels, {
      dropoutMasks,
      classWeights: [1.5, 0.5],
      l2: 0.1,
    });
  });

  it('the check itself catches a wrong gradient', () => {
    const c = makeCase({ type: 'logistic', inputs: 3 }, 10);
    const { gradient } = c.model.lossAndGradient(c.params, c.batch, c.labels);
    gradient[2] = (gradient[2] as number) * 1.001;
    const check = checkGradient((w) => c.model.loss(w, c.batch, c.labels), c.params, gradient);
    expect(check.worstIndex).toBe(2);
    expect(check.maxRelativeError).toBeGreaterThan(5e-4);
  });
});
