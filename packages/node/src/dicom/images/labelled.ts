import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Column, SeriesImages, Table } from '@tessera/algorithms';
import { TesseraError } from '@tessera/protocol';
import { IDS_FILE, loadTable } from '../../data/dataset-format.js';
import type { NodePaths } from '../../store/layout.js';
import { loadDicomIndex } from '../ingest/dicom-index.js';
import { storeSeriesImages } from './store-images.js';

/*
 * Images with labels for training (issue 7 "pixel data available to the executor as downsampled
 * arrays with labels joined from a tabular dataset"): one thumbnail per series of the imaging
 * dataset, labelled with a value from the tabular dataset row of the same patient. The join key
 * is the keyed pseudonym, which the node applies both to DICOM Patient IDs and to a tabular
 * import's `--id-column`, so rows of one patient link here, at the node, and nowhere else.
 */

/** The largest thumbnail side (a 512 × 512 float image is 1 MiB). */
export const MAX_THUMBNAIL_SIZE = 512;

/** What to join. */
export interface JoinImagesOptions {
  /** The imaging dataset's rows (one per series): patient_id and series_uid are read. */
  readonly imagingTable: Table;
  /** The tabular rows holding the labels, with the pseudonymised id in `idColumn`. */
  readonly labelsTable: Table;
  readonly idColumn: string;
  readonly labelColumn: string;
  /** Side of the square thumbnails. */
  readonly size: number;
}

/** Labelled thumbnails, one per usable series, in the imaging table's row order. */
export interface LabelledImages {
  readonly size: number;
  /** size × size modality values (row-major) per series. */
  readonly images: Float32Array[];
  /** The label of each image: the number, or the level's index in `levels`. */
  readonly labels: Float64Array;
  /** The label's levels when the label column is categorical, else null. */
  readonly levels: readonly string[] | null;
  /**
   * Which patient each image is of, as 0, 1, 2, … in order of first appearance (never the
   * pseudonym): training splits must keep a patient's series on one side.
   */
  readonly patients: Int32Array;
  /** Series left out: no label row, rows of the patient disagreeing, or pixels not decodable. */
  readonly skipped: {
    readonly noLabel: number;
    readonly conflicting: number;
    readonly undecodable: number;
  };
}

function column(table: Table, name: string, what: string): Column {
  const col = Object.hasOwn(table.columns, name) ? table.columns[name] : undefined;
  if (col === undefined) throw new TesseraError('BAD_REQUEST', `${what} has no column ${name}`);
  return col;
}

function categoricalValues(col: Column, name: string, what: string): (string | null)[] {
  if (col.kind !== 'categorical') {
    throw new TesseraError('BAD_REQUEST', `${what} column ${name} is not categorical`);
  }
  return Array.from(col.codes, (c) => (c < 0 ? null : (col.levels[c] ?? null)));
}

/** Each patient's label: a number, NaN when the patient's rows disagree; missing labels skipped. */
function labelsByPatient(o: JoinImagesOptions): Map<string, number> {
  const ids = categoricalValues(
    column(o.labelsTable, o.idColumn, 'the labels table'),
    o.idColumn,
    'the labels table',
  );
  const label = column(o.labelsTable, o.labelColumn, 'the labels table');
  const out = new Map<string, number>();
  ids.forEach((id, i) => {
    if (id === null || id === '') return;
    const v =
      label.kind === 'categorical'
        ? (label.codes[i] ?? -1) < 0
          ? Number.NaN
          : (label.codes[i] ?? 0)
        : (label.values[i] ?? Number.NaN);
    if (Number.isNaN(v)) return;
    const prior = out.get(id);
    out.set(id, prior === undefined || prior === v ? v : Number.NaN);
  });
  return out;
}

/**
 * Joins thumbnails from `images` with labels (pure apart from what `images` reads).
 * @throws TesseraError BAD_REQUEST when a column is absent or of the wrong kind, or size is out
 *   of range.
 */
