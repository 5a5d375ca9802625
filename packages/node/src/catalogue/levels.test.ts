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
    const out = publishableVariables(variables, { diagnosis: [10, 9, 0] }, 10);
    expect(out).toEqual([
      { name: 'age', kind: 'number' },
      { name: 'diagnosis', kind: 'categorical', levels: ['common'] },
    ]);
    expect(JSON.stringify(out)).not.toMatch(/\b(10|9)\b/);
  });

  it('publishes a level exactly at minCount, and more levels when minCount is lower', () => {
    expect(publishableVariables(variables, { diagnosis: [10, 9, 0] }, 9)[1]).toEqual({
      name: 'diagnosis',
      kind: 'categorical',
      levels: ['common', 'rare'],
    });
  });

  it('publishes no level of a categorical whose counts are unknown', () => {
    expect(publishableVariables(variables, {}, 1)[1]).toEqual({
      name: 'diagnosis',
      kind: 'categorical',
      levels: [],
    });
  });
});
