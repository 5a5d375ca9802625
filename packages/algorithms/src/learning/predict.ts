/*
 * Predictions of an exported model (export.ts) on rows read from a CSV file, without the hub
 * (issue 6: `tessera model predict --model F --file data.csv`). Each row goes through the same
 * preprocessing as at the sites in training (train/data.ts): number features standardised with
 * the pooled means and SDs, categorical ones as 0/1 dummies of the training levels (treatment
 * coding, the first level as reference). Text follows the node's CSV import (node data/infer.ts):
 * blanks, NA and NULL are missing, surrounding blanks are ignored, numbers are decimal.
 *
 * A missing value, a text that is not a number, or a level the model never saw is an error
 * naming the row and the column, never the value itself (it may be patient data).
 */
import { createModel } from './models/model.js';
import { standardize } from './training/standardize.js';
import type { ExportedModel } from './export.js';

/** One row's prediction: the most probable class and every class's probability. */
export interface Prediction {
  readonly class: string;
  readonly probabilities: Readonly<Record<string, number>>;
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const isMissing = (t: string): boolean => t === '' || t === 'NA' || t === 'NULL';

/** Where a row cannot be turned into model inputs. */
export class PredictionInputError extends Error {
  constructor(
    /** 1-based data row (the header is not counted). */
    readonly row: number,
    readonly column: string,
    /** What is wrong with the value, without the value (it may be patient data). */
    readonly problem: string,
  ) {
    super(`row ${row}, column ${column}: ${problem}`);
    this.name = 'PredictionInputError';
  }
}

/** One row's raw model inputs (before standardisation), in column order. */
function rowInputs(
  model: ExportedModel,
  row: Readonly<Record<string, string>>,
  r: number,
): number[] {
  const pre = model.preprocessing;
  const values = new Map<string, number | string>();
  for (const variable of model.features) {
    const raw = Object.hasOwn(row, variable) ? row[variable] : undefined;
    if (raw === undefined) throw new PredictionInputError(r, variable, 'the column is absent');
    const text = raw.trim();
    if (isMissing(text)) throw new PredictionInputError(r, variable, 'missing value');
    const levels = Object.hasOwn(pre.levels, variable) ? pre.levels[variable] : undefined;
    if (levels === undefined) {
      const v = NUMBER_RE.test(text) ? Number(text) : NaN;
      if (!Number.isFinite(v)) throw new PredictionInputError(r, variable, 'not a number');
      values.set(variable, v);
    } else {
      if (!levels.includes(text))
        throw new PredictionInputError(
          r,
          variable,
          `a level the model was not trained on (it knows ${levels.join(', ')})`,
        );
      values.set(variable, text);
    }
  }
  return pre.columns.map((c) => {
    const v = values.get(c.variable);
    return c.level === null ? (v as number) : v === c.level ? 1 : 0;
  });
}

/**
 * Predicts every row: the class of highest probability (the first on a tie, as the federated
 * accuracy counts it) and each class's probability, keyed by class name.
 * @throws PredictionInputError naming the first row and column that cannot be used.
 */
export function predictRows(
  model: ExportedModel,
  rows: readonly Readonly<Record<string, string>>[],
): Prediction[] {
  const p = model.preprocessing.columns.length;
  const raw = new Float64Array(rows.length * p);
  rows.forEach((row, i) => {
    raw.set(rowInputs(model, row, i + 1), i * p);
  });
  const x = standardize(raw, rows.length, model.preprocessing.means, model.preprocessing.sds);
  const net = createModel(model.spec);
  const k = model.classes.length;
  const proba = net.predictProba(Float64Array.from(model.parameters), { x, rows: rows.length });
  return rows.map((_, i) => {
    const row = proba.subarray(i * k, (i + 1) * k);
    let best = 0;
    for (let c = 1; c < k; c++) if ((row[c] as number) > (row[best] as number)) best = c;
    // fromEntries defines own properties, so a class called __proto__ stays a key.
    const probabilities = Object.fromEntries(model.classes.map((name, c) => [name, row[c] ?? 0]));
    return { class: model.classes[best] as string, probabilities };
  });
}
