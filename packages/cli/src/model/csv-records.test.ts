import { describe, expect, it } from 'vitest';
import { readCsvTable } from './csv-records.js';

const values = (text: string): Record<string, string>[] =>
  readCsvTable(text, 'x.csv').rows.map((r) => Object.fromEntries(r.values));

describe('readCsvTable', () => {
  it('reads a header and rows, with the line each row starts on', () => {
    const t = readCsvTable('\ufeffid,age\r\n1,54\r\n\r\n2,61\n', 'x.csv');
    expect(t.header).toEqual(['id', 'age']);
    expect(t.rows.map((r) => [r.line, r.values.get('id'), r.values.get('age')])).toEqual([
      [2, '1', '54'],
      [4, '2', '61'],
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks (RFC 4180)', () => {
    const t = readCsvTable('a,b\n"x, y","say ""hi"""\n"two\nlines",z\nlast,row', 'x.csv');
    expect(values('a,b\n"x, y","say ""hi"""\n')).toEqual([{ a: 'x, y', b: 'say "hi"' }]);
    expect(t.rows.map((r) => r.line)).toEqual([2, 3, 5]);
    expect(t.rows[1]?.values.get('a')).toBe('two\nlines');
    expect(t.rows[2]?.values.get('b')).toBe('row');
  });

  it('keeps empty fields and a column named like an Object property', () => {
    expect(values('constructor,b\n,\n')).toEqual([{ constructor: '', b: '' }]);
  });

  it.each([
    ['', 'x.csv is empty (no header line)'],
    ['a,b\n1\n', 'x.csv line 2: 1 fields, the header has 2'],
    ['a,,c\n', 'x.csv line 1: column 2 has no name'],
    ['a,a\n', 'x.csv line 1: column "a" appears twice'],
    ['a,b\n1,"open\n', 'x.csv line 2, column 2: a quoted field is not closed'],
    ['a,b\n1,x"y\n', 'x.csv line 2, column 2: a quote inside an unquoted field'],
    ['a,b\n"1"x,2\n', 'x.csv line 2, column 1: unexpected text after a closing quote'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => readCsvTable(text, 'x.csv')).toThrowError(message);
  });
});