export function joinLabelledImages(images: SeriesImages, o: JoinImagesOptions): LabelledImages {
  if (!Number.isInteger(o.size) || o.size < 1 || o.size > MAX_THUMBNAIL_SIZE) {
    throw new TesseraError(
      'BAD_REQUEST',
      `size must be an integer in 1..${String(MAX_THUMBNAIL_SIZE)}`,
    );
  }
  const label = column(o.labelsTable, o.labelColumn, 'the labels table');
  const byPatient = labelsByPatient(o);
  const patients = categoricalValues(
    column(o.imagingTable, 'patient_id', 'the imaging table'),
    'patient_id',
    'the imaging table',
  );
  const series = categoricalValues(
    column(o.imagingTable, 'series_uid', 'the imaging table'),
    'series_uid',
    'the imaging table',
  );
  const out: Float32Array[] = [];
  const labels: number[] = [];
  const patientIndex = new Map<string, number>();
  const who: number[] = [];
  const skipped = { noLabel: 0, conflicting: 0, undecodable: 0 };
  for (let i = 0; i < patients.length; i++) {
    const p = patients[i] ?? null;
    const v = p === null ? undefined : byPatient.get(p);
    if (p === null || v === undefined) {
      skipped.noLabel++;
      continue;
    }
    if (Number.isNaN(v)) {
      skipped.conflicting++;
      continue;
    }
    const uid = series[i] ?? null;
    const t = uid === null ? null : images.thumbnail(uid, o.size);
    if (t === null) {
      skipped.undecodable++;
      continue;
    }
    out.push(t);
    labels.push(v);
    if (!patientIndex.has(p)) patientIndex.set(p, patientIndex.size);
    who.push(patientIndex.get(p) ?? -1);
  }
  return {
    size: o.size,
    images: out,
    labels: Float64Array.from(labels),
    levels: label.kind === 'categorical' ? [...label.levels] : null,
    patients: Int32Array.from(who),
    skipped,
  };
}

/**
 * Labelled thumbnails from the node's imaging store: the index at `paths`, joined as
 * joinLabelledImages does.
 * @throws TesseraError as joinLabelledImages; I/O errors of the index as they come.
 */
export async function loadLabelledImages(
  o: JoinImagesOptions & { readonly paths: NodePaths },
): Promise<LabelledImages> {
  const index = await loadDicomIndex(o.paths);
  return joinLabelledImages(storeSeriesImages(index), o);
}

/**
 * A tabular dataset with its pseudonymised ids (ids.txt) as a categorical column named as the
 * imported id column, ready to be `labelsTable`. For joins at the node only: never hand this
 * table to an algorithm (the import keeps ids out of the tables algorithms see).
 * @throws TesseraError NOT_FOUND for an unknown dataset, BAD_REQUEST when it has no id column
 *   or its ids do not match its rows.
 */
export async function loadLabelsTable(
  datasetDir: string,
): Promise<{ table: Table; idColumn: string }> {
  const { schema, table } = await loadTable(datasetDir);
  if (schema.idColumn === null) {
    throw new TesseraError(
      'BAD_REQUEST',
      `dataset ${schema.name} was imported without an id column`,
    );
  }
  const text = await readFile(join(datasetDir, IDS_FILE), 'utf8');
  const ids = text.split('\n').slice(0, schema.rows);
  if (ids.length !== schema.rows) {
    throw new TesseraError('BAD_REQUEST', `dataset ${schema.name}: ids do not match its rows`);
  }
  const levels = [...new Set(ids.filter((v) => v !== ''))].sort();
  const index = new Map(levels.map((l, i) => [l, i]));
  const idColumn: Column = {
    kind: 'categorical',
    levels,
    codes: Int32Array.from(ids, (v) => (v === '' ? -1 : (index.get(v) ?? -1))),
  };
  return {
    table: { rows: table.rows, columns: { ...table.columns, [schema.idColumn]: idColumn } },
    idColumn: schema.idColumn,
  };
}
