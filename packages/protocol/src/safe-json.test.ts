import { describe, expect, it } from 'vitest';
import { TesseraError } from './errors.js';
import { parseJsonSafe } from './safe-json.js';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof TesseraError ? e.code : 'not a TesseraError';
  }
  return undefined;
}

describe('parseJsonSafe', () => {
  it('parses ordinary JSON', () => {
    expect(parseJsonSafe('{"a":[1,{"b":null}],"proto":"x"}')).toEqual({
      a: [1, { b: null }],
      proto: 'x',
    });
  });

  it.each([
    ['__proto__ at the top', '{"__proto__":{"polluted":true}}', '__proto__'],
    ['__proto__ nested', '{"a":{"b":[{"__proto__":{}}]}}', '__proto__'],
    ['constructor', '{"constructor":{"prototype":{"polluted":true}}}', 'constructor'],
    ['prototype', '{"x":{"prototype":1}}', 'prototype'],
  ])('refuses %s with BAD_REQUEST naming the key', (_what, text, key) => {
    expect(codeOf(() => parseJsonSafe(text))).toBe('BAD_REQUEST');
    expect(() => parseJsonSafe(text, 'params')).toThrowError(
      `params contains the forbidden key "${key}"`,
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports malformed JSON with BAD_REQUEST and what was being read', () => {
    expect(codeOf(() => parseJsonSafe('{"a":1,'))).toBe('BAD_REQUEST');
    expect(() => parseJsonSafe('{"a":1,', '--cohort')).toThrowError(/^--cohort is not valid JSON/);
    expect(codeOf(() => parseJsonSafe(''))).toBe('BAD_REQUEST');
  });
});
