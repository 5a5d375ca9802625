import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyMaskInto, expandMask } from './prg.js';
import { ringAddInto } from './ring.js';
import { makeBytes, ringElement } from './test-support.js';

interface Vectors {
  mask: { seedHex: string; label: string; length: number; elements: Record<string, string> };
}
// Written by fixtures/make-vectors.py with pyca/cryptography (an independent implementation).
const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8'),
) as Vectors;

const bytesOf = (v: Uint32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

describe('expandMask', () => {
  it('matches the independent HKDF + AES-256-CTR reference, across keystream slices', () => {
    const { seedHex, label, length, elements } = vectors.mask;
    const mask = expandMask(Buffer.from(seedHex, 'hex'), label, length);
    expect(mask.length).toBe(2 * length);
    for (const [i, want] of Object.entries(elements)) {
      expect(ringElement(mask, Number(i)).toString(), `element ${i}`).toBe(want);
    }
  });

  it('is deterministic and differs per seed and per label', () => {
    const seed = makeBytes(1, 32);
    const a = expandMask(seed, 'job|0', 1000);
    expect(expandMask(seed, 'job|0', 1000)).toEqual(a);
    const otherSeed = expandMask(makeBytes(2, 32), 'job|0', 1000);
    const otherLabel = expandMask(seed, 'job|1', 1000);
    const same = (x: Uint32Array): number => x.filter((v, i) => v === a[i]).length;
    expect(same(otherSeed)).toBeLessThan(5);
    expect(same(otherLabel)).toBeLessThan(5);
  });

  it('gives a prefix of the longer mask for a shorter length', () => {
    const seed = makeBytes(3, 32);
    const long = expandMask(seed, 'l', 70000);
    expect(bytesOf(expandMask(seed, 'l', 33000)).equals(bytesOf(long.subarray(0, 66000)))).toBe(
      true,
    );
  });

  it('adds or subtracts the mask in place without building it', () => {
    const seed = makeBytes(4, 32);
    const x = Uint32Array.from(makeBytes(5, 2 * 50000), (b) => b * 0x01010101);
    const viaExpand = Uint32Array.from(x);
    ringAddInto(viaExpand, expandMask(seed, 'l', 50000));
    const inPlace = Uint32Array.from(x);
    applyMaskInto(inPlace, seed, 'l', 1);
    expect(bytesOf(inPlace).equals(bytesOf(viaExpand))).toBe(true);
    expect(bytesOf(inPlace).equals(bytesOf(x))).toBe(false);
    applyMaskInto(inPlace, seed, 'l', -1);
    expect(bytesOf(inPlace).equals(bytesOf(x))).toBe(true);
  });

  it('refuses a seed that is not 32 bytes', () => {
    expect(() => expandMask(new Uint8Array(16), 'l', 10)).toThrow(/16 bytes, not 32/);
  });
});
