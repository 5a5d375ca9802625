/*
 * A site's rows as model inputs (node side of `train`): complete cases over the outcome and the
 * features, the outcome as class indices, features as standardised columns (number features
 * scaled with the POOLED means and SDs the hub fixed, categorical ones as 0/1 dummies), and the
 * seeded validation split that stays the same in every round.
 */
import { usedColumn } from '../../glm/design.js';
import { createRng } from '../../numerics/random.js';
import type { Table } from '../../table.js';
import { standardize } from '../training/standardize.js';
import type { Preprocessing, TrainParams } from './schemas.js';

type Params = Pick<TrainParams, 'outcome' | 'features'>;

/**
 * Row indices where the outcome and every feature are present.
 * @throws Error when a variable is absent or a date.
 */
export function completeCases(table: Table, params: Params): Int32Array {
  const cols = [params.outcome, ...params.features].map((v) => usedColumn(table, v));
  const keep = new Int32Array(table.rows);
  let n = 0;
  for (let i = 0; i < table.rows; i++) {
    const ok = cols.every((c) =>
      c.kind === 'categorical' ? (c.codes[i] as number) >= 0 : !Number.isNaN(c.values[i]),
    );
    if (ok) keep[n++] = i;
  }
  return keep.slice(0, n);
}

/**
 * The outcome of each of `rows` as a class name: a categorical's level, or a number's value
 * written as a decimal string.
 * @throws Error naming the outcome when a number value is not an integer.
 */
export function outcomeNames(table: Table, outcome: string, rows: Int32Array): string[] {
  const col = usedColumn(table, outcome);
  if (col.kind === 'categorical')
    return Array.from(rows, (i) => col.levels[col.codes[i] as number] ?? '');
  return Array.from(rows, (i) => {
    const v = col.values[i] as number;
    if (!Number.isSafeInteger(v))
      throw new Error(`outcome ${outcome} holds a value that is not an integer class label`);
    return String(v);
  });
}

/** A site's complete cases as the model sees them. */
export interface SiteData {
  /** Standardised inputs, rows × columns, row-major. */
  readonly x: Float64Array;
  /** Class index per row. */
  readonly labels: Int32Array;
  readonly rows: number;
  readonly inputs: number;
}

/**
 * The complete cases as standardised inputs and class indices under the hub's preprocessing.
 * @throws Error when a feature is of another kind than the hub saw, a row holds a level or a
 *   class the preprocessing does not know, or a variable is absent.
 */
export function siteData(table: Table, params: Params, pre: Preprocessing): SiteData {
  const rows = completeCases(table, params);
  const n = rows.length;
  const p = pre.columns.length;
  const raw = new Float64Array(n * p);
  pre.columns.forEach(({ variable, level }, j) => {
    if (!params.features.includes(variable)) throw new Error(`${variable} is not a feature`);
    const col = usedColumn(table, variable);
    if (col.kind === 'number') {
      if (level !== null) throw new Error(`${variable} is a number here, not a category`);
      rows.forEach((i, r) => (raw[r * p + j] = col.values[i] as number));
      return;
    }
    if (level === null) throw new Error(`${variable} is a category here, not a number`);
    const code = col.levels.indexOf(level);
    rows.forEach((i, r) => (raw[r * p + j] = col.codes[i] === code ? 1 : 0));
  });
  for (const [variable, known] of Object.entries(pre.levels)) {
    const col = usedColumn(table, variable);
    if (col.kind !== 'categorical') throw new Error(`${variable} is a number here, not a category`);
    const allowed = new Set(known);
    if (rows.some((i) => !allowed.has(col.levels[col.codes[i] as number] ?? '')))
      throw new Error(`${variable} has a level the model does not know`);
  }
  const index = new Map(pre.classes.map((c, k) => [c, k]));
  const labels = Int32Array.from(outcomeNames(table, params.outcome, rows), (name) => {
    const k = index.get(name);
    if (k === undefined)
      throw new Error(`outcome ${params.outcome} has a class the model does not know`);
    return k;
  });
  return { x: standardize(raw, n, pre.means, pre.sds), labels, rows: n, inputs: p };
}

/**
 * The seeded validation split of `rows` rows: round(fraction·rows) rows for validation, the rest
 * for training, both in row order. Depends on (rows, fraction, seed) only, so a site's split is
 * the same in every round.
 */
export function validationSplit(
  rows: number,
  fraction: number,
  seed: number,
): { train: Int32Array; validation: Int32Array } {
  const rng = createRng((seed ^ 0x2545f491) >>> 0);
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  for (let i = rows - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  const v = Math.round(fraction * rows);
  return { validation: order.slice(0, v).sort(), train: order.slice(v).sort() };
}

/** The rows `idx` of a site's data. */
export function subset(data: SiteData, idx: Int32Array): SiteData {
  const p = data.inputs;
  const x = new Float64Array(idx.length * p);
  idx.forEach((r, k) => {
    x.set(data.x.subarray(r * p, (r + 1) * p), k * p);
  });
  return {
    x,
    labels: Int32Array.from(idx, (r) => data.labels[r] as number),
    rows: idx.length,
    inputs: p,
  };
}
