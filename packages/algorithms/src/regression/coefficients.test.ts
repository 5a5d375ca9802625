import { describe, expect, it } from 'vitest';
import { coefficientTable } from './coefficients.js';

describe('coefficientTable', () => {
  it('gives SE √variance, statistic estimate / SE, the test p-value and estimate ± quantile·SE', () => {
    const table = coefficientTable(['a', 'b'], [2, -3], (j) => [4, 9][j] ?? Number.NaN, {
      quantile: 1.5,
      pValue: (s) => Math.abs(s) / 10,
    });
    expect(table).toEqual({
      a: { estimate: 2, standardError: 2, statistic: 1, pValue: 0.1, ci: [-1, 5] },
      b: { estimate: -3, standardError: 3, statistic: -1, pValue: 0.1, ci: [-7.5, 1.5] },
    });
  });
});
