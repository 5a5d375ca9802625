import { describe, expect, it } from 'vitest';
import { MAX_NUMBER_LEVELS, asCategorical, categoricalColumn, numberColumn } from './table-info.js';

describe('asCategorical', () => {
  it('keeps a categorical column as it is', () => {
    const col = categoricalColumn(['a', 'b', null]);
    expect(asCategorical(col)).toBe(col);
  });

  it('reads integer codes as categories in numeric order, missing as -1', () => {
    const cat = asCategorical(numberColumn([10, 2, null, 2, 1]));
    expect(cat?.levels).toEqual(['1', '2', '10']);
    expect([...(cat?.codes ?? [])]).toEqual([2, 1, -1, 1, 0]);
  });

  it('refuses measurements, too many distinct values and dates', () => {
    expect(asCategorical(numberColumn([1, 2.5]))).toBeNull();
    const many = Array.from({ length: MAX_NUMBER_LEVELS + 1 }, (_, i) => i);
    expect(asCategorical(numberColumn(many))).toBeNull();
    expect(asCategorical(numberColumn(many.slice(1)))?.levels).toHaveLength(MAX_NUMBER_LEVELS);
    expect(asCategorical({ kind: 'date', values: Float64Array.from([1, 2]) })).toBeNull();
  });
});
