import { describe, expect, it } from 'vitest';
import { formatNumber, formatTable } from './output.js';

describe('formatTable', () => {
  it('aligns text left and figures right under a rule', () => {
    const text = formatTable(
      ['variable', 'count'],
      [
        ['age', '1200'],
        ['bmi', '95'],
      ],
    );
    expect(text.split('\n')).toEqual([
      'variable  count',
      '────────  ─────',
      'age        1200',
      'bmi          95',
      '',
    ]);
  });

  it('prints only the header for no rows', () => {
    expect(formatTable(['a'], [])).toBe('a\n─\n');
  });
});

describe('formatNumber', () => {
  it('keeps integers and rounds others to 5 significant digits', () => {
    expect(formatNumber(1200)).toBe('1200');
    expect(formatNumber(54.123456)).toBe('54.123');
    expect(formatNumber(0.5)).toBe('0.5');
    expect(formatNumber(12345.678)).toBe('12345.7');
  });

  it('shows a dash for missing values', () => {
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(undefined)).toBe('—');
  });
});
