import { seededRandom } from './data.js';

/*
 * Data and an independent model reference for the training end-to-end tests (train-*.int.test.ts):
 * a seeded binary task over two numbers and a category, and a forward pass written from the
 * documented parameter layout of the `tessera-model` format, not from the training code.
 */

export const TRAIN_FEATURES = ['x1', 'x2', 'grp'] as const;
const GROUPS = ['a', 'b', 'c'] as const;

export interface TrainCsvOptions {
  readonly rows: number;
  readonly seed: number;
  /** Shifts x1 so that the sites' feature distributions differ. */
  readonly shift?: number;
}

/**
 * CSV text `x1,x2,grp,y`: y = yes when x1 − x2 + 0.8·[grp = c] − 0.5·[grp = a] + noise > 0.
 * Numbers with 3 decimals; about 2 % of x2 cells missing (complete cases are used in training).
 */
export function trainCsv(o: TrainCsvOptions): string {
  const rand = seededRandom(o.seed);
  const normal = (): number =>
    Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
  const lines = ['x1,x2,grp,y'];
  for (let i = 0; i < o.rows; i++) {
    const x1 = normal() + (o.shift ?? 0);
    const x2 = normal();
    const grp = GROUPS[Math.floor(rand() * 3)] ?? 'a';
    const score = x1 - x2 + (grp === 'c' ? 0.8 : grp === 'a' ? -0.5 : 0) + 0.4 * normal();
    const x2Cell = rand() < 0.02 ? '' : x2.toFixed(3);
    lines.push(`${x1.toFixed(3)},${x2Cell},${grp},${score > 0 ? 'yes' : 'no'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The `train` params of the tests: an MLP with 8 hidden units, small and quick. */
export function trainParams(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    outcome: 'y',
    features: [...TRAIN_FEATURES],
    model: { type: 'mlp', hidden: [8] },
    strategy: { name: 'fedavg' },
    rounds: 4,
    batchSize: 32,
    learningRate: 0.05,
    seed: 9,
    ...overrides,
  };
}

/** The parts of a model file the reference forward pass reads. */
export interface ModelDoc {
  id: string;
  spec: { type: string; inputs: number; classes?: number; hidden?: number[]; activation?: string };
  classes: string[];
  features: string[];
  preprocessing: {
    columns: { name: string; variable: string; level: string | null }[];
    means: number[];
    sds: number[];
  };
  parameters: number[];
}

/**
 * P(class) for one row by hand: inputs in column order (numbers standardised by the pooled mean
 * and SD, categories as 0/1 dummies), then dense layers whose weights are a row-major
 * [inputs × outputs] block followed by the outputs' biases, hidden activation ReLU (or tanh), a
 * sigmoid head for one output unit or softmax for several.
 */
export function referenceProba(m: ModelDoc, row: Readonly<Record<string, string>>): number[] {
  let a = m.preprocessing.columns.map((c, j) => {
    const raw = (row[c.variable] ?? '').trim();
    if (c.level !== null) return raw === c.level ? 1 : 0;
    const sd = m.preprocessing.sds[j] ?? 1;
    return (Number(raw) - (m.preprocessing.means[j] ?? 0)) / (sd === 0 ? 1 : sd);
  });
  const classes = m.classes.length;
  const sigmoidHead = m.spec.type === 'logistic' || (m.spec.type === 'mlp' && classes === 2);
  const widths = [m.spec.inputs, ...(m.spec.hidden ?? []), sigmoidHead ? 1 : classes];
  let offset = 0;
  for (let l = 1; l < widths.length; l++) {
    const nIn = widths[l - 1] ?? 0;
    const nOut = widths[l] ?? 0;
    const z = Array.from({ length: nOut }, (_, j) => {
      let s = m.parameters[offset + nIn * nOut + j] ?? 0;
      for (let i = 0; i < nIn; i++) s += (a[i] ?? 0) * (m.parameters[offset + i * nOut + j] ?? 0);
      return s;
    });
    offset += nIn * nOut + nOut;
    const last = l === widths.length - 1;
    a = last ? z : z.map((v) => (m.spec.activation === 'tanh' ? Math.tanh(v) : Math.max(0, v)));
  }
  if (offset !== m.parameters.length)
    throw new Error(`layout uses ${offset} parameters, the model has ${m.parameters.length}`);
  if (sigmoidHead) {
    const p1 = 1 / (1 + Math.exp(-(a[0] ?? 0)));
    return [1 - p1, p1];
  }
  const max = Math.max(...a);
  const e = a.map((v) => Math.exp(v - max));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}
