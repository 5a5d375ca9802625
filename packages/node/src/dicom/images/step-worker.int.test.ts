/*
 * The step worker hands imaging jobs pixel access (issue 7): the real compiled worker (the suite
 * builds before vitest) runs image-stats and imaging-cohort on a node whose store took synthetic
 * studies, and the results equal references computed from the generator's raw pixel bytes. A
 * tabular dataset gets no pixel access, and a warm worker sees series stored after its first step
 * once the imaging dataset is rebuilt.
 */
import { writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDatasetSchema } from '../../data/dataset-format.js';
import { importDataset } from '../../data/import-dataset.js';
import { createExecutor, type Executor } from '../../exec/executor.js';
import { nodePaths, type NodePaths } from '../../store/layout.js';
import { dicomConfigSchema } from '../../store/node-config.js';
import {
  makeCsv,
  makeNode,
  makeTempDir,
  silentLogger,
  writeCsvFile,
} from '../../testing/helpers.js';
import { parseDicomFile } from '../core/parse.js';
import { getNumber } from '../core/values.js';
import { createDicomStore, type DicomStore } from '../ingest/store.js';
import { generateImagingStudies, type ImagingStudies, type SynthPatient } from '../synth/index.js';

const REAL_WORKER = new URL('../../../dist/exec/step-worker.js', import.meta.url);
// Two bins: air below −400 HU, body above (bone clamped into it). Every image has both, so every
// bin has all patients behind it and none is suppressed.
const PARAMS = { min: -1100, max: 300, bins: 2 };
const POLICY = { minCount: 10, allowMinMax: false };

let base: { dir: string; cleanup: () => Promise<void> };
let paths: NodePaths;
let store: DicomStore;
let executor: Executor;
let input = '';

const patients = (from: number, n: number): SynthPatient[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `S1-${String(from + i).padStart(6, '0')}`,
    sex: i % 2 === 0 ? 'F' : 'M',
    birthDate: '1960-01-01',
  }));

/** CT studies only (one series each), so the references are per modality without matching. */
const generate = (seed: number, list: SynthPatient[]): ImagingStudies =>
  generateImagingStudies({ seed, patients: list, kinds: ['CT'], size: 16, slices: 2 });

/** Modality values of every file, read from the raw pixel bytes (independent of core/pixels). */
function rawPixels(studies: ImagingStudies): number[] {
  return studies.files.flatMap((f) => {
    const { dataset } = parseDicomFile(f.bytes);
    const px = dataset.get(0x7fe00010)?.value ?? new Uint8Array();
    const view = new DataView(px.buffer, px.byteOffset, px.byteLength);
    const intercept = getNumber(dataset, 0x00281052) ?? 0;
    return Array.from({ length: px.length / 2 }, (_, i) => view.getInt16(2 * i, true) + intercept);
  });
}

function referenceHistogram(values: readonly number[]): number[] {
  const { min, max, bins } = PARAMS;
  const w = (max - min) / bins;
  const out = new Array<number>(bins).fill(0);
  for (const v of values) {
    let k = 0;
    while (k < bins - 1 && v >= min + (k + 1) * w) k++;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

async function ingest(studies: ImagingStudies, tag: string): Promise<void> {
  for (const [i, f] of studies.files.entries()) {
    const file = join(input, `${tag}-${String(i)}.dcm`);
    writeFileSync(file, f.bytes);
    await store.ingest(file, { kind: 'import', entry: `${tag} ${String(i)}` });
  }
  await store.flush(true);
}

const stored = async (name: string) => {
  const dir = paths.dataset(name);
  return { dir, version: (await readDatasetSchema(dir)).version };
};

/** Runs a step as the task runner does, with params already parsed (defaults filled in). */
const step = async (algorithm: string, stepName: string, params: object, dataset = 'imaging') =>
  executor.run({
    algorithm,
    step: stepName,
    datasets: [await stored(dataset)],
    cohort: null,
    params: { groupBy: ['modality'], ...params },
    input: null,
    round: 0,
    policy: POLICY,
  });

let first: ImagingStudies;

beforeAll(async () => {
  base = await makeTempDir();
  paths = nodePaths((await makeNode(base.dir)).dir);
  input = join(base.dir, 'input');
  await mkdir(input);
  store = await createDicomStore({
    paths,
    logger: silentLogger,
    config: () => Promise.resolve(dicomConfigSchema.parse({})),
    datasetDebounceMs: 60_000,
  });
  first = generate(1, patients(1, 12));
  await ingest(first, 'a');
  const csv = await writeCsvFile(base.dir, 'tab.csv', makeCsv(30));
  await importDataset({ dir: paths.dir, name: 'tab', file: csv });
  executor = createExecutor({ workerUrl: REAL_WORKER, poolSize: 1, logger: silentLogger });
});

afterAll(async () => {
  await executor.close(0);
  await store.close();
  await base.cleanup();
});

describe('the step worker on an imaging dataset', () => {
  it('runs image-stats on the stored pixels, equal to the raw pixels binned', async () => {
    const out = await step('image-stats', 'histograms', PARAMS);
    expect(out).toMatchObject({ status: 'ok' });
    const groups = (
      out as { output: { groups: { key: string[]; counts: number[]; patients: number }[] } }
    ).output.groups;
    expect(groups.map((g) => g.key)).toEqual([['CT']]);
    expect(groups[0]?.patients).toBe(12);
    expect(groups[0]?.counts).toEqual(referenceHistogram(rawPixels(first)));
  });

  it('runs imaging-cohort on the same table', async () => {
    const out = await step('imaging-cohort', 'counts', {});
    expect(out).toMatchObject({
      status: 'ok',
      output: { totals: { patients: 12, studies: 12, series: 12, instances: 24 } },
    });
  });

  it('gives a tabular dataset no pixel access', async () => {
    const out = await step('image-stats', 'histograms', PARAMS, 'tab');
    expect(out).toMatchObject({ status: 'refused', code: 'INVALID_PARAMS' });
  });

  it('a warm worker sees series stored later once the imaging dataset is rebuilt', async () => {
    const before = await stored('imaging');
    const more = generate(2, patients(13, 3));
    await ingest(more, 'b');
    expect((await stored('imaging')).version).not.toBe(before.version);
    const out = await step('image-stats', 'histograms', PARAMS);
    const groups = (out as { output: { groups: { counts: number[]; patients: number }[] } }).output
      .groups;
    expect(groups[0]?.patients).toBe(15);
    expect(groups[0]?.counts).toEqual(
      referenceHistogram([...rawPixels(first), ...rawPixels(more)]),
    );
  });
});
