import { describe, expect, it } from 'vitest';
import { checkBounds, clip, midpoint, sensitivity } from './sensitivity.js';

describe('sensitivity under add/remove-one neighbouring', () => {
  it('is 1 for a count and for histogram and contingency cells', () => {
    for (const kind of ['count', 'histogram', 'contingency'] as const)
      expect(sensitivity({ kind })).toEqual({ l1: 1, l2: 1 });
  });

  it('is k in L1 and √k in L2 for k counts one row may all change', () => {
    expect(sensitivity({ kind: 'counts', k: 4 })).toEqual({ l1: 4, l2: 2 });
    expect(() => sensitivity({ kind: 'counts', k: 0 })).toThrow(RangeError);
  });

  it('is the largest |bound| for a sum, added over variables (L1) or in quadrature (L2)', () => {
    expect(sensitivity({ kind: 'sum', bounds: [[0, 120]] })).toEqual({ l1: 120, l2: 120 });
    expect(sensitivity({ kind: 'sum', bounds: [[-50, 10]] })).toEqual({ l1: 50, l2: 50 });
    expect(
      sensitivity({
        kind: 'sum',
        bounds: [
          [0, 3],
          [-4, 0],
        ],
      }),
    ).toEqual({ l1: 7, l2: 5 });
  });

  it('is half the width for a centred sum (a mean’s numerator); the count adds 1', () => {
    expect(sensitivity({ kind: 'centred-sum', bounds: [[0, 120]] })).toEqual({ l1: 60, l2: 60 });
    expect(midpoint([0, 120])).toBe(60);
    expect(midpoint([-3, 1])).toBe(-1);
  });

  it('clips values to the declared bounds and keeps missing values missing', () => {
    expect(clip(130, [0, 120])).toBe(120);
    expect(clip(-1, [0, 120])).toBe(0);
    expect(clip(42.5, [0, 120])).toBe(42.5);
    expect(clip(Number.NaN, [0, 120])).toBeNaN();
  });

  it('refuses bounds that are empty, reversed or infinite', () => {
    expect(() => checkBounds([1, 1])).toThrow(/lo < hi/);
    expect(() => checkBounds([2, 1])).toThrow(RangeError);
    expect(() => clip(1, [0, Number.POSITIVE_INFINITY])).toThrow(RangeError);
    expect(() => sensitivity({ kind: 'sum', bounds: [] })).toThrow(/at least one/);
  });
});
