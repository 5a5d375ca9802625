import { describe, expect, it } from 'vitest';
import { standardize } from './standardize.js';

describe('standardize', () => {
  it('scales each feature by the given mean and sd, and only centres a constant one', () => {
    const x = Float32Array.of(1, 10, 5, 3, 10, 5);
    const z = standardize(x, 2, [2, 10, 4], [0.5, 0, 2]);
    expect(Array.from(z)).toEqual([-2, 0, 0.5, 2, 0, 0.5]);
  });

  it('rejects mismatched lengths, negative SDs and missing values, saying where', () => {
    expect(() => standardize(new Float64Array(4), 2, [0, 0], [1])).toThrow(/2 means and 1 SDs/);
    expect(() => standardize(new Float64Array(3), 2, [0, 0], [1, 1])).toThrow(/3 values/);
    expect(() => standardize(new Float64Array(2), 1, [0, 0], [1, -1])).toThrow(/feature 1/);
    expect(() => standardize(Float64Array.of(0, 0, NaN, 0), 2, [0, 0], [1, 1])).toThrow(
      /row 1, feature 0/,
    );
  });
});
