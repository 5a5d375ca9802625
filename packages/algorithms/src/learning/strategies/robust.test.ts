import { describe, expect, it } from 'vitest';
import { fedAvg } from './fedavg.js';
import { fedMedian, fedTrimmedMean } from './robust.js';
import type { ClientUpdate } from './types.js';

const v = (...x: number[]): Float64Array => Float64Array.from(x);
const update = (examples: number, ...x: number[]): ClientUpdate => ({ vector: v(...x), examples });

// Four honest sites near [1, -1] and one poisoned site claiming many examples.
const honest = [
  update(10, 0.9, -1.1),
  update(10, 1.1, -0.9),
  update(10, 1, -1),
  update(10, 1.2, -0.8),
];
const poisoned = update(1000, 1e6, -1e6);

describe('fedMedian', () => {
  it('takes the coordinate-wise median, computed by hand (odd and even counts)', () => {
    const zero = v(0, 0);
    const odd = [update(1, 1, 5), update(1, 3, 1), update(1, 2, 100)];
    expect([...fedMedian().aggregate(zero, odd, null).global]).toEqual([2, 5]);
    const even = [update(1, 1, 4), update(1, 3, 2)];
    expect([...fedMedian().aggregate(v(10, 10), even, null).global]).toEqual([12, 13]);
  });

  it('stays among the honest updates when one update is poisoned', () => {
    const out = fedMedian().aggregate(v(0, 0), [...honest, poisoned], null).global;
    // Columns sorted: [0.9, 1, 1.1, 1.2, 1e6] and [-1e6, -1.1, -1, -0.9, -0.8].
    expect(out[0]).toBeCloseTo(1.1, 12);
    expect(out[1]).toBeCloseTo(-1, 12);
    // The same round under FedAvg is dragged to the poison, so the test can tell them apart.
    expect(fedAvg().aggregate(v(0, 0), [...honest, poisoned], null).global[0]).toBeGreaterThan(9e5);
  });
});

describe('fedTrimmedMean', () => {
  it('drops the floor(beta n) extremes per coordinate, computed by hand', () => {
    // n = 5, beta = 0.2: k = 1. Column 1: [1, 2, 3, 4, 100] -> (2 + 3 + 4) / 3 = 3.
    // Column 2: [-7, 0, 0, 6, 9] -> (0 + 0 + 6) / 3 = 2.
    const updates = [
      update(1, 1, 9),
      update(1, 100, 0),
      update(1, 3, -7),
      update(1, 2, 6),
      update(1, 4, 0),
    ];
    expect([...fedTrimmedMean(0.2).aggregate(v(0, 1), updates, null).global]).toEqual([3, 3]);
  });

  it('is the unweighted mean at beta 0', () => {
    const out = fedTrimmedMean(0).aggregate(v(0), [update(1, 1), update(9, 3)], null);
    expect([...out.global]).toEqual([2]);
  });

  it('stays among the honest updates when one update is poisoned', () => {
    const out = fedTrimmedMean(0.2).aggregate(v(0, 0), [...honest, poisoned], null).global;
    // k = 1: drop 0.9 and 1e6 in column 1, -1e6 and -0.8 in column 2.
    expect(out[0]).toBeCloseTo((1 + 1.1 + 1.2) / 3, 12);
    expect(out[1]).toBeCloseTo((-1.1 - 1 - 0.9) / 3, 12);
  });

  it('refuses beta outside [0, 0.5)', () => {
    expect(() => fedTrimmedMean(0.5)).toThrow('beta 0.5 is not in [0, 0.5)');
    expect(() => fedTrimmedMean(-0.1)).toThrow('beta -0.1');
  });

  it('is not summable: it needs every update', () => {
    expect(fedTrimmedMean(0.1).summable).toBe(false);
    expect(fedMedian().summable).toBe(false);
  });
});
