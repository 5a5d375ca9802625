import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text for objects that differ only in key order', () => {
    expect(canonicalJson({ x: 1, y: [true, 'a'] })).toBe(canonicalJson({ y: [true, 'a'], x: 1 }));
  });

  it('keeps array order', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
  });

  it('sorts keys by UTF-16 code units, not code points (RFC 8785 3.2.3)', () => {
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FFFF in UTF-16 order.
    expect(canonicalJson({ '\uffff': 1, '\u{1f600}': 2, Z: 3, a: 4, é: 5 })).toBe(
      '{"Z":3,"a":4,"é":5,"\u{1f600}":2,"\uffff":1}',
    );
  });

  it('omits properties whose value is undefined, as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });

  it('writes numbers as ECMAScript does, -0 as 0', () => {
    expect(canonicalJson([1.5, -0, 1e21, 1e-7, 0.1 + 0.2])).toBe(
      '[1.5,0,1e+21,1e-7,0.30000000000000004]',
    );
  });

  it('escapes strings as JSON', () => {
    expect(canonicalJson('a"b\\c\n\u0001')).toBe('"a\\"b\\\\c\\n\\u0001"');
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a bigint', 1n],
    ['a function', () => 1],
    ['undefined', undefined],
    ['a nested NaN', { a: [Number.NaN] }],
  ])('refuses %s with TypeError', (_what, value) => {
    expect(() => canonicalJson(value)).toThrowError(TypeError);
  });

  it('encodes as UTF-8 bytes', () => {
    expect(canonicalBytes({ é: 1 }).toString('hex')).toBe(
      Buffer.from('{"é":1}', 'utf8').toString('hex'),
    );
  });
});
