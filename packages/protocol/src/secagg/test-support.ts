/*
 * Deterministic inputs for the secagg tests: a fixed-seed xorshift generator, so a failing case
 * can be re-run exactly. Only `chiSquareUniformBytes` is exported from the package, for the
 * algorithms and cli tests that check masked vectors look uniform.
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

/**
 * Pearson's chi-square statistic of byte values against uniform over 256 bins (255 degrees of
 * freedom), for checking that masked vectors look random. A plain vector scores far above the
 * upper quantile.
 */
export function chiSquareUniformBytes(bytes: Uint8Array): number {
  const counts = new Array<number>(256).fill(0);
  for (const b of bytes) counts[b] = (counts[b] ?? 0) + 1;
  const e = bytes.length / 256;
  return counts.reduce((s, n) => s + (n - e) ** 2 / e, 0);
}
