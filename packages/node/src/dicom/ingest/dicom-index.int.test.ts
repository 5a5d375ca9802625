import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodePaths } from '../../store/layout.js';
import {
  appendIndex,
  dicomIndexReader,
  loadDicomIndex,
  seriesInstances,
  type InstanceRecord,
} from './dicom-index.js';

const root = mkdtempSync(join(tmpdir(), 'tessera-index-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function makeRecord(o: Partial<InstanceRecord> = {}): InstanceRecord {
  const sop = o.sop ?? '2.25.1';
  const series = o.series ?? '2.25.20';
  const study = o.study ?? '2.25.300';
  return {
    v: 1,
    sop,
    sopClass: '1.2.840.10008.5.1.4.1.1.2',
    series,
    study,
    patient: 'a'.repeat(64),
    modality: 'CT',
    bodyPart: 'CHEST',
    seriesDescription: null,
    studyDate: null,
    sex: null,
    ageYears: null,
    rows: 64,
    columns: 64,
    frames: 1,
    instanceNumber: 1,
    file: `${study}/${series}/${sop}.dcm`,
    bytes: 9000,
    transferSyntax: '1.2.840.10008.1.2.1',
    storedAt: '2025-01-01T00:00:00.000Z',
    ...o,
  };
}

function freshNode(): ReturnType<typeof nodePaths> {
  const paths = nodePaths(mkdtempSync(join(root, 'n')));
  mkdirSync(paths.dicom.root, { recursive: true });
  return paths;
}

describe('the imaging index', () => {
  it('is empty before anything is stored', async () => {
    const index = await loadDicomIndex(freshNode());
    expect(index.instances.size).toBe(0);
  });

  it('deduplicates by SOP Instance UID and sorts a series by instance number', async () => {
    const paths = freshNode();
    await appendIndex(paths.dicom.index, [
      makeRecord({ sop: '2.25.3', instanceNumber: 3 }),
      makeRecord({ sop: '2.25.1', instanceNumber: 1 }),
      makeRecord({ sop: '2.25.2', instanceNumber: 2 }),
    ]);
    await appendIndex(paths.dicom.index, [makeRecord({ sop: '2.25.1', instanceNumber: 1 })]);
    const index = await loadDicomIndex(paths);
    expect(index.instances.size).toBe(3);
    const list = seriesInstances(index, '2.25.20');
    expect(list.map((r) => r.instanceNumber)).toEqual([1, 2, 3]);
    expect(list[0]?.path).toBe(join(paths.dicom.store, '2.25.300', '2.25.20', '2.25.1.dcm'));
    expect(seriesInstances(index, '2.25.999')).toEqual([]);
  });

  it('skips a torn last line, and the next append starts a new line', async () => {
    const paths = freshNode();
    await appendIndex(paths.dicom.index, [makeRecord({ sop: '2.25.1' })]);
    const torn = JSON.stringify(makeRecord({ sop: '2.25.2' })).slice(0, 40);
    appendFileSync(paths.dicom.index, torn);
    const reader = dicomIndexReader(paths);
    expect((await reader.load()).instances.size).toBe(1);
    await appendIndex(paths.dicom.index, [makeRecord({ sop: '2.25.3' })]);
    const after = await reader.load();
    expect([...after.instances.keys()].sort()).toEqual(['2.25.1', '2.25.3']);
    expect(after.skippedLines).toBe(1);
    const fresh = await loadDicomIndex(paths);
    expect(fresh.instances.size).toBe(2);
    expect(fresh.skippedLines).toBe(1);
  });

  it('reads only what was appended since the last load', async () => {
    const paths = freshNode();
    const reader = dicomIndexReader(paths);
    await appendIndex(paths.dicom.index, [makeRecord({ sop: '2.25.1' })]);
    expect((await reader.load()).instances.size).toBe(1);
    await appendIndex(paths.dicom.index, [makeRecord({ sop: '2.25.2', series: '2.25.21' })]);
    const index = await reader.load();
    expect(index.instances.size).toBe(2);
    expect(index.series.size).toBe(2);
  });
});
