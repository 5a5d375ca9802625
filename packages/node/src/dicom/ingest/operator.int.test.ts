import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDatasetSchema } from '../../data/dataset-format.js';
import { importDataset } from '../../data/import-dataset.js';
import { readAudit } from '../../store/audit-log.js';
import { nodePaths } from '../../store/layout.js';
import { loadNodeConfig } from '../../store/node-config.js';
import { makeNode, makeTempDir, silentLogger } from '../../testing/helpers.js';
import { generateImagingStudies } from '../synth/index.js';
import { loadDicomIndex } from './dicom-index.js';
import { materialiseImagingDataset } from './imaging-dataset.js';
import { deleteDicomEntry, listDicomEntries, setDicomPolicy } from './operator.js';
import { createDicomStore } from './store.js';

let base: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  base = await makeTempDir();
});

afterAll(async () => {
  await base.cleanup();
});

describe('node init with a DICOM receiver', () => {
  it('writes the dicom section and the DICOM key (0600)', async () => {
    const { dir } = await makeNode(join(base.dir, 'a'), {
      dicom: { port: 11112, aeTitle: 'TESSERA_A', allow: ['PACS1', ' CT_ROOM '] },
    });
    const paths = nodePaths(dir);
    const config = await loadNodeConfig(paths);
    expect(config.dicom).toMatchObject({
      port: 11112,
      host: '0.0.0.0',
      aeTitle: 'TESSERA_A',
      allow: ['PACS1', 'CT_ROOM'],
      dataset: 'imaging',
      deid: { retainLongitudinalTemporal: false, allowBurnedIn: false },
    });
    expect(statSync(paths.dicomKey).mode & 0o777).toBe(0o600);
    expect(statSync(paths.dicomKey).size).toBe(32);
  });

  it('lists every problem with the DICOM options, and writes nothing', async () => {
    const err = await makeNode(join(base.dir, 'b'), {
      dicom: {
        port: 70000,
        aeTitle: 'A_TITLE_FAR_TOO_LONG',
        allow: ['BACK\\SLASH'],
        tls: { key: '/nope/key.pem', cert: '/nope/cert.pem', requireClientCert: true },
      },
    }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain('the DICOM port must be 0–65535');
    expect(err?.message).toContain('at most 16 characters');
    expect(err?.message).toContain('without backslash');
    expect(err?.message).toContain('the DICOM TLS key file /nope/key.pem does not exist');
    expect(err?.message).toContain('--dicom-tls-require-client needs --dicom-tls-ca');
    await expect(loadNodeConfig(nodePaths(join(base.dir, 'b', 'node')))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('refuses AE titles or TLS without a port', async () => {
    await expect(makeNode(join(base.dir, 'c'), { dicom: { allow: ['PACS1'] } })).rejects.toThrow(
      /need --dicom-port/,
    );
  });
});

describe('the operator and the imaging store', () => {
  it('changes the de-identification policy in node.json, audited before and after', async () => {
    const { dir } = await makeNode(join(base.dir, 'd'));
    const after = await setDicomPolicy(dir, { retainDates: true, allowBurnedIn: true });
    expect(after).toMatchObject({
      retainLongitudinalTemporal: true,
      allowBurnedIn: true,
      cleanDescriptors: false,
    });
    const config = await loadNodeConfig(nodePaths(dir));
    expect(config.dicom?.deid.retainLongitudinalTemporal).toBe(true);
    const again = await setDicomPolicy(dir, { retainDates: false });
    expect(again).toMatchObject({ retainLongitudinalTemporal: false, allowBurnedIn: true });
    const audit = await readAudit(nodePaths(dir).audit);
    const changes = audit.entries.filter((e) => e.action === 'dicom.policy-changed');
    expect(changes).toHaveLength(2);
    expect(changes[1]?.details).toMatchObject({
      before: { retainLongitudinalTemporal: true },
      after: { retainLongitudinalTemporal: false },
    });
  });

  it('a retained date shows in the imaging dataset once the operator retains dates', async () => {
    const { dir } = await makeNode(join(base.dir, 'e'));
    await setDicomPolicy(dir, { retainDates: true, retainPatientCharacteristics: true });
    const paths = nodePaths(dir);
    const studies = generateImagingStudies({
      seed: 5,
      patients: [{ id: 'OP-1', sex: 'F', birthDate: '1950-01-01' }],
      size: 16,
      slices: 1,
      kinds: ['CT'],
    });
    const store = await createDicomStore({
      paths,
      logger: silentLogger,
      datasetDebounceMs: 60_000,
    });
    const file = join(base.dir, 'op1.dcm');
    writeFileSync(file, studies.files[0]?.bytes ?? new Uint8Array());
    expect((await store.ingest(file, { kind: 'import', entry: 'file 1' })).result).toBe('stored');
    await store.flush(true);
    await store.close();
    const [rec] = [...(await loadDicomIndex(paths)).instances.values()];
    // Shifted, so not the planted study date; a real date all the same.
    expect(rec?.studyDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(rec?.studyDate).not.toBe(studies.series[0]?.studyDate);
    expect(rec?.sex).toBe('F');
    expect(rec?.ageYears).toBeGreaterThan(60);
  });

  it('deletes a quarantined entry for good, audited', async () => {
    const { dir } = await makeNode(join(base.dir, 'f'));
    const paths = nodePaths(dir);
    const store = await createDicomStore({ paths, logger: silentLogger });
    const junk = join(base.dir, 'junk.dcm');
    writeFileSync(junk, Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.alloc(10)]));
    const out = await store.ingest(junk, { kind: 'import', entry: 'file 1' });
    await store.close();
    if (out.result !== 'quarantined') throw new Error(`not quarantined: ${out.result}`);
    expect((await listDicomEntries(dir, 'quarantine')).map((e) => e.id)).toEqual([out.id]);
    await deleteDicomEntry(dir, 'quarantine', out.id);
    expect(await listDicomEntries(dir, 'quarantine')).toEqual([]);
    await expect(deleteDicomEntry(dir, 'quarantine', out.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const audit = await readAudit(paths.audit);
    expect(audit.entries.find((e) => e.action === 'dicom.deleted')?.target).toBe(
      `dicom:quarantine:${out.id}`,
    );
  });

  it('never overwrites a tabular dataset that has the imaging dataset name, and skips an unchanged table', async () => {
    const { dir } = await makeNode(join(base.dir, 'g'));
    const paths = nodePaths(dir);
    const csv = join(base.dir, 'imaging.csv');
    writeFileSync(csv, 'a,b\n1,2\n');
    await importDataset({ dir, name: 'imaging', file: csv });
    const index = await loadDicomIndex(paths);
    await expect(materialiseImagingDataset(paths, 'imaging', index)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(
      (await readDatasetSchema(paths.dataset('imaging'))).variables.map((v) => v.name),
    ).toEqual(['a', 'b']);
    const first = await materialiseImagingDataset(paths, 'scans', index);
    const version = (await readDatasetSchema(paths.dataset('scans'))).version;
    const second = await materialiseImagingDataset(paths, 'scans', index);
    expect([first.changed, second.changed]).toEqual([true, false]);
    expect((await readDatasetSchema(paths.dataset('scans'))).version).toBe(version);
  });
});
