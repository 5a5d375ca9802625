import type { Table } from '@tessera/algorithms';
import { describe, expect, it } from 'vitest';
import { denseLevelVariable, rowsPerDataset } from './worker-checks.js';

function table(codes: number[], levels: number): Table {
  return {
    rows: codes.length,
    columns: {
      g: {
        kind: 'categorical',
        levels: Array.from({ length: levels }, (_, i) => String(i)),
        codes: Int32Array.from(codes),
      },
      x: { kind: 'number', values: new Float64Array(codes.length) },
    },
  };
}

describe('denseLevelVariable (DataSHIELD levels density 0.33)', () => {
  it('refuses a variable with more levels present than density × rows', () => {
    // 10 rows, 4 levels present: 4 > 3.3
    expect(denseLevelVariable(table([0, 1, 2, 3, 0, 0, 0, 0, 0, 0], 9), ['g'], 0.33)).toBe('g');
  });

  it('counts only levels present in the cohort, not missing codes', () => {
    expect(denseLevelVariable(table([0, 1, 2, -1, 0, 0, 0, 0, 0, 0], 9), ['g'], 0.33)).toBeNull();
  });

  it('skips numeric variables and variables not read', () => {
    expect(denseLevelVariable(table([0, 1, 2, 3], 4), ['x'], 0.33)).toBeNull();
  });
});

describe('rowsPerDataset', () => {
  it('splits a mask over stacked datasets into row positions, null where all are selected', () => {
    const mask = Uint8Array.from([1, 1, 0, 1, 1, 1]);
    expect(rowsPerDataset(mask, [3, 3])).toEqual([Uint32Array.from([0, 1]), null]);
    expect(rowsPerDataset(null, [3, 3])).toEqual([null, null]);
    expect(() => rowsPerDataset(mask, [3])).toThrow(RangeError);
  });
});
