/*
 * Deterministic inputs for the secagg tests (not exported from the package): a fixed-seed
 * xorshift generator, so a failing case can be re-run exactly.
 */

/** A xorshift32 stream of uint32 values from a non-zero seed. */
export function makeUint32Stream(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/** `n` deterministic bytes from a seed (for fixed mask seeds in tests). */
export function makeBytes(seed: number, n: number): Uint8Array {
  const next = makeUint32Stream(seed);
  return Uint8Array.from({ length: n }, () => next() & 0xff);
}

/** Element i of a ring vector as an unsigned BigInt. */
export function ringElement(v: Uint32Array, i: number): bigint {
  return (BigInt(v[2 * i + 1] ?? 0) << 32n) | BigInt(v[2 * i] ?? 0);
}
