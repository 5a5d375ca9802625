// Deterministic bench inputs: the same seed gives the same values on every run and machine.

/**
 * `length` float32 values, standard normal × 1000, from a seeded xorshift32 and Box–Muller (no
 * Math.random), so the secure-aggregation benches sum the same vectors.
 */
export function makeValues(length, seed) {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 1) / 4294967297;
  };
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = 1000 * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  }
  return out;
}
