import { describe, expect, it } from 'vitest';
import { compareWithPooled, pooledSummary } from './pooled-check.js';

const rows = [
  { age: 40, sex: 'F', bmi: 20 },
  { age: 50, sex: 'M', bmi: null },
  { age: 60, sex: 'F', bmi: 30 },
];

describe('pooledSummary', () => {
  it('gives count, missing, mean and sample sd for numbers, level counts for categories', () => {
    // age: mean 50, sample variance ((-10)² + 0 + 10²) / 2 = 100 → sd 10 (by hand).
    expect(pooledSummary(rows, ['age', 'sex', 'bmi'])).toEqual({
      age: { count: 3, missing: 0, mean: 50, sd: 10 },
      sex: { count: 3, missing: 0, levels: { F: 2, M: 1 } },
      bmi: { count: 2, missing: 1, mean: 25, sd: Math.sqrt(50) },
    });
  });
});

describe('compareWithPooled', () => {
  const pooled = pooledSummary(rows, ['age', 'sex']);

  it('finds no mismatch and the relative difference of a matching result', () => {
    const result = {
      n: 3,
      variables: {
        age: { count: 3, missing: 0, mean: 50 * (1 + 1e-15), sd: 10 },
        sex: { count: 3, missing: 0, levels: { F: 2, M: 1 } },
      },
    };
    const c = compareWithPooled(result, pooled);
    expect(c.mismatches).toEqual([]);
    expect(c.maxRelativeDifference).toBeGreaterThan(0);
    expect(c.maxRelativeDifference).toBeLessThan(1e-14);
  });

  it('names differing counts, levels and absent variables', () => {
    const result = {
      variables: {
        age: { count: 2, missing: 1, mean: 50, sd: 10 },
        sex: { count: 3, missing: 0, levels: { F: 1, M: 2 } },
      },
    };
    expect(compareWithPooled(result, pooled).mismatches).toEqual([
      'age: count/missing',
      'sex=F',
      'sex=M',
    ]);
    expect(compareWithPooled({}, pooled).mismatches).toEqual([
      'age: count/missing',
      'sex: count/missing',
    ]);
  });
});
