/*
 * The imaging dataset declares its identifier columns (issue 7): schema.json lists patient_id,
 * study_uid and series_uid under `identifiers`, and a dataset written before the field existed
 * is rewritten with it at the next rebuild (the node's start-up rebuild at the latest).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_FILE, readDatasetSchema } from '../../data/dataset-format.js';
import { writeJsonAtomic } from '../../store/atomic-file.js';
import { nodePaths, type NodePaths } from '../../store/layout.js';
import { makeNode, makeTempDir } from '../../testing/helpers.js';
import { generateImagingStudies, writeImagingFolder } from '../synth/index.js';
import { loadDicomIndex } from './dicom-index.js';
import { importDicom } from './import.js';
import { materialiseImagingDataset } from './imaging-dataset.js';

let base: { dir: string; cleanup: () => Promise<void> };
let paths: NodePaths;

beforeAll(async () => {
  base = await makeTempDir();
  const { dir } = await makeNode(base.dir);
  paths = nodePaths(dir);
  const studies = generateImagingStudies({
    seed: 3,
    patients: [{ id: 'P-1', sex: 'F', birthDate: '1970-01-01' }],
    studiesPerPatient: 2,
    kinds: ['CT'],
    size: 8,
    slices: 1,
  });
  const folder = join(base.dir, 'in');
  await writeImagingFolder(folder, studies.files);
  await importDicom({ dir, path: folder });
});

afterAll(async () => {
  await base.cleanup();
});

describe('the imaging dataset', () => {
  it('declares patient_id, study_uid and series_uid as its identifier columns', async () => {
    const schema = await readDatasetSchema(paths.dataset('imaging'));
    expect(schema.rows).toBe(2);
    expect(schema.identifiers).toEqual(['patient_id', 'study_uid', 'series_uid']);
    expect(schema.idColumn).toBeNull();
  });

  it('rewrites a dataset whose schema predates identifiers, then leaves it alone', async () => {
    const dir = paths.dataset('imaging');
    const { identifiers: _dropped, ...old } = await readDatasetSchema(dir);
    await writeJsonAtomic(join(dir, SCHEMA_FILE), old);
    const read = await readDatasetSchema(dir);
    expect(read.identifiers).toBeUndefined();
    const index = await loadDicomIndex(paths);
    expect(await materialiseImagingDataset(paths, 'imaging', index)).toMatchObject({
      changed: true,
    });
    const rewritten = await readDatasetSchema(dir);
    expect(rewritten.identifiers).toEqual(['patient_id', 'study_uid', 'series_uid']);
    expect(rewritten.version).not.toBe(old.version);
    expect(rewritten.dataSha256).toBe(old.dataSha256);
    expect(await materialiseImagingDataset(paths, 'imaging', index)).toMatchObject({
      changed: false,
    });
  });

  it('refuses a schema file whose identifiers are not among its variables', async () => {
    const dir = paths.dataset('imaging');
    const schema = await readDatasetSchema(dir);
    await writeJsonAtomic(join(dir, SCHEMA_FILE), { ...schema, identifiers: ['mrn'] });
    await expect(readDatasetSchema(dir)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await writeJsonAtomic(join(dir, SCHEMA_FILE), schema);
  });
});
