import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importDataset } from '../data/import-dataset.js';
import { importDicom } from '../dicom/ingest/import.js';
import { generateImagingStudies, writeImagingFolder } from '../dicom/synth/index.js';
import { approveProject, setPolicy } from '../operator.js';
import { nodePaths } from '../store/layout.js';
import { makeNode, makeTempDir, writeCsvFile } from '../testing/helpers.js';
import { buildCatalogue, readCatalogueInputs, type LevelCountCache } from './build-catalogue.js';

let base: string;
let dir: string;
let cleanup: () => Promise<void>;

/** 30 rows: sex F 18 / M 12, smoker yes 25 / no 5, diagnosis rare (1 row) or common. */
function csv(): string {
  const lines = ['age,sex,smoker,diagnosis'];
  for (let i = 0; i < 30; i++) {
    lines.push(
      `${40 + i},${i < 18 ? 'F' : 'M'},${i < 25 ? 'yes' : 'no'},${i === 0 ? 'rare' : 'common'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function importCsv(name: string, text = csv()) {
  await importDataset({
    dir,
    name,
    file: await writeCsvFile(base, `${name}.csv`, text),
    replace: true,
  });
}

beforeEach(async () => {
  ({ dir: base, cleanup } = await makeTempDir());
  dir = (await makeNode(base)).dir;
});
afterEach(() => cleanup());

describe('the catalogue a node publishes', () => {
  it('lists only datasets exposed to an approved project, with their projects', async () => {
    await importCsv('patients');
    await importCsv('hidden');
    const paths = nodePaths(dir);
    expect((await readCatalogueInputs(paths)).exposures).toEqual([]);
    await approveProject({ dir, project: 'study', datasets: ['patients'] });
    await approveProject({ dir, project: 'audit-2024', datasets: ['patients'] });
    const c = await buildCatalogue(paths, 'st-marys', await readCatalogueInputs(paths), new Map());
    expect(c.trust).toBe('st-marys');
    expect(c.datasets.map((d) => [d.name, d.projects])).toEqual([
      [
        'patients',
        [
          { name: 'audit-2024', id: null },
          { name: 'study', id: null },
        ],
      ],
    ]);
  });

  it('names only levels held by at least minCount rows, and follows a change of minCount', async () => {
    await importCsv('patients');
    await approveProject({ dir, project: 'study', datasets: ['patients'] });
    const paths = nodePaths(dir);
    const cache: LevelCountCache = new Map();
    const levelsOf = async () => {
      const c = await buildCatalogue(paths, 't', await readCatalogueInputs(paths), cache);
      return Object.fromEntries(c.datasets[0]!.variables.map((v) => [v.name, v.levels ?? null]));
    };
    // Default minCount 10: M (12) stays, no (5) and rare (1) are never named.
    expect(await levelsOf()).toEqual({
      age: null,
      sex: ['F', 'M'],
      smoker: ['yes'],
      diagnosis: ['common'],
    });
    await setPolicy({ dir, minCount: 15 });
    expect((await levelsOf()).sex).toEqual(['F']);
    await setPolicy({ dir, minCount: 5 });
    expect((await levelsOf()).smoker).toEqual(['no', 'yes']);
    expect(cache.size).toBe(1);
  });

  it('changes its fingerprint with minCount, approvals and a re-import, and only then', async () => {
    await importCsv('patients');
    const paths = nodePaths(dir);
    const fp = async () => (await readCatalogueInputs(paths)).fingerprint;
    const seen = [await fp()];
    await approveProject({ dir, project: 'study', datasets: ['patients'] });
    seen.push(await fp());
    expect(await fp()).toBe(seen.at(-1));
    await setPolicy({ dir, minCount: 12 });
    seen.push(await fp());
    await importCsv('patients');
    seen.push(await fp());
    await importCsv('unexposed');
    expect(await fp()).toBe(seen.at(-1));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('marks the identifier columns of an imaging dataset and never names a level of theirs', async () => {
    // Two patients with 12 CT studies each: each pseudonym is held by 12 series (rows), more
    // than minCount, so only the identifier mark keeps it from the hub.
    const studies = generateImagingStudies({
      seed: 7,
      patients: [
        { id: 'P-A', sex: 'F', birthDate: '1950-01-01' },
        { id: 'P-B', sex: 'M', birthDate: '1960-01-01' },
      ],
      studiesPerPatient: 12,
      kinds: ['CT'],
      size: 8,
      slices: 1,
    });
    const folder = join(base, 'dicom-in');
    await writeImagingFolder(folder, studies.files);
    expect(await importDicom({ dir, path: folder })).toMatchObject({ stored: 24 });
    await approveProject({ dir, project: 'study', datasets: ['imaging'] });
    const paths = nodePaths(dir);
    const cache: LevelCountCache = new Map();
    const c = await buildCatalogue(paths, 't', await readCatalogueInputs(paths), cache);
    const vars = new Map(c.datasets[0]!.variables.map((v) => [v.name, v]));
    for (const id of ['patient_id', 'study_uid', 'series_uid']) {
      expect(vars.get(id)).toEqual({ name: id, kind: 'categorical', identifier: true });
    }
    // Ordinary categoricals still publish their common levels; none is marked.
    expect(vars.get('modality')).toEqual({ name: 'modality', kind: 'categorical', levels: ['CT'] });
    expect([...vars.values()].filter((v) => v.identifier === true)).toHaveLength(3);
    // No pseudonym or UID anywhere in what is published, and none was counted.
    const published = JSON.stringify(c);
    const schema = JSON.parse(
      await readFile(join(paths.dataset('imaging'), 'schema.json'), 'utf8'),
    ) as { variables: { name: string; levels?: string[] }[] };
    const idLevels = schema.variables
      .filter((v) => ['patient_id', 'study_uid', 'series_uid'].includes(v.name))
      .flatMap((v) => v.levels ?? []);
    expect(idLevels).toHaveLength(2 + 24 + 24);
    for (const level of idLevels) expect(published).not.toContain(level);
    expect(Object.keys([...cache.values()][0] ?? {}).sort()).toEqual(
      ['body_part', 'modality', 'series_description', 'sex'].sort(),
    );
  });
});
