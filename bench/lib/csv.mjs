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

/** Features of the training bench's dataset. */
export const TRAINING_FEATURES = ['x1', 'x2', 'x3', 'x4'];

/**
 * CSV text for the training bench: four standard-normal-ish features (4 decimals) and an outcome
 * y (no/yes) from a seeded nonlinear rule with label noise, so that an MLP has something to learn.
 */
export function trainingCsv(rows, seed) {
  const r = prng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(r(), 1e-12))) * Math.cos(2 * Math.PI * r());
  const lines = ['x1,x2,x3,x4,y'];
  for (let i = 0; i < rows; i++) {
    const x = [normal(), normal(), normal(), normal()];
    const score = x[0] * x[1] + Math.sin(2 * x[2]) - 0.5 * x[3] + 0.3 * normal();
    lines.push(`${x.map((v) => v.toFixed(4)).join(',')},${score > 0 ? 'yes' : 'no'}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The table a node builds from {@link trainingCsv} text (numbers as parsed, y a categorical of
 * sorted levels), for timing the same local steps in process.
 */
export function trainingTable(csv) {
  const lines = csv.trim().split('\n').slice(1);
  const cols = TRAINING_FEATURES.map(() => new Float64Array(lines.length));
  const levels = ['no', 'yes'];
  const codes = new Int32Array(lines.length);
  lines.forEach((line, i) => {
    const cells = line.split(',');
    TRAINING_FEATURES.forEach((_, j) => (cols[j][i] = Number(cells[j])));
    codes[i] = levels.indexOf(cells[4]);
  });
  const columns = { y: { kind: 'categorical', levels, codes } };
  TRAINING_FEATURES.forEach((f, j) => (columns[f] = { kind: 'number', values: cols[j] }));
  return { rows: lines.length, columns };
}
