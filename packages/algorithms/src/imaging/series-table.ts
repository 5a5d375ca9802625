import { isoDateToDays } from '../cohort-values.js';
import type { SiteCode } from '@tessera/protocol';
import type { Unfit } from '../table-columns.js';
import { asCategorical } from '../table-info.js';
import type { Column, Table } from '../table.js';

/*
 * The imaging dataset as local steps see it (issue 7): one row per series, with the columns the
 * node's DICOM index writes — patient_id (the keyed pseudonym), study_uid, series_uid (all
 * categorical), modality, body_part, series_description (categorical, the last may be missing),
 * study_date (date, may be missing), instances, rows, columns (numbers), sex, age.
 */

/** The variables an imaging job may group by. */
export const IMAGING_GROUP_VARIABLES = ['modality', 'body_part', 'series_description'] as const;
export type ImagingGroupVariable = (typeof IMAGING_GROUP_VARIABLES)[number];

/** Most groups one site may form; more is refused LEVEL_LIMIT (each group is one output cell). */
export const MAX_IMAGING_GROUPS = 200;

/** Why a job does not fit this site's imaging table, with the code the site refuses with. */
export interface ImagingUnfit extends Unfit {
  readonly code: SiteCode;
}

const unfit = (reason: string, code: SiteCode = 'INVALID_PARAMS'): ImagingUnfit => ({
  unfit: reason,
  code,
});

type Categorical = Extract<Column, { kind: 'categorical' }>;

/** The identifier columns of an imaging table, read as categorical codes. */
export interface SeriesColumns {
  /** The patient_id code of each row; a row without one gets a negative id of its own. */
  readonly patient: Int32Array;
  readonly study: Int32Array;
  readonly series: Categorical;
  readonly instances: Float64Array;
}

/**
 * The columns that identify patients, studies and series, or an Unfit saying which is missing:
 * a tabular dataset lacks them, and the node then refuses rather than fails.
 *
 * These columns are only counted distinct, never released, so algorithms do not list them in
 * `variables()`: the level-density guard, which stops levels that name rows from leaving, would
 * otherwise refuse every imaging job (series_uid has one level per row by construction).
 */
export function seriesColumns(table: Table): SeriesColumns | ImagingUnfit {
  const need = ['patient_id', 'study_uid', 'series_uid'] as const;
  const cats: Categorical[] = [];
  for (const name of need) {
    const col = Object.hasOwn(table.columns, name) ? table.columns[name] : undefined;
    if (col?.kind !== 'categorical') {
      return unfit(`not an imaging dataset: no categorical column ${name}`, 'VARIABLE_MISSING');
    }
    cats.push(col);
  }
  const inst = Object.hasOwn(table.columns, 'instances') ? table.columns['instances'] : undefined;
  if (inst?.kind !== 'number')
    return unfit('not an imaging dataset: no number column instances', 'VARIABLE_MISSING');
  const [patient, study, series] = cats as [Categorical, Categorical, Categorical];
  // A series without a patient id stands for a patient of its own, so it can never make a cell
  // look as if it had no patient behind it.
  const patients = patient.codes.map((c, i) => (c >= 0 ? c : -1 - i));
  return { patient: patients, study: study.codes, series, instances: inst.values };
}

/** The group of every row: an index into `keys`, whose entries hold one value per variable (null: missing). */
export interface Grouping {
  readonly keys: (string | null)[][];
  readonly groupOf: Int32Array;
}

/**
 * Groups the rows by the categorical (or integer-coded) variables `by`, a missing value being a
 * group value of its own (null). Only rows where `keep` is 1 get a group (others -1). Groups are
 * sorted by their values, null last.
 *
 * @returns an ImagingUnfit naming a variable that is absent or not categorical, or too many groups.
 */
export function groupRows(
  table: Table,
  by: readonly string[],
  keep: Uint8Array | null,
): Grouping | ImagingUnfit {
  const cols: Categorical[] = [];
  for (const name of by) {
    const col = Object.hasOwn(table.columns, name) ? table.columns[name] : undefined;
    const cat = col === undefined ? null : asCategorical(col);
    if (cat === null) return unfit(`group variable ${name} is absent or not categorical`);
    cols.push(cat);
  }
  const index = new Map<string, number>();
  const raw: (string | null)[][] = [];
  const first = new Int32Array(table.rows).fill(-1);
  for (let i = 0; i < table.rows; i++) {
    if (keep !== null && keep[i] !== 1) continue;
    const codes = cols.map((c) => c.codes[i] ?? -1);
    const id = codes.join(',');
    let g = index.get(id);
    if (g === undefined) {
      g = raw.length;
      index.set(id, g);
      raw.push(codes.map((code, j) => (code < 0 ? null : (cols[j]?.levels[code] ?? null))));
      if (raw.length > MAX_IMAGING_GROUPS) {
        return unfit(`more than ${MAX_IMAGING_GROUPS} groups at this site`, 'LEVEL_LIMIT');
      }
    }
    first[i] = g;
  }
  const order = raw.map((_, g) => g).sort((a, b) => compareKeys(raw[a] ?? [], raw[b] ?? []));
  const rank = new Int32Array(raw.length);
  order.forEach((g, r) => (rank[g] = r));
  const groupOf = first.map((g) => (g < 0 ? -1 : (rank[g] ?? -1)));
  return { keys: order.map((g) => raw[g] ?? []), groupOf };
}

/** Orders group keys value by value: code-unit order, a missing value (null) after every level. */
export function compareKeys(a: readonly (string | null)[], b: readonly (string | null)[]): number {
  for (let j = 0; j < Math.max(a.length, b.length); j++) {
    const x = a[j] ?? null;
    const y = b[j] ?? null;
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * 1 for the rows whose study_date lies in [from, to] (ISO dates, both inclusive), 0 for the
 * others and for a missing date; null (every row) without a range.
 *
 * @returns an Unfit when the table has no date column study_date or a bound is not a real date.
 */
export function dateMask(
  table: Table,
  range: readonly [string, string] | undefined,
): Uint8Array | null | ImagingUnfit {
  if (range === undefined) return null;
  const col = Object.hasOwn(table.columns, 'study_date') ? table.columns['study_date'] : undefined;
  if (col?.kind !== 'date')
    return unfit('not an imaging dataset: no date column study_date', 'VARIABLE_MISSING');
  const from = isoDateToDays(range[0]);
  const to = isoDateToDays(range[1]);
  if (from === null || to === null) return unfit('dateRange holds a date that does not exist');
  return Uint8Array.from(col.values, (d) => (d >= from && d <= to ? 1 : 0));
}
