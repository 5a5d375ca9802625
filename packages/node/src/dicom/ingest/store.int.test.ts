import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTable } from '../../data/dataset-format.js';
import { pseudonym } from '../../data/pseudonym.js';
import { readAudit } from '../../store/audit-log.js';
import { nodePaths, type NodePaths } from '../../store/layout.js';
import { dicomConfigSchema, loadPseudonymKey, type DicomConfig } from '../../store/node-config.js';
import { makeNode, makeTempDir, silentLogger } from '../../testing/helpers.js';
import { parseDicomFile, parseFileMeta } from '../core/parse.js';
import { isValidUid } from '../core/uid.js';
import { getString } from '../core/values.js';
import { findValues } from '../deid/index.js';
import { generateImagingStudies, type ImagingStudies } from '../synth/index.js';
import { loadDicomIndex } from './dicom-index.js';
import { defaultProcessWorkerUrl } from './process-pool.js';
import { createDicomStore, type DicomStore, type IngestOutcome } from './store.js';

/*
 * The imaging store end to end in one process, with the real parser, de-identifier and writer
 * over a real node folder: synthetic CT and MR studies carrying planted identifying values go
 * in; what comes out holds none of them, lands once, and is indexed and tabulated.
 */

let base: { dir: string; cleanup: () => Promise<void> };
let paths: NodePaths;
let input: string;
let studies: ImagingStudies;
const files: string[] = [];
let config: DicomConfig = dicomConfigSchema.parse({});

const PATIENTS = [
  { id: 'MRN-0001', sex: 'F', birthDate: '1961-04-23' },
  { id: 'MRN-0002', sex: 'M', birthDate: '1975-11-02' },
] as const;

beforeAll(async () => {
  base = await makeTempDir();
  paths = nodePaths((await makeNode(base.dir)).dir);
  input = join(base.dir, 'input');
  await mkdir(input);
  studies = generateImagingStudies({ seed: 7, patients: PATIENTS, size: 16, slices: 3 });
  studies.files.forEach((f, i) => {
    const file = join(input, `f${String(i)}.dcm`);
    writeFileSync(file, f.bytes);
    files.push(file);
  });
});

afterAll(async () => {
  await base.cleanup();
});

function openStore(): Promise<DicomStore> {
  return createDicomStore({
    paths,
    logger: silentLogger,
    config: () => Promise.resolve(config),
    datasetDebounceMs: 60_000,
  });
}

async function ingestAll(store: DicomStore, list: readonly string[]): Promise<IngestOutcome[]> {
  return Promise.all(
    list.map((f, i) => store.ingest(f, { kind: 'import', entry: `file ${i + 1}` })),
  );
}

function storedFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  };
  walk(paths.dicom.store);
  return out;
}

