/*
 * Pixel access and labelled thumbnails over a real node store: synthetic CT and MR studies are
 * de-identified into a node folder by the store, a labels CSV is imported with its patient id
 * pseudonymised, and what local steps and training would see is checked against references
 * computed straight from the generator's files (their raw pixel bytes, not the core's decoder).
 */
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTable } from '../../data/dataset-format.js';
import { importDataset } from '../../data/import-dataset.js';
import { nodePaths, type NodePaths } from '../../store/layout.js';
import { dicomConfigSchema } from '../../store/node-config.js';
import { makeNode, makeTempDir, silentLogger } from '../../testing/helpers.js';
import { parseDicomFile } from '../core/parse.js';
import { getNumber } from '../core/values.js';
import { loadDicomIndex, seriesInstances, type DicomIndex } from '../ingest/dicom-index.js';
import { createDicomStore } from '../ingest/store.js';
import { generateImagingStudies, type ImagingStudies } from '../synth/index.js';
import { datasetImagingIndex, imagingNodeDir } from './dataset-images.js';
import { loadLabelledImages, loadLabelsTable } from './labelled.js';
import { storeSeriesImages } from './store-images.js';

let base: { dir: string; cleanup: () => Promise<void> };
let paths: NodePaths;
let studies: ImagingStudies;
let index: DicomIndex;

const SIZE = 32;
const SLICES = 4;
const PATIENTS = Array.from({ length: 8 }, (_, i) => ({
  id: `S1-${String(i + 1).padStart(6, '0')}`,
  sex: i % 2 === 0 ? ('F' as const) : ('M' as const),
  birthDate: `19${String(40 + i * 5)}-03-0${String(1 + (i % 9))}`,
}));

/** Modality values of an original file read from its raw pixel bytes (independent of core/pixels). */
function rawValues(bytes: Uint8Array): { values: number[]; instance: number } {
  const { dataset } = parseDicomFile(bytes);
  const px = dataset.get(0x7fe00010)?.value ?? new Uint8Array();
  const signed = getNumber(dataset, 0x00280103) === 1;
  const intercept = getNumber(dataset, 0x00281052) ?? 0;
  const view = new DataView(px.buffer, px.byteOffset, px.byteLength);
  const values = Array.from(
    { length: px.length / 2 },
    (_, i) => (signed ? view.getInt16(2 * i, true) : view.getUint16(2 * i, true)) + intercept,
  );
  return { values, instance: getNumber(dataset, 0x00200013) ?? 0 };
}

