import { categoricalColumn, numberColumn } from '@tessera/algorithms';
import { describe, expect, it } from 'vitest';
import { countLevels, publishableVariables } from './levels.js';

describe('countLevels', () => {
  it('counts rows per level and leaves missing rows out', () => {
    const col = categoricalColumn(['a', 'b', null, 'a', 'c', 'a'], ['a', 'b', 'c', 'd']);
    expect(countLevels(col)).toEqual([3, 1, 1, 0]);
    expect(countLevels(numberColumn([1, 2]))).toEqual([]);
  });
});

describe('publishableVariables', () => {
  const variables = [
    { name: 'age', kind: 'number' as const },
    { name: 'diagnosis', kind: 'categorical' as const, levels: ['common', 'rare', 'unused'] },
  ];

  it('publishes only levels held by at least minCount rows, never a count', () => {
    const out = publishableVariables(variables, { diagnosis: [10, 9, 0] }, 10, []);
    expect(out).toEqual([
      { name: 'age', kind: 'number' },
      { name: 'diagnosis', kind: 'categorical', levels: ['common'] },
    ]);
    expect(JSON.stringify(out)).not.toMatch(/\b(10|9)\b/);
  });

  it('publishes a level exactly at minCount, and more levels when minCount is lower', () => {
    expect(publishableVariables(variables, { diagnosis: [10, 9, 0] }, 9, [])[1]).toEqual({
      name: 'diagnosis',
      kind: 'categorical',
      levels: ['common', 'rare'],
    });
  });

  it('publishes no level of a categorical whose counts are unknown', () => {
    expect(publishableVariables(variables, {}, 1, [])[1]).toEqual({
      name: 'diagnosis',
      kind: 'categorical',
      levels: [],
    });
  });

  it('marks identifier columns and never names their levels, however many rows hold them', () => {
    const withIds = [
      ...variables,
      { name: 'patient_id', kind: 'categorical' as const, levels: ['p-1', 'p-2'] },
      { name: 'series_uid', kind: 'categorical' as const, levels: ['2.25.1'] },
    ];
    const counts = { diagnosis: [10, 9, 0], patient_id: [50, 12], series_uid: [40] };
    const out = publishableVariables(withIds, counts, 10, ['patient_id', 'series_uid']);
    expect(out.slice(2)).toEqual([
      { name: 'patient_id', kind: 'categorical', identifier: true },
      { name: 'series_uid', kind: 'categorical', identifier: true },
    ]);
    expect(out[1]).toEqual({ name: 'diagnosis', kind: 'categorical', levels: ['common'] });
    expect(JSON.stringify(out)).not.toMatch(/p-1|p-2|2\.25\.1/);
  });
});
