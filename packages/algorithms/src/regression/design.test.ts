import { describe, expect, it } from 'vitest';
import { PooledKinds, dummyDesign } from './design.js';

describe('dummyDesign', () => {
  it('codes a categorical by its sorted levels, the first as reference, in covariate order', () => {
    const levels = new Map([['smoker', new Set(['never', 'current', 'former'])]]);
    expect(dummyDesign(['smoker', 'age'], levels)).toEqual({
      columns: [
        { name: 'smoker:former', variable: 'smoker', level: 'former' },
        { name: 'smoker:never', variable: 'smoker', level: 'never' },
        { name: 'age', variable: 'age', level: null },
      ],
      levels: { smoker: ['current', 'former', 'never'] },
    });
  });
});

describe('PooledKinds', () => {
  it('unions levels over sites and names the first variable whose kind differs', () => {
    const pooled = new PooledKinds();
    pooled.note('sex', { kind: 'categorical', levels: ['f'] });
    pooled.note('sex', { kind: 'categorical', levels: ['m'] });
    pooled.note('age', { kind: 'number' });
    expect(pooled.mismatch(['sex', 'age'])).toBeNull();
    expect([...(pooled.levels.get('sex') ?? [])]).toEqual(['f', 'm']);
    pooled.note('age', { kind: 'categorical', levels: ['old'] });
    expect(pooled.mismatch(['sex', 'age'])).toBe('age: categorical and number');
    expect(pooled.mismatch(['bmi'])).toBe('bmi: ');
  });
});
