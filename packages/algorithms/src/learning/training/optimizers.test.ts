import { describe, expect, it } from 'vitest';
import { createOptimizer } from './optimizers.js';

describe('optimizers', () => {
  it('plain SGD steps w − η·g', () => {
    const w = Float64Array.of(1, -2);
    createOptimizer({ name: 'sgd', learningRate: 0.5 }, 2).step(w, Float64Array.of(2, 4));
    expect(Array.from(w)).toEqual([0, -4]);
  });

  it('SGD with momentum accumulates v ← μ·v + g', () => {
    const w = Float64Array.of(0);
    const opt = createOptimizer({ name: 'sgd', learningRate: 0.1, momentum: 0.9 }, 1);
    opt.step(w, Float64Array.of(1)); // v = 1, w = −0.1
    opt.step(w, Float64Array.of(1)); // v = 1.9, w = −0.29
    expect(w[0]).toBeCloseTo(-0.29, 15);
  });

  it('Adam follows Kingma & Ba Algorithm 1 (two steps by hand)', () => {
    const w = Float64Array.of(1);
    const opt = createOptimizer({ name: 'adam', learningRate: 0.01 }, 1);
    opt.step(w, Float64Array.of(0.5));
    // Step 1: m̂ = g, v̂ = g², so the step is α·g/(|g| + ε).
    expect(w[0]).toBeCloseTo(1 - (0.01 * 0.5) / (0.5 + 1e-8), 15);
    opt.step(w, Float64Array.of(-1));
    const m = (0.9 * 0.1 * 0.5 + 0.1 * -1) / (1 - 0.81);
    const v = (0.999 * 0.001 * 0.25 + 0.001 * 1) / (1 - 0.999 ** 2);
    expect(w[0]).toBeCloseTo(
      1 - (0.01 * 0.5) / (0.5 + 1e-8) - (0.01 * m) / (Math.sqrt(v) + 1e-8),
      15,
    );
  });

  it('rejects out-of-range hyper-parameters, naming them', () => {
    expect(() => createOptimizer({ name: 'sgd', learningRate: 0 }, 1)).toThrow(/learningRate is 0/);
    expect(() => createOptimizer({ name: 'sgd', learningRate: 1, momentum: 1 }, 1)).toThrow(
      /momentum/,
    );
    expect(() => createOptimizer({ name: 'adam', learningRate: 1, beta2: -0.1 }, 1)).toThrow(
      /beta2/,
    );
    expect(() => createOptimizer({ name: 'adam', learningRate: 1, epsilon: 0 }, 1)).toThrow(
      /epsilon/,
    );
  });
});
