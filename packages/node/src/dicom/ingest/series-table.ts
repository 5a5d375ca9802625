import type { Column } from '@tessera/algorithms';
import { parseDate } from '../../data/infer.js';
import type { InstanceRecord } from './dicom-index.js';

/*
 * The imaging dataset's table (issue 7, "imaging datasets exposed to projects like tabular
 * ones"): one row per series, so approval, the catalogue, cohorts and the disclosure guards work
 * on it unchanged. A series' descriptive values are those of its first instance by Instance
 * Number; `instances` counts its stored instances.
 */

/** The columns of an imaging dataset, in order. */
export const IMAGING_COLUMNS = [
  'patient_id',
  'study_uid',
  'series_uid',
  'modality',
  'body_part',
  'series_description',
  'study_date',
  'instances',
  'rows',
  'columns',
  'sex',
  'age',
] as const;

/**
 * The identifier columns among them: the keyed patient pseudonym (the value tabular imports give
 * the same patient) and the remapped study and series UIDs. The dataset declares them
 * (schema.json `identifiers`): the catalogue lists none of their levels and the node refuses a
 * job whose variables or cohort name one; the imaging algorithms count them implicitly.
 */
export const IMAGING_IDENTIFIERS = [
  'patient_id',
  'study_uid',
  'series_uid',
] as const satisfies readonly (typeof IMAGING_COLUMNS)[number][];

/** Builds the one-row-per-series table from the index's series (pure). */
export function seriesTable(series: ReadonlyMap<string, readonly InstanceRecord[]>): {
  rows: number;
  columns: Record<(typeof IMAGING_COLUMNS)[number], Column>;
} {
  const firsts: { first: InstanceRecord; count: number }[] = [];
  for (const list of series.values()) {
    const first = [...list].sort(byInstance)[0];
    if (first !== undefined) firsts.push({ first, count: list.length });
  }
  firsts.sort(
    (a, b) =>
      cmp(a.first.patient, b.first.patient) ||
      cmp(a.first.study, b.first.study) ||
      cmp(a.first.series, b.first.series),
  );
  const pick = <T>(f: (r: InstanceRecord) => T): T[] => firsts.map((s) => f(s.first));
  return {
    rows: firsts.length,
    columns: {
      patient_id: categorical(pick((r) => (r.patient === '' ? null : r.patient))),
      study_uid: categorical(pick((r) => r.study)),
      series_uid: categorical(pick((r) => r.series)),
      modality: categorical(pick((r) => r.modality)),
      body_part: categorical(pick((r) => r.bodyPart)),
      series_description: categorical(pick((r) => r.seriesDescription)),
      study_date: {
        kind: 'date',
        values: Float64Array.from(
          pick((r) => (r.studyDate === null ? Number.NaN : (parseDate(r.studyDate) ?? Number.NaN))),
        ),
      },
      instances: number(firsts.map((s) => s.count)),
      rows: number(pick((r) => r.rows)),
      columns: number(pick((r) => r.columns)),
      sex: categorical(pick((r) => r.sex)),
      age: number(pick((r) => r.ageYears)),
    },
  };
}

function byInstance(a: InstanceRecord, b: InstanceRecord): number {
  const ai = a.instanceNumber ?? Number.MAX_SAFE_INTEGER;
  const bi = b.instanceNumber ?? Number.MAX_SAFE_INTEGER;
  return ai - bi || cmp(a.sop, b.sop);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function number(values: readonly (number | null)[]): Column {
  return { kind: 'number', values: Float64Array.from(values, (v) => v ?? Number.NaN) };
}

/** Sorted levels, missing (null or blank) as code -1, as the CSV import encodes categoricals. */
function categorical(values: readonly (string | null)[]): Column {
  const levels = [
    ...new Set(values.filter((v): v is string => v !== null && v.trim() !== '')),
  ].sort(cmp);
  const index = new Map(levels.map((l, i) => [l, i]));
  return {
    kind: 'categorical',
    levels,
    codes: Int32Array.from(values, (v) => (v === null ? -1 : (index.get(v) ?? -1))),
  };
}
