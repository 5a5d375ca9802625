import { describe, expect, it } from 'vitest';
import { runLocalStep } from '../../run-local-step.js';
import { seededRandomBytes, simulateJob } from '../../simulate.js';
import { categoricalColumn, makeTable, numberColumn } from '../../table-info.js';
import type { Table } from '../../table.js';
import {
  splitByPatient,
  syntheticSeries,
  syntheticSeriesTable,
  type SyntheticSeries,
} from '../synthetic-series.js';
import {
  IMAGING_COHORT_STEP,
  PATIENTS_NOTE,
  imagingCohort,
  type ImagingCohortLocalOutput,
  type ImagingCohortParams,
  type ImagingCohortResult,
} from './index.js';

type Counts = { patients: number; studies: number; series: number; instances: number };
const GROUP_COLUMNS = {
  modality: (s: SyntheticSeries) => s.modality,
  body_part: (s: SyntheticSeries) => s.bodyPart,
  series_description: (s: SyntheticSeries) => s.description,
} as const;

/**
 * Independent reference: the counts of each group computed straight from the pooled series list
 * (strings, not table codes), groups keyed by their JSON.
 */
function reference(
  series: readonly SyntheticSeries[],
  by: readonly (keyof typeof GROUP_COLUMNS)[],
  range?: [string, string],
): { groups: Map<string, Counts>; totals: Counts } {
  const inRange = series.filter(
    (s) =>
      range === undefined ||
      (s.studyDate !== null && s.studyDate >= range[0] && s.studyDate <= range[1]),
  );
  const count = (xs: readonly SyntheticSeries[]): Counts => ({
    patients: new Set(xs.map((s) => s.patient)).size,
    studies: new Set(xs.map((s) => s.study)).size,
    series: xs.length,
    instances: xs.reduce((n, s) => n + (s.frames?.length ?? 3), 0),
  });
  const buckets = new Map<string, SyntheticSeries[]>();
  for (const s of inRange) {
    const key = JSON.stringify(Object.fromEntries(by.map((v) => [v, GROUP_COLUMNS[v](s)])));
    buckets.set(key, [...(buckets.get(key) ?? []), s]);
  }
  return {
    groups: new Map([...buckets].map(([k, xs]) => [k, count(xs)])),
    totals: count(inRange),
  };
}

function run(params: unknown, tables: readonly Table[], minCount = 10): ImagingCohortResult {
  const { decision } = simulateJob(imagingCohort, params, tables, {
    policy: { minCount, allowMinMax: false },
  });
  if (decision.kind !== 'done') throw new Error(`${decision.code}: ${decision.reason}`);
  return decision.result as ImagingCohortResult;
}

function localOutput(table: Table, params: unknown, minCount = 10) {
  return runLocalStep(imagingCohort, IMAGING_COHORT_STEP, {
    table,
    params: imagingCohort.params.parse(params),
    input: null,
    round: 0,
    policy: { minCount, allowMinMax: false },
    randomBytes: seededRandomBytes(1),
  });
}

/** A site whose series are given as [modality, patients, series per patient]. */
function site(groups: readonly [string, number, number][], prefix = 'p'): Table {
  const rows: { patient: string; study: string; modality: string }[] = [];
  for (const [modality, patients, per] of groups) {
    for (let p = 0; p < patients; p++) {
      for (let k = 0; k < per; k++) {
        rows.push({
          patient: `${prefix}${modality}${p}`,
          study: `${prefix}${modality}${p}.${k}`,
          modality,
        });
      }
    }
  }
  return makeTable({
    patient_id: categoricalColumn(rows.map((r) => r.patient)),
    study_uid: categoricalColumn(rows.map((r) => r.study)),
    series_uid: categoricalColumn(rows.map((r, i) => `${r.study}.${i}`)),
    modality: categoricalColumn(rows.map((r) => r.modality)),
    instances: numberColumn(rows.map(() => 10)),
  });
}

const POOLED = syntheticSeries({ seed: 7, patients: 150 });