/** Reference histogram: bins found by walking the edges, values outside in the edge bins. */
function referenceHistogram(values: readonly number[], min: number, max: number, bins: number) {
  const w = (max - min) / bins;
  const out = new Array<number>(bins).fill(0);
  for (const v of values) {
    let k = 0;
    while (k < bins - 1 && v >= min + (k + 1) * w) k++;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** The original series' instances, in instance order, as raw modality values. */
const originals = () =>
  studies.series.map((s) =>
    s.files
      .map((n) => rawValues(studies.files.find((f) => f.name === n)?.bytes ?? new Uint8Array()))
      .sort((a, b) => a.instance - b.instance)
      .map((r) => r.values),
  );

/** The original series whose first instance has the same pixels as stored series `uid`. */
function originalOf(uid: string): number[][] {
  const first = seriesInstances(index, uid)[0];
  const stored = rawValues(readFileSync(first?.path ?? '')).values;
  const match = originals().find((o) => JSON.stringify(o[0]) === JSON.stringify(stored));
  if (match === undefined) throw new Error('stored series matches no original');
  return match;
}

beforeAll(async () => {
  base = await makeTempDir();
  paths = nodePaths((await makeNode(base.dir)).dir);
  studies = generateImagingStudies({ seed: 3, patients: PATIENTS, size: SIZE, slices: SLICES });
  const input = join(base.dir, 'input');
  await mkdir(input);
  const store = await createDicomStore({
    paths,
    logger: silentLogger,
    config: () => Promise.resolve(dicomConfigSchema.parse({})),
    datasetDebounceMs: 60_000,
  });
  for (const [i, f] of studies.files.entries()) {
    const file = join(input, `f${String(i)}.dcm`);
    writeFileSync(file, f.bytes);
    const out = await store.ingest(file, { kind: 'import', entry: `file ${String(i + 1)}` });
    expect(out.result).toBe('stored');
  }
  await store.close();
  index = await loadDicomIndex(paths);
  // Labels: patients 1–6 with a diagnosis and a score; patient 7 twice, disagreeing; patient 8 absent.
  const rows = [
    'patient_id,diagnosis,score',
    ...PATIENTS.slice(0, 6).map(
      (p, i) => `${p.id},${i % 3 === 0 ? 'yes' : 'no'},${String(i * 1.5)}`,
    ),
    `${PATIENTS[6]?.id ?? ''},yes,1`,
    `${PATIENTS[6]?.id ?? ''},no,1`,
  ];
  const csv = join(base.dir, 'labels.csv');
  writeFileSync(csv, rows.join('\n') + '\n');
  await importDataset({ dir: paths.dir, name: 'labels', file: csv, idColumn: 'patient_id' });
});

afterAll(async () => {
  await base.cleanup();
});

describe('storeSeriesImages', () => {
  it('histograms every stored series exactly as its original pixels bin', () => {
    const images = storeSeriesImages(index);
    expect(index.series.size).toBe(studies.series.length);
    for (const uid of index.series.keys()) {
      const original = originalOf(uid);
      const [min, max, bins] = [-1100, 2100, 32];
      const h = images.histogram(uid, min, max, bins);
      expect(Array.from(h ?? [])).toEqual(referenceHistogram(original.flat(), min, max, bins));
      expect(Array.from(h ?? []).reduce((a, b) => a + b, 0)).toBe(SIZE * SIZE * SLICES);
    }
  });

  it('thumbnails the middle instance by area averaging (4 × 4 block means at size 8)', () => {
    const images = storeSeriesImages(index);
    for (const uid of index.series.keys()) {
      const middle = originalOf(uid)[Math.floor(SLICES / 2)] ?? [];
      const t = images.thumbnail(uid, 8);
      expect(t).toHaveLength(64);
      for (let i = 0; i < 8; i++) {
        for (let j = 0; j < 8; j++) {
          let sum = 0;
          for (let a = 0; a < 4; a++)
            for (let b = 0; b < 4; b++) sum += middle[(4 * i + a) * SIZE + 4 * j + b] ?? 0;
          // Tolerance: float32 rounding of means below 5000.
          expect(Math.abs((t?.[i * 8 + j] ?? Number.NaN) - sum / 16)).toBeLessThan(1e-3);
        }
      }
    }
  });

  it('gives null for an unknown series and for one whose stored file no longer decodes', () => {
    const [uid] = [...index.series.keys()];
    const images = storeSeriesImages(index);
    expect(images.histogram('2.25.1', 0, 1, 1)).toBeNull();
    expect(images.thumbnail('2.25.1', 4)).toBeNull();
    const path = seriesInstances(index, uid ?? '')[1]?.path ?? '';
    const saved = readFileSync(path);
    try {
      truncateSync(path, saved.length - 100);
      const fresh = storeSeriesImages(index);
      expect(fresh.histogram(uid ?? '', -1100, 2100, 8)).toBeNull();
    } finally {
      writeFileSync(path, saved);
    }
    expect(storeSeriesImages(index).histogram(uid ?? '', -1100, 2100, 8)).not.toBeNull();
  });

  it('refuses arguments outside the contract', () => {
    const images = storeSeriesImages(index);
    expect(() => images.histogram('x', 1, 1, 4)).toThrow(RangeError);
    expect(() => images.histogram('x', 0, 1, 0)).toThrow(RangeError);
    expect(() => images.thumbnail('x', 0)).toThrow(RangeError);
  });
});

describe('the imaging dataset and its pixels', () => {
  it('finds the index behind the imaging dataset, and none behind a tabular one', async () => {
    expect(imagingNodeDir(paths.dataset('imaging'))).toBe(paths.dir);
    expect(imagingNodeDir(paths.dataset('labels'))).toBeNull();
    expect((await datasetImagingIndex(paths.dataset('imaging')))?.series.size).toBe(
      index.series.size,
    );
    expect(await datasetImagingIndex(paths.dataset('labels'))).toBeNull();
  });
});

describe('loadLabelledImages', () => {
  it('joins thumbnails with the labels of the same pseudonymised patient', async () => {
    const { table: imagingTable } = await loadTable(paths.dataset('imaging'));
    const { table: labelsTable, idColumn } = await loadLabelsTable(paths.dataset('labels'));
    expect(idColumn).toBe('patient_id');
    const out = await loadLabelledImages({
      paths,
      imagingTable,
      labelsTable,
      idColumn,
      labelColumn: 'diagnosis',
      size: 4,
    });
    const perPatient = (i: number) =>
      studies.series.filter((s) => s.patientId === PATIENTS[i]?.id).length;
    const labelled = [0, 1, 2, 3, 4, 5].reduce((n, i) => n + perPatient(i), 0);
    expect(out.images).toHaveLength(labelled);
    expect(out.skipped).toEqual({
      noLabel: perPatient(7),
      conflicting: perPatient(6),
      undecodable: 0,
    });
    expect(out.levels).toEqual(['no', 'yes']);
    expect(new Set(out.patients).size).toBe(6);
    // The label of each image is its patient's: 'yes' for patients 1 and 4 (i % 3 === 0).
    const yes = perPatient(0) + perPatient(3);
    expect(Array.from(out.labels).filter((l) => l === 1)).toHaveLength(yes);
    // Each thumbnail is the store's thumbnail of a series of a labelled patient.
    for (const t of out.images) expect(t).toHaveLength(16);
    const scores = await loadLabelledImages({
      paths,
      imagingTable,
      labelsTable,
      idColumn,
      labelColumn: 'score',
      size: 4,
    });
    expect(scores.levels).toBeNull();
    // Patient 7's two rows agree on the score (1), so its series are labelled this time.
    expect([...new Set(scores.labels)].sort((a, b) => a - b)).toEqual([0, 1, 1.5, 3, 4.5, 6, 7.5]);
    expect(scores.skipped).toEqual({ noLabel: perPatient(7), conflicting: 0, undecodable: 0 });
  });

  it('refuses a missing column, a tabular dataset without ids, and a size out of range', async () => {
    const { table: imagingTable } = await loadTable(paths.dataset('imaging'));
    const { table: labelsTable } = await loadLabelsTable(paths.dataset('labels'));
    const base = { paths, imagingTable, labelsTable, idColumn: 'patient_id', size: 4 };
    await expect(loadLabelledImages({ ...base, labelColumn: 'nope' })).rejects.toThrow(
      'the labels table has no column nope',
    );
    await expect(loadLabelledImages({ ...base, labelColumn: 'score', size: 0 })).rejects.toThrow(
      /size must be an integer/,
    );
    await expect(loadLabelsTable(paths.dataset('imaging'))).rejects.toThrow(/without an id column/);
  });
});
