import {
  PredictionInputError,
  predictRows,
  type ExportedModel,
  type Prediction,
} from '@tessera/algorithms';
import { TesseraError } from '@tessera/protocol';
import { formatTable } from '../output.js';
import type { CsvTable } from './csv-records.js';

/*
 * `tessera model predict`: the model's predictions for the rows of a local CSV file, without the
 * hub. The numbers come from predictRows of @tessera/algorithms (the sites' own preprocessing);
 * this file maps rows to CSV lines for error messages and lays the predictions out.
 */

/** One row's prediction with where it came from. */
export interface PredictedRow {
  /** 1-based data row (the header not counted). */
  readonly row: number;
  /** Physical line of the CSV file the row starts on. */
  readonly line: number;
  /** The row's value in the id column, when one was named. */
  readonly id?: string;
  readonly predicted: string;
  /** Probability of the predicted class. */
  readonly probability: number;
  readonly probabilities: Readonly<Record<string, number>>;
}

/**
 * Predicts every row of `csv` with `model`.
 * @throws TesseraError BAD_REQUEST naming the file, line, row and column of the first value that
 *   cannot be used (never the value: it may be patient data), or an id column that is absent.
 */
export function predictCsv(
  model: ExportedModel,
  csv: CsvTable,
  file: string,
  idColumn?: string,
): PredictedRow[] {
  if (idColumn !== undefined && !csv.header.includes(idColumn))
    throw new TesseraError('BAD_REQUEST', `--id-column ${idColumn} is not a column of ${file}`);
  const missing = model.features.filter((f) => !csv.header.includes(f));
  if (missing.length > 0)
    throw new TesseraError(
      'BAD_REQUEST',
      `${file} lacks the model's feature column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
    );
  let predictions: Prediction[];
  try {
    predictions = predictRows(
      model,
      csv.rows.map((r) => Object.fromEntries(r.values)),
    );
  } catch (e) {
    if (!(e instanceof PredictionInputError)) throw e;
    const line = csv.rows[e.row - 1]?.line;
    throw new TesseraError(
      'BAD_REQUEST',
      `${file} line ${line ?? '?'} (row ${e.row}), column ${e.column}: ${e.problem}`,
      { details: { row: e.row, line, column: e.column } },
    );
  }
  return predictions.map((p, i) => {
    const source = csv.rows[i];
    const id = idColumn === undefined ? undefined : source?.values.get(idColumn);
    return {
      row: i + 1,
      line: source?.line ?? 0,
      ...(id === undefined ? {} : { id }),
      predicted: p.class,
      probability: p.probabilities[p.class] ?? 0,
      probabilities: p.probabilities,
    };
  });
}

/** The predictions as a table: row (and id), predicted class, its probability. */
export function predictionsTable(rows: readonly PredictedRow[]): string {
  const withId = rows.some((r) => r.id !== undefined);
  return formatTable(
    ['row', ...(withId ? ['id'] : []), 'predicted', 'probability'],
    rows.map((r) => [
      String(r.row),
      ...(withId ? [r.id ?? ''] : []),
      r.predicted,
      r.probability.toFixed(4),
    ]),
  );
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The predictions as CSV: row, (id,) predicted, probability, then one `p_<class>` per class. */
export function predictionsCsv(model: ExportedModel, rows: readonly PredictedRow[]): string {
  const withId = rows.some((r) => r.id !== undefined);
  const head = [
    'row',
    ...(withId ? ['id'] : []),
    'predicted',
    'probability',
    ...model.classes.map((c) => `p_${c}`),
  ];
  const lines = rows.map((r) =>
    [
      String(r.row),
      ...(withId ? [r.id ?? ''] : []),
      r.predicted,
      String(r.probability),
      ...model.classes.map((c) => String(r.probabilities[c] ?? 0)),
    ]
      .map(csvField)
      .join(','),
  );
  return `${[head.map(csvField).join(','), ...lines].join('\n')}\n`;
}

/** The `model predict --json` document. */
export function predictionsJson(
  model: ExportedModel,
  file: string,
  rows: readonly PredictedRow[],
): Record<string, unknown> {
  return {
    model: { id: model.id, outcome: model.outcome, classes: model.classes, round: model.round },
    file,
    rows,
  };
}
