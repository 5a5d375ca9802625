import { describe, expect, it } from 'vitest';
import type { InstanceRecord } from './dicom-index.js';
import { IMAGING_COLUMNS, seriesTable } from './series-table.js';

function rec(o: Partial<InstanceRecord>): InstanceRecord {
  return {
    v: 1,
    sop: '2.25.1',
    sopClass: '1.2.840.10008.5.1.4.1.1.2',
    series: '2.25.20',
    study: '2.25.300',
    patient: 'p1',
    modality: 'CT',
    bodyPart: 'CHEST',
    seriesDescription: null,
    studyDate: null,
    sex: null,
    ageYears: null,
    rows: 512,
    columns: 512,
    frames: 1,
    instanceNumber: 1,
    file: '2.25.300/2.25.20/2.25.1.dcm',
    bytes: 1,
    transferSyntax: '1.2.840.10008.1.2.1',
    storedAt: '2025-01-01T00:00:00.000Z',
    ...o,
  };
}

describe('seriesTable', () => {
  it('has one row per series with exactly the imaging columns, missing where removed', () => {
    const series = new Map([
      [
        '2.25.20',
        [
          rec({ sop: '2.25.2', instanceNumber: 2, rows: 256 }),
          rec({ sop: '2.25.1', instanceNumber: 1 }),
          rec({ sop: '2.25.3', instanceNumber: 3 }),
        ],
      ],
      [
        '2.25.21',
        [
          rec({
            series: '2.25.21',
            patient: 'p0',
            modality: 'MR',
            bodyPart: null,
            seriesDescription: 'T1 AX',
            studyDate: '2001-02-03',
            sex: 'F',
            ageYears: 54,
            rows: 128,
            columns: 96,
          }),
        ],
      ],
    ]);
    const t = seriesTable(series);
    expect(t.rows).toBe(2);
    expect(Object.keys(t.columns)).toEqual([...IMAGING_COLUMNS]);
    const c = t.columns;
    // Rows sorted by patient: p0's MR first.
    const level = (name: keyof typeof c, row: number): string | null => {
      const col = c[name];
      if (col.kind !== 'categorical') throw new Error(`${name} is not categorical`);
      const code = col.codes[row] ?? -1;
      return code < 0 ? null : (col.levels[code] ?? null);
    };
    const num = (name: keyof typeof c, row: number): number => {
      const col = c[name];
      if (col.kind === 'categorical') throw new Error(`${name} is categorical`);
      return col.values[row] ?? Number.NaN;
    };
    expect([level('patient_id', 0), level('patient_id', 1)]).toEqual(['p0', 'p1']);
    expect([level('series_uid', 0), level('series_uid', 1)]).toEqual(['2.25.21', '2.25.20']);
    expect([level('modality', 0), level('modality', 1)]).toEqual(['MR', 'CT']);
    expect([level('body_part', 0), level('body_part', 1)]).toEqual([null, 'CHEST']);
    expect([level('series_description', 0), level('series_description', 1)]).toEqual([
      'T1 AX',
      null,
    ]);
    expect(c.study_date.kind).toBe('date');
    expect(num('study_date', 0)).toBe(Date.UTC(2001, 1, 3) / 86_400_000);
    expect(num('study_date', 1)).toBeNaN();
    expect([num('instances', 0), num('instances', 1)]).toEqual([1, 3]);
    // The first instance by Instance Number describes the series (512, not the second's 256).
    expect([num('rows', 0), num('rows', 1)]).toEqual([128, 512]);
    expect([num('columns', 0), num('columns', 1)]).toEqual([96, 512]);
    expect([level('sex', 0), level('sex', 1)]).toEqual(['F', null]);
    expect(num('age', 0)).toBe(54);
    expect(num('age', 1)).toBeNaN();
  });

  it('is empty for an empty index', () => {
    const t = seriesTable(new Map());
    expect(t.rows).toBe(0);
    expect(Object.keys(t.columns)).toHaveLength(IMAGING_COLUMNS.length);
  });
});