describe('imaging-cohort', () => {
  it.each([1, 3, 5])(
    'equals the pooled counts by modality when the patients are split over %i site(s)',
    (sites) => {
      const tables = splitByPatient(POOLED, sites, 100 + sites).map(syntheticSeriesTable);
      const res = run({}, tables);
      const ref = reference(POOLED, ['modality']);
      expect(res.sites).toBe(sites);
      expect(res.totals).toEqual(ref.totals);
      expect(res.groups.map((g) => g.key)).toEqual([{ modality: 'CT' }, { modality: 'MR' }]);
      for (const g of res.groups) {
        const { key, ...counts } = g;
        expect(counts).toEqual(ref.groups.get(JSON.stringify(key)));
      }
      expect(res.note).toBe(PATIENTS_NOTE);
    },
  );

  it('equals the pooled counts in a date range, grouped by modality and body part', () => {
    const range: [string, string] = ['2021-01-01', '2022-06-30'];
    const params = { groupBy: ['body_part', 'modality'], dateRange: range };
    const pooled = syntheticSeries({ seed: 8, patients: 400 });
    const tables = splitByPatient(pooled, 2, 9).map(syntheticSeriesTable);
    const res = run(params, tables);
    const ref = reference(pooled, ['body_part', 'modality'], range);
    expect(res.dateRange).toEqual(range);
    expect(res.totals).toEqual(ref.totals);
    expect(res.groups).toHaveLength(ref.groups.size);
    for (const g of res.groups) {
      const { key, ...counts } = g;
      expect(counts).toEqual(ref.groups.get(JSON.stringify(key)));
    }
  });

  it('never releases a group count below minCount, and hides at least minCount patients in all', () => {
    const by = ['modality', 'body_part', 'series_description'] as const;
    const series = syntheticSeries({ seed: 3, patients: 60 });
    const out = localOutput(syntheticSeriesTable(series), { groupBy: by });
    expect(out.status).toBe('ok');
    const output = (out as { output: ImagingCohortLocalOutput }).output;
    const ref = reference(series, [...by]);
    const hidden = output.groups.filter((g) => g.counts.patients === null);
    expect(hidden.length).toBeGreaterThanOrEqual(2);
    for (const g of output.groups) {
      const key = JSON.stringify(Object.fromEntries(by.map((v, j) => [v, g.key[j]])));
      const exact = ref.groups.get(key);
      if (g.counts.patients === null) {
        expect(g.counts).toEqual({ patients: null, studies: null, series: null, instances: null });
      } else {
        expect(g.counts).toEqual(exact);
        expect(g.counts.patients).toBeGreaterThanOrEqual(10);
      }
    }
    const hiddenPatients = new Set(
      series
        .filter((s) => hidden.some((g) => by.every((v, j) => GROUP_COLUMNS[v](s) === g.key[j])))
        .map((s) => s.patient),
    );
    expect(hiddenPatients.size).toBeGreaterThanOrEqual(10);
  });

  it('suppresses a group under minCount and, secondarily, the smallest other group', () => {
    const table = site([
      ['CT', 14, 2],
      ['MR', 11, 1],
      ['PT', 3, 1],
    ]);
    const out = localOutput(table, {});
    expect(out).toEqual({
      status: 'ok',
      output: {
        totals: { patients: 28, studies: 42, series: 42, instances: 420 },
        groups: [
          { key: ['CT'], counts: { patients: 14, studies: 28, series: 28, instances: 280 } },
          { key: ['MR'], counts: { patients: null, studies: null, series: null, instances: null } },
          { key: ['PT'], counts: { patients: null, studies: null, series: null, instances: null } },
        ],
      },
    });
  });

  it('pools a group suppressed at one site as null, and the sites’ totals exactly', () => {
    const a = site([
      ['CT', 20, 1],
      ['MR', 12, 1],
    ]);
    const b = site(
      [
        ['CT', 15, 1],
        ['MR', 10, 1],
        ['PT', 2, 1],
      ],
      'q',
    );
    const res = run({}, [a, b]);
    expect(res.groups).toEqual([
      { key: { modality: 'CT' }, patients: 35, studies: 35, series: 35, instances: 350 },
      { key: { modality: 'MR' }, patients: null, studies: null, series: null, instances: null },
      { key: { modality: 'PT' }, patients: null, studies: null, series: null, instances: null },
    ]);
    expect(res.totals).toEqual({ patients: 59, studies: 59, series: 59, instances: 590 });
  });

  it('counts a patient imaged at two sites twice, as pseudonyms differ across nodes', () => {
    const a = site([['CT', 12, 1]]);
    const res = run({}, [a, site([['CT', 12, 1]])]);
    expect(res.totals.patients).toBe(24);
    expect(res.note).toMatch(/counts twice/);
  });

  it('groups series without a description as null, after every description', () => {
    const series = syntheticSeries({ seed: 11, patients: 400 });
    const res = run({ groupBy: ['series_description'] }, [syntheticSeriesTable(series)]);
    expect(res.groups.map((g) => g.key['series_description'])).toEqual([
      'CT 5mm',
      'CT ANGIO',
      'T1 AX',
      'T2 AX',
      null,
    ]);
  });

  it('refuses MIN_COUNT when the series in the date range belong to fewer than minCount patients', () => {
    const series = syntheticSeries({ seed: 5, patients: 40 });
    const out = localOutput(syntheticSeriesTable(series), {
      dateRange: ['2020-01-01', '2020-02-15'],
    });
    expect(out).toEqual({
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'the series in the date range belong to fewer than 10 patients',
    });
    expect(
      new Set(series.filter((s) => (s.studyDate ?? '9') <= '2020-02-15').map((s) => s.patient))
        .size,
    ).toBeGreaterThan(0);
  });

  it('refuses a tabular dataset (VARIABLE_MISSING) and a table under minCount rows', () => {
    const tabular = makeTable({
      modality: categoricalColumn(Array<string>(30).fill('CT')),
      instances: numberColumn(Array<number>(30).fill(1)),
    });
    expect(localOutput(tabular, {})).toMatchObject({
      status: 'refused',
      code: 'VARIABLE_MISSING',
      reason: 'not an imaging dataset: no categorical column patient_id',
    });
    expect(localOutput(site([['CT', 9, 1]]), {})).toMatchObject({
      status: 'refused',
      code: 'MIN_COUNT',
    });
  });

  it('refuses a group variable that is not categorical (INVALID_PARAMS)', () => {
    const t = site([['CT', 12, 1]]);
    const table = makeTable({
      ...t.columns,
      body_part: numberColumn(Array.from({ length: t.rows }, (_, i) => i + 0.5)),
    });
    expect(localOutput(table, { groupBy: ['body_part'] })).toMatchObject({
      status: 'refused',
      code: 'INVALID_PARAMS',
      reason: 'group variable body_part is absent or not categorical',
    });
  });

  it('fails INVALID_OUTPUT at the hub for an output of the wrong shape', () => {
    const params = imagingCohort.params.parse({});
    const bad = { totals: { patients: 10, studies: 10, series: 10 }, groups: [] };
    expect(
      imagingCohort.aggregate(params, null, IMAGING_COHORT_STEP, [
        { trust: 'a', status: 'ok', output: bad },
      ]),
    ).toMatchObject({ kind: 'failed', code: 'INVALID_OUTPUT' });
    expect(
      imagingCohort.aggregate(params, null, IMAGING_COHORT_STEP, [
        { trust: 'a', status: 'refused', code: 'MIN_COUNT', reason: 'x' },
      ]),
    ).toMatchObject({ kind: 'failed', code: 'NO_SITES' });
  });

  it('reads the group variables (and study_date with a range), never the identifiers', () => {
    const p: ImagingCohortParams = imagingCohort.params.parse({
      groupBy: ['body_part'],
      dateRange: ['2020-01-01', '2020-12-31'],
    });
    expect(imagingCohort.variables(p)).toEqual(['body_part', 'instances', 'study_date']);
  });
});

describe('imaging-cohort params', () => {
  const parse = (p: unknown) => imagingCohort.params.safeParse(p);
  it('defaults groupBy to modality', () => {
    expect(parse({}).data).toEqual({ groupBy: ['modality'] });
  });
  it.each([
    ['an unknown group variable', { groupBy: ['patient_id'] }],
    ['a repeated group variable', { groupBy: ['modality', 'modality'] }],
    ['an empty groupBy', { groupBy: [] }],
    ['a date that does not exist', { dateRange: ['2023-02-30', '2023-03-01'] }],
    ['a reversed range', { dateRange: ['2023-03-01', '2023-02-01'] }],
    ['a date with a time', { dateRange: ['2023-03-01T00:00:00Z', '2023-04-01'] }],
    ['an unknown field', { extra: 1 }],
  ])('refuses %s', (_w, p) => {
    expect(parse(p).success).toBe(false);
  });
});