describe('the imaging store', () => {
  it('stores every instance once, de-identified, under its remapped UIDs', async () => {
    const store = await openStore();
    const first = await ingestAll(store, files);
    expect(first.map((o) => o.result)).toEqual(files.map(() => 'stored'));
    expect(first.every((o) => o.status === 0)).toBe(true);
    const stored = storedFiles();
    expect(stored).toHaveLength(files.length);
    for (const f of stored) {
      const bytes = readFileSync(f);
      const parsed = parseDicomFile(bytes);
      // No planted value at any depth, in any element (the scan reads every text element).
      expect(findValues(parsed.dataset, studies.planted)).toEqual([]);
      // Nor anywhere in the raw bytes, file meta included.
      for (const v of studies.planted)
        expect(bytes.includes(Buffer.from(v, 'latin1')), v).toBe(false);
      const sop = getString(parsed.dataset, 0x00080018) ?? '';
      const series = getString(parsed.dataset, 0x0020000e) ?? '';
      const study = getString(parsed.dataset, 0x0020000d) ?? '';
      for (const uid of [sop, series, study]) {
        expect(isValidUid(uid), uid).toBe(true);
        expect(uid.startsWith('2.25.')).toBe(true);
      }
      expect(f).toBe(join(paths.dicom.store, study, series, `${sop}.dcm`));
      expect(parseFileMeta(bytes).meta.size).toBeGreaterThan(0);
      expect(statSync(f).mode & 0o777).toBe(0o600);
    }
    await store.close();
  });

  it('stores nothing new when the same instances come again, also after a restart', async () => {
    const before = storedFiles().sort();
    const store = await openStore();
    const again = await ingestAll(store, files);
    expect(again.map((o) => o.result)).toEqual(files.map(() => 'duplicate'));
    expect(storedFiles().sort()).toEqual(before);
    const index = await loadDicomIndex(paths);
    expect(index.instances.size).toBe(files.length);
    await store.close();
  });

  it('materialises one row per series, its patient_id the tabular pseudonym of the Patient ID', async () => {
    const store = await openStore();
    await store.flush(true);
    await store.close();
    const { table, schema } = await loadTable(paths.dataset('imaging'));
    expect(schema.rows).toBe(studies.series.length);
    const key = await loadPseudonymKey(paths);
    const col = table.columns['patient_id'];
    if (col?.kind !== 'categorical') throw new Error('patient_id is not categorical');
    expect([...col.levels].sort()).toEqual(PATIENTS.map((p) => pseudonym(key, p.id)).sort());
    const instances = table.columns['instances'];
    if (instances?.kind !== 'number') throw new Error('instances is not a number');
    expect([...instances.values]).toEqual(studies.series.map(() => 3));
    // Basic Profile only: dates, sex and age are missing, not made up.
    const date = table.columns['study_date'];
    if (date?.kind !== 'date') throw new Error('study_date is not a date');
    expect([...date.values].every(Number.isNaN)).toBe(true);
    const audit = await readAudit(paths.audit);
    expect(audit.entries.some((e) => e.action === 'dicom.dataset-updated')).toBe(true);
    expect(audit.entries.some((e) => e.action === 'dicom.stored')).toBe(true);
  });

  it('quarantines a truncated file encrypted, with its reason, and keeps it after a failed retry', async () => {
    const store = await openStore();
    const whole = readFileSync(files[0] ?? '');
    const cut = join(input, 'cut.dcm');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const out = await store.ingest(cut, { kind: 'import', entry: 'file 99' });
    expect(out.result).toBe('quarantined');
    expect(out.status).toBe(0xc000);
    if (out.result !== 'quarantined') throw new Error('not quarantined');
    expect(out.reason).toMatch(/cannot parse: .* at byte \d+/);
    const [entry] = await store.quarantine.list();
    expect(entry?.id).toBe(out.id);
    expect(entry?.source).toEqual({ kind: 'import', entry: 'file 99' });
    const sealed = readFileSync(join(paths.dicom.quarantine, `${out.id}.bin`));
    for (const v of studies.planted)
      expect(sealed.includes(Buffer.from(v, 'latin1')), v).toBe(false);
    const retried = await store.retry(out.id);
    expect(retried.result).toBe('refused');
    expect((await store.quarantine.list()).map((e) => e.id)).toEqual([out.id]);
    await store.quarantine.remove(out.id);
    expect(await store.quarantine.list()).toEqual([]);
    await store.close();
    const audit = await readAudit(paths.audit);
    const q = audit.entries.find((e) => e.action === 'dicom.quarantined');
    expect(q?.details['reason']).toBe(out.reason);
  });

  it('retries a quarantined instance once the operator changed what made it fail', async () => {
    const fresh = generateImagingStudies({ seed: 8, patients: [PATIENTS[0]], size: 16, slices: 1 });
    const file = join(input, 'big.dcm');
    writeFileSync(file, fresh.files[0]?.bytes ?? new Uint8Array());
    config = dicomConfigSchema.parse({ maxInstanceBytes: 1024 });
    const store = await openStore();
    const out = await store.ingest(file, { kind: 'stow-rs', address: '127.0.0.1' });
    expect(out).toMatchObject({ result: 'quarantined', status: 0xa700 });
    if (out.result !== 'quarantined') throw new Error('not quarantined');
    config = dicomConfigSchema.parse({});
    const retried = await store.retry(out.id);
    expect(retried.result).toBe('stored');
    expect(await store.quarantine.list()).toEqual([]);
    await store.close();
  });

  it('holds images flagged with burned-in annotation until the operator releases one', async () => {
    const flagged = generateImagingStudies({
      seed: 9,
      patients: [PATIENTS[1]],
      size: 16,
      slices: 2,
      kinds: ['CT'],
      burnedIn: true,
    });
    const store = await openStore();
    const list = flagged.files.map((f, i) => {
      const file = join(input, `burned${String(i)}.dcm`);
      writeFileSync(file, f.bytes);
      return file;
    });
    const outs = await ingestAll(store, list);
    expect(outs.map((o) => o.result)).toEqual(['held', 'held']);
    const held = await store.held.list();
    expect(held).toHaveLength(2);
    // Sent again while held: nothing new is kept, the same entries answer.
    const again = await ingestAll(store, list);
    expect(again.map((o) => (o.result === 'held' ? o.id : o.result)).sort()).toEqual(
      held.map((e) => e.id).sort(),
    );
    expect(await store.held.list()).toHaveLength(2);
    const sizeBefore = (await loadDicomIndex(paths)).instances.size;
    const first = held[0];
    if (first === undefined) throw new Error('nothing held');
    const released = await store.release(first.id);
    expect(released.result).toBe('stored');
    expect(await store.held.list()).toHaveLength(1);
    const index = await loadDicomIndex(paths);
    expect(index.instances.size).toBe(sizeBefore + 1);
    expect(index.instances.has(first.sop ?? '')).toBe(true);
    await store.close();
  });

  it('takes a C-STORE dataset without meta group and removes the received file', async () => {
    const fresh = generateImagingStudies({
      seed: 10,
      patients: [PATIENTS[0]],
      size: 16,
      slices: 1,
    });
    const bytes = fresh.files[0]?.bytes ?? new Uint8Array();
    const meta = parseFileMeta(bytes);
    const parsed = parseDicomFile(bytes);
    const received = join(paths.dicom.tmp, 'rx-test.part');
    writeFileSync(received, bytes.subarray(meta.datasetOffset));
    const store = await openStore();
    const base = {
      file: received,
      bytes: bytes.length - meta.datasetOffset,
      sopClassUid: getString(parsed.dataset, 0x00080016) ?? '',
      sopInstanceUid: getString(parsed.dataset, 0x00080018) ?? '',
      transferSyntax: meta.transferSyntax,
      source: { kind: 'c-store', callingAe: 'MODALITY', address: '10.1.2.3' },
    } as const;
    expect(await store.storeInstance(base)).toEqual({ status: 0, result: 'stored' });
    expect(readdirSync(paths.dicom.tmp)).toEqual([]);
    writeFileSync(received, bytes.subarray(meta.datasetOffset));
    const wrong = await store.storeInstance({ ...base, sopInstanceUid: '1.2.3.4' });
    expect(wrong.status).toBe(0xa900);
    expect(wrong.result).toBe('quarantined');
    expect(readdirSync(paths.dicom.tmp)).toEqual([]);
    await store.close();
  });

  it('quarantines a received instance whose worker stopped, with the reason, and stores the next', async () => {
    // The real worker behind a listener that stops the thread for an input named *.exit.
    const fixture = join(base.dir, 'exit-worker.mjs');
    writeFileSync(
      fixture,
      `import { parentPort } from 'node:worker_threads';
const on = parentPort.on.bind(parentPort);
parentPort.on = (event, listener) =>
  on(event, event !== 'message' ? listener : (req) => {
    if (req.job.input.endsWith('.exit')) process.exit(7);
    listener(req);
  });
await import(${JSON.stringify(defaultProcessWorkerUrl().href)});
`,
    );
    const fresh = generateImagingStudies({
      seed: 11,
      patients: [PATIENTS[1]],
      size: 16,
      slices: 2,
    });
    const store = await createDicomStore({
      paths,
      logger: silentLogger,
      config: () => Promise.resolve(config),
      datasetDebounceMs: 60_000,
      workers: 1,
      workerUrl: pathToFileURL(fixture),
    });
    const received = (name: string, bytes: Uint8Array) => {
      const meta = parseFileMeta(bytes);
      const parsed = parseDicomFile(bytes);
      const file = join(paths.dicom.tmp, name);
      writeFileSync(file, bytes.subarray(meta.datasetOffset));
      return {
        file,
        bytes: bytes.length - meta.datasetOffset,
        sopClassUid: getString(parsed.dataset, 0x00080016) ?? '',
        sopInstanceUid: getString(parsed.dataset, 0x00080018) ?? '',
        transferSyntax: meta.transferSyntax,
        source: { kind: 'c-store', callingAe: 'MODALITY', address: '10.1.2.3' },
      } as const;
    };
    const [a, b] = fresh.files.map((f) => f.bytes);
    if (a === undefined || b === undefined) throw new Error('no instances');
    const crashed = await store.storeInstance(received('rx-1.exit', a));
    expect(crashed).toEqual({
      status: 0xa700,
      result: 'quarantined',
      comment: 'quarantined: the de-identification worker stopped (exit code 7)',
    });
    const reasons = (await store.quarantine.list()).map((e) => e.reason);
    expect(reasons).toContain('the de-identification worker stopped (exit code 7)');
    expect(await store.storeInstance(received('rx-2.part', b))).toEqual({
      status: 0,
      result: 'stored',
    });
    // Neither the received files nor a temp file is left behind.
    expect(readdirSync(paths.dicom.tmp)).toEqual([]);
    await store.close();
  });
});
