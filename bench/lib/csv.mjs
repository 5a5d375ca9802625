// A small seeded synthetic dataset for the latency bench: the statistic is trivial on purpose,
// so the figure is the platform's overhead, not the computation.

/** Name of the dataset every bench node holds. */
export const DATASET = 'bench';

/** mulberry32: a tiny seeded PRNG, enough for reproducible bench data. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** CSV text with `rows` patients: age (numeric), bmi (numeric), sex (F/M). */
export function syntheticCsv(rows, seed) {
  const r = prng(seed);
  const lines = ['age,bmi,sex'];
  for (let i = 0; i < rows; i++) {
    const age = Math.round(30 + r() * 55);
    const bmi = (19 + r() * 16).toFixed(1);
    lines.push(`${age},${bmi},${r() < 0.5 ? 'F' : 'M'}`);
  }
  return `${lines.join('\n')}\n`;
}
