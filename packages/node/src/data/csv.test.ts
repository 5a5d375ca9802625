import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import { inferColumn, parseDate } from './infer.js';

const rows = (text: string) => [...parseCsv(text)].map((r) => r.fields);

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and CRLF records', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\n1,,3\r\n';
    expect(rows(text)).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\r\nlines'],
      ['1', '', '3'],
    ]);
  });

  it('numbers records by the line they start on, counting breaks inside quotes', () => {
    const recs = [...parseCsv('h1,h2\n"a\nb",c\nd,e\n')];
    expect(recs.map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it('ignores a BOM, blank lines and a missing final newline; keeps a trailing empty field', () => {
    expect(rows('\uFEFFa,b\n\n1,\n2,3')).toEqual([
      ['a', 'b'],
      ['1', ''],
      ['2', '3'],
    ]);
  });

  it('names the line and column of an unclosed quote', () => {
    expect(() => rows('a,b\n1,2\n3,"open\n')).toThrow(
      /line 3, column 2: a quoted field is not closed/,
    );
  });

  it('names the line and column of a quote inside an unquoted field', () => {
    expect(() => rows('a,b\n1,x"y\n')).toThrow(
      /line 2, column 2: a quote inside an unquoted field/,
    );
  });

  it('refuses text after a closing quote', () => {
    expect(() => rows('a,b\n"x"y,1\n')).toThrow(/line 2, column 1/);
  });
});

describe('type inference', () => {
  it('makes a number column when every non-missing value is a finite number', () => {
    const col = inferColumn('x', ['1', ' 2.5 ', 'NA', '', '-3e2', 'NULL'], [2, 3, 4, 5, 6, 7]);
    expect(col.kind).toBe('number');
    if (col.kind !== 'number') return;
    expect([...col.values].map((v) => (Number.isNaN(v) ? null : v))).toEqual([
      1,
      2.5,
      null,
      null,
      -300,
      null,
    ]);
  });

  it('treats hex, Infinity and dates as not numbers', () => {
    expect(inferColumn('x', ['0x10', '1'], [2, 3]).kind).toBe('categorical');
    expect(inferColumn('x', ['Infinity'], [2]).kind).toBe('categorical');
  });

  it('makes a date column of YYYY-MM-DD values, as days since 1970-01-01', () => {
    const col = inferColumn('d', ['1970-01-02', '2000-03-01', 'NA'], [2, 3, 4]);
    expect(col.kind).toBe('date');
    if (col.kind !== 'date') return;
    expect(col.values[0]).toBe(1);
    // Independent reference: 2000-03-01 is 11017 days after the epoch (Date.UTC arithmetic checked by hand: 30 years with 7 leap days + 60 days).
    expect(col.values[1]).toBe(30 * 365 + 7 + 31 + 29);
    expect(Number.isNaN(col.values[2])).toBe(true);
  });

  it('refuses impossible calendar dates as dates', () => {
    expect(parseDate('2021-02-29')).toBeNull();
    expect(inferColumn('d', ['2021-02-29', '2021-03-01'], [2, 3]).kind).toBe('categorical');
  });

  it('makes categorical columns with sorted levels and -1 for missing', () => {
    const col = inferColumn('s', ['M', 'F', '', 'M', 'X'], [2, 3, 4, 5, 6]);
    expect(col).toEqual({
      kind: 'categorical',
      levels: ['F', 'M', 'X'],
      codes: new Int32Array([1, 0, -1, 1, 2]),
    });
  });

  it('refuses more than 1000 levels, naming the column and the line', () => {
    const values = Array.from({ length: 1001 }, (_, i) => `v${i}`);
    const lines = values.map((_, i) => i + 2);
    expect(() => inferColumn('free', values, lines)).toThrow(
      /line 1002, column "free": more than 1000 distinct values/,
    );
  });
});
