/*
 * The centrally trained reference of a federated run, for tests and benchmarks (issue 6: "within
 * 2 percentage points of the same model trained on the pooled data"). It shares no code with the
 * federated path (`train`'s steps, strategies, federated metrics): the union of the sites'
 * training splits (the same seeded splits the sites draw), standardised with pooled means and
 * SDs, trained with one optimiser for rounds × epochs epochs, scored on the union of the
 * validation splits by argmax (the first class on a tie).
 */
import type { Table } from '../../table.js';
import { createModel } from '../models/model.js';
import { trainLocal } from '../training/local-train.js';
import { standardize } from '../training/standardize.js';
import { validationSplit } from './data.js';

/** What the reference needs of a train job's params (numeric features, a categorical outcome). */
export interface PooledReferenceParams {
  readonly outcome: string;
  readonly features: readonly string[];
  readonly hidden: readonly number[];
  readonly rounds: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  /** Default 0.2, as `train`'s default. */
  readonly validationFraction?: number;
}

function numbers(t: Table, name: string): Float64Array {
  const c = t.columns[name];
  if (c?.kind !== 'number') throw new Error(`${name} is not a number column`);
  return c.values;
}

function outcome(t: Table, name: string): { codes: Int32Array; classes: number } {
  const c = t.columns[name];
  if (c?.kind !== 'categorical') throw new Error(`${name} is not a categorical column`);
  return { codes: c.codes, classes: c.levels.length };
}

/**
 * Validation accuracy of an MLP (`hidden` layers, SGD with momentum 0.9) trained on the pooled
 * training splits of `sites`, whose outcome columns share one list of levels.
 * @throws Error when a feature is not numeric or the outcome not categorical.
 */
export function pooledReferenceAccuracy(sites: readonly Table[], p: PooledReferenceParams): number {
  const fraction = p.validationFraction ?? 0.2;
  const classes = Math.max(...sites.map((t) => outcome(t, p.outcome).classes));
  const all = sites.flatMap((t) => Array.from({ length: t.rows }, (_, i) => [t, i] as const));
  const stats = p.features.map((f) => {
    const v = all.map(([t, i]) => numbers(t, f)[i] ?? 0);
    const mean = v.reduce((s, a) => s + a, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, a) => s + (a - mean) ** 2, 0) / (v.length - 1));
    return { mean, sd };
  });
  const pick = (which: 'train' | 'validation') => {
    const rows = sites.flatMap((t) =>
      Array.from(validationSplit(t.rows, fraction, p.seed)[which], (i) => [t, i] as const),
    );
    const raw = Float64Array.from(
      rows.flatMap(([t, i]) => p.features.map((f) => numbers(t, f)[i] ?? 0)),
    );
    const x = standardize(
      raw,
      rows.length,
      stats.map((s) => s.mean),
      stats.map((s) => s.sd),
    );
    return { x, y: Int32Array.from(rows, ([t, i]) => outcome(t, p.outcome).codes[i] ?? -1) };
  };
  const tr = pick('train');
  const va = pick('validation');
  const model = createModel({
    type: 'mlp',
    inputs: p.features.length,
    classes,
    hidden: [...p.hidden],
  });
  const fit = trainLocal(
    model,
    model.init(p.seed),
    { x: tr.x, labels: tr.y, rows: tr.y.length },
    {
      epochs: p.rounds * p.epochs,
      batchSize: p.batchSize,
      optimizer: { name: 'sgd', learningRate: p.learningRate, momentum: 0.9 },
      seed: p.seed,
    },
  );
  const prob = model.predictProba(fit.parameters, { x: va.x, rows: va.y.length });
  let correct = 0;
  va.y.forEach((y, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if ((prob[i * classes + c] ?? 0) > (prob[i * classes + best] ?? 0)) best = c;
    if (best === y) correct++;
  });
  return correct / va.y.length;
}
