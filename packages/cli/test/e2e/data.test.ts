import { describe, expect, it } from 'vitest';
import { pooledReference, relClose, seededRandom, siteCsv } from './data.js';

// The reference the end-to-end summary is held to must itself be right: checked here against
// values worked out by hand.
describe('pooledReference', () => {
  it('gives the textbook mean and sample SD over every CSV, skipping missing cells', () => {
    const a = 'age,sex\n1,F\n2,M\n,F\n';
    const b = 'age,sex\n3,NA\n4,F\nNA,M\n';
    const ref = pooledReference([a, b], ['age'], ['sex']);
    expect(ref.n).toBe(6);
    expect(ref.numeric['age']).toEqual({ count: 4, missing: 2, mean: 2.5, sd: Math.sqrt(5 / 3) });
    expect(ref.categorical['sex']).toEqual({ count: 5, missing: 1, levels: { F: 3, M: 2 } });
  });

  it('sums large and small values without losing them', () => {
    const csv = `x\n${[1e16, 1, 1, -1e16, 2].join('\n')}\n`;
    expect(pooledReference([csv], ['x'], []).numeric['x']?.mean).toBe(4 / 5);
  });
});

describe('siteCsv', () => {
  it('is the same for the same seed and differs between seeds', () => {
    expect(siteCsv({ rows: 20, seed: 1 })).toBe(siteCsv({ rows: 20, seed: 1 }));
    expect(siteCsv({ rows: 20, seed: 1 })).not.toBe(siteCsv({ rows: 20, seed: 2 }));
    expect(seededRandom(3)()).toBeLessThan(1);
  });
});

describe('relClose', () => {
  it('accepts a relative difference within the tolerance only', () => {
    expect(relClose(100 * (1 + 5e-13), 100, 1e-12)).toBe(true);
    expect(relClose(100 * (1 + 5e-12), 100, 1e-12)).toBe(false);
    expect(relClose('100', 100, 1e-12)).toBe(false);
  });
});
