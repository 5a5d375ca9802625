import { TesseraError } from './errors.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * JSON.parse that refuses prototype keys (DESIGN "Input": JSON rejects prototype keys) and says
 * where the text is broken.
 *
 * @throws TesseraError BAD_REQUEST on malformed JSON or a forbidden key.
 */
export function parseJsonSafe(text: string, what = 'JSON'): unknown {
  let bad: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) bad = key;
      return v;
    });
  } catch (e) {
    throw new TesseraError('BAD_REQUEST', `${what} is not valid JSON: ${(e as Error).message}`);
  }
  if (bad !== undefined) {
    throw new TesseraError('BAD_REQUEST', `${what} contains the forbidden key "${bad}"`);
  }
  return value;
}
