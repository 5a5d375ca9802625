import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import {
  dicomSend,
  generateImagingStudies,
  writeImagingFolder,
  type ImagingStudies,
} from '@tessera/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CALLED_AE,
  CALLING_AE,
  dcmtk,
  echoOk,
  initDicomNode,
  patchDicomConfig,
  storeFolder,
  storedZip,
  type DicomNode,
} from './dicom-node.js';
import { createHarness, describeFailure, waitFor } from './harness.js';

/*
 * Issue 7, "Done when", with real processes: `tessera node start` receives synthetic CT and MR
 * studies from dcmtk's storescu; dcmdump reads every stored file at every depth and finds none of
 * the planted identifying values; remapped UIDs are valid and the same across a second send, a
 * restart and an import; malformed inputs each get a clear failure, land in quarantine where they
 * were DICOM-ish, and the receiver keeps serving; the imaging dataset has one row per series and
 * links to a tabular dataset by the patient pseudonym.
 */

const h = createHarness('dicom-store');
let node: DicomNode;
let studies: ImagingStudies;
let folder: string;

const PATIENTS = [
  { id: 'E2E-MRN-101', sex: 'F', birthDate: '1958-03-14' },
  { id: 'E2E-MRN-102', sex: 'M', birthDate: '1971-09-30' },
  { id: 'E2E-MRN-103', sex: 'F', birthDate: '1984-12-01' },
] as const;

const UID_LINE = /\((0008,0018|0020,000d|0020,000e)\) UI \[([^\]]*)\]/g;

beforeAll(async () => {
  node = await initDicomNode(h, 'imaging-trust');
  studies = generateImagingStudies({ seed: 1701, patients: PATIENTS, size: 32, slices: 4 });
  folder = h.path('export');
  await writeImagingFolder(folder, studies.files);
  await node.start();
}, 120_000);

afterAll(async () => {
  await h.cleanup();
}, 60_000);

async function waitInstances(n: number): Promise<void> {
  await waitFor(
    `${n} instances in the store`,
    async () => (await node.status()).dicom['instances'] === n,
    { timeoutMs: 30_000, intervalMs: 300, context: () => node.proc?.tail(40) ?? '' },
  );
}

/** Every stored file dumped by dcmdump, every element printed whole (+L), nested items included. */
async function dumpStore(): Promise<string> {
  const files = node.storedFiles();
  const r = await dcmtk('dcmdump', ['-q', '+L', ...files]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

function expectNoPlanted(text: string, where: string): void {
  const lower = text.toLowerCase();
  for (const v of studies.planted)
    expect(lower.includes(v.toLowerCase()), `${v} in ${where}`).toBe(false);
}

/**
 * `file` with its Transfer Syntax UID (at byte `at`, explicit VR: tag, 'UI', 2-byte length)
 * replaced by `uid`, and the meta group length (0002,0000) adjusted.
 */
function redeclare(file: Buffer, at: number, uid: string): Buffer {
  const el = at - 8;
  const old = file.readUInt16LE(el + 6);
  const value = Buffer.from(uid, 'latin1');
  const head = Buffer.from(file.subarray(0, el + 6));
  head.writeUInt32LE(head.readUInt32LE(140) + value.length - old, 140);
  const len = Buffer.alloc(2);
  len.writeUInt16LE(value.length);
  return Buffer.concat([head, len, value, file.subarray(at + old)]);
}

function postStow(body: Buffer, contentType: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('/dicomweb/studies', node.consoleUrl()),
      { method: 'POST', headers: { 'content-type': contentType } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('a node receiving DICOM from dcmtk', () => {
  it('answers C-ECHO from allowed AE titles only', async () => {
    expect(await echoOk(node.port)).toBe(true);
    expect(await echoOk(node.port, 'OTHER_AE')).toBe(true);
    expect(await echoOk(node.port, 'INTRUDER')).toBe(false);
  });

  it('stores what storescu sends, de-identified: dcmdump finds no planted value at any depth', async () => {
    const sent = await storeFolder(node.port, folder);
    expect(sent.code, sent.stderr).toBe(0);
    await waitInstances(studies.files.length);
    expect(node.storedFiles()).toHaveLength(studies.files.length);
    const dump = await dumpStore();
    expectNoPlanted(dump, 'dcmdump of the store');
    // Dates are removed under the Basic Profile: no planted birth or study date is left.
    for (const d of studies.plantedDates) expect(dump.includes(`[${d}]`), d).toBe(false);
    // Private blocks are gone; the de-identification is declared.
    expect(dump).not.toContain('TESSERA SYNTH');
    expect(dump).toMatch(/\(0012,0062\) CS \[YES\]/);
    const uids = [...dump.matchAll(UID_LINE)].map((m) => m[2] ?? '');
    expect(uids).toHaveLength(3 * studies.files.length);
    for (const uid of uids) {
      expect(uid, uid).toMatch(/^2\.25\.(0|[1-9][0-9]*)$/);
      expect(uid.length).toBeLessThanOrEqual(64);
    }
  });

  it('stores nothing new when the same studies are sent again, after a restart, or imported', async () => {
    const before = node.storedFiles();
    const again = await storeFolder(node.port, folder);
    expect(again.code, again.stderr).toBe(0);
    expect(node.storedFiles()).toEqual(before);

    // A smaller upload limit for the STOW-RS test below takes effect at this restart.
    patchDicomConfig(node.dir, { maxUploadBytes: 64 * 1024 });
    await node.stop();
    await node.start();
    const afterRestart = await storeFolder(node.port, folder);
    expect(afterRestart.code, afterRestart.stderr).toBe(0);
    expect(node.storedFiles()).toEqual(before);

    const imported = await h.json<{ files: number; stored: number; duplicates: number }>([
      'node',
      'dicom',
      'import',
      '--dir',
      node.dir,
      folder,
      '--json',
    ]);
    expect(imported).toMatchObject({
      files: studies.files.length,
      stored: 0,
      duplicates: studies.files.length,
    });
    const zip = join(h.path('zips'), 'study.zip');
    writeFileSync(zip, storedZip(studies.files.map((f) => ({ name: f.name, data: f.bytes }))));
    const fromZip = await h.json<{ stored: number; duplicates: number }>([
      'node',
      'dicom',
      'import',
      '--dir',
      node.dir,
      zip,
      '--json',
    ]);
    expect(fromZip).toMatchObject({ stored: 0, duplicates: studies.files.length });
    expect(node.storedFiles()).toEqual(before);
    expect((await node.status()).dicom['instances']).toBe(studies.files.length);
  });

  it('quarantines malformed instances sent over C-STORE with a failure status, and keeps serving', async () => {
    const bad = h.path('malformed');
    const good = Buffer.from(studies.files[0]?.bytes ?? new Uint8Array());
    const ts = good.indexOf(Buffer.from('1.2.840.10008.1.2.1\0', 'latin1'));
    expect(ts).toBeGreaterThan(128);
    // Truncated in the middle of the pixel data.
    writeFileSync(join(bad, 'truncated.dcm'), good.subarray(0, good.length - 1000));
    // Declares implicit VR little endian over explicit VR bytes (the meta group rewritten).
    writeFileSync(join(bad, 'wrong-ts.dcm'), redeclare(good, ts, '1.2.840.10008.1.2\0'));
    // Pixel Data (7FE0,0010) OW claiming 2 GiB.
    const absurd = Buffer.from(good);
    const px = absurd.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0]));
    expect(px).toBeGreaterThan(0);
    absurd.writeUInt32LE(0x7ffffff0, px + 8);
    writeFileSync(join(bad, 'absurd.dcm'), absurd);
    // A valid meta group followed by random bytes.
    const metaEnd = 132 + 12 + good.readUInt32LE(132 + 8);
    writeFileSync(
      join(bad, 'noise.dcm'),
      Buffer.concat([good.subarray(0, metaEnd), randomBytes(4096)]),
    );
    const files = ['truncated', 'wrong-ts', 'absurd', 'noise'].map((n) => join(bad, `${n}.dcm`));
    const results = await dicomSend({
      host: '127.0.0.1',
      port: node.port,
      calledAe: CALLED_AE,
      callingAe: CALLING_AE,
      files,
    });
    expect(results.map((r) => r.status)).toEqual([0xc000, 0xc000, 0xc000, 0xc000]);
    for (const r of results) expect(r.comment ?? '').toMatch(/^quarantined: /);
    expect(await echoOk(node.port)).toBe(true);

    const list = await h.json<{
      quarantine: { id: string; reason: string; source: Record<string, string> }[];
    }>(['node', 'dicom', 'quarantine', 'list', '--dir', node.dir, '--json']);
    expect(list.quarantine).toHaveLength(4);
    for (const q of list.quarantine) {
      expect(q.source).toMatchObject({ kind: 'c-store', callingAe: CALLING_AE });
      expect(q.reason).toMatch(/cannot parse: .*byte \d+/);
    }
    expectNoPlanted(JSON.stringify(list), 'the quarantine list');

    const first = list.quarantine[0]?.id ?? '';
    const retry = await h.run(['node', 'dicom', 'quarantine', 'retry', first, '--dir', node.dir]);
    expect(retry.code).not.toBe(0);
    expect(retry.stderr).toMatch(new RegExp(`quarantine ${first} stays: cannot parse`));
    const del = await h.run(['node', 'dicom', 'quarantine', 'delete', first, '--dir', node.dir]);
    expect(del.code, describeFailure(del)).toBe(0);
    const after = await h.json<{ quarantine: { id: string }[] }>([
      'node',
      'dicom',
      'quarantine',
      'list',
      '--dir',
      node.dir,
      '--json',
    ]);
    expect(after.quarantine.map((q) => q.id)).toEqual(list.quarantine.slice(1).map((q) => q.id));
  });

  it('gives malformed imports a clear failure: DICOM-ish files quarantined, others skipped, zip-slip refused', async () => {
    const mixed = h.path('mixed');
    const good = Buffer.from(studies.files[1]?.bytes ?? new Uint8Array());
    writeFileSync(join(mixed, 'cut.dcm'), good.subarray(0, Math.floor(good.length / 2)));
    writeFileSync(join(mixed, 'notes.txt'), 'not DICOM at all\n');
    const r = await h.run(['node', 'dicom', 'import', '--dir', node.dir, mixed]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe(
      'tessera: 1 of 2 files could not be imported (1 quarantined, 0 refused)',
    );
    expect(r.stdout).toMatch(
      /file 1 \(sha256 [0-9a-f]{16}…\): quarantined \[[0-9a-f]{32}\]: cannot parse/,
    );
    expect(r.stdout).toMatch(/file 2 \(sha256 [0-9a-f]{16}…\): skipped: not DICOM/);
    expect(r.stdout).not.toContain('cut.dcm');

    const slip = join(h.path('zips'), 'slip.zip');
    writeFileSync(
      slip,
      storedZip([
        { name: 'ok.dcm', data: good },
        { name: '../../escape.dcm', data: good },
      ]),
    );
    const z = await h.run(['node', 'dicom', 'import', '--dir', node.dir, slip]);
    expect(z.code).not.toBe(0);
    expect(z.stderr.trim()).toBe(
      "tessera: zip archive refused: entry 2's name climbs out with '..'",
    );
    expect(await echoOk(node.port)).toBe(true);
  });

  it('answers an oversize STOW-RS upload 413 and another media type 415, and keeps serving', async () => {
    const boundary = 'e2e-boundary';
    const big = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
      Buffer.alloc(256 * 1024, 7),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const r = await postStow(
      big,
      `multipart/related; type="application/dicom"; boundary=${boundary}`,
    );
    expect(r.status).toBe(413);
    expect(r.text).toContain('the upload is larger than 65536 bytes');
    const wrong = await postStow(Buffer.from('{}'), 'application/json');
    expect(wrong.status).toBe(415);
    const one = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
      Buffer.from(studies.files[2]?.bytes ?? new Uint8Array()),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const dup = await postStow(
      one,
      `multipart/related; type="application/dicom"; boundary=${boundary}`,
    );
    expect(dup.status).toBe(200);
    expect(JSON.parse(dup.text)).toHaveProperty('00081199');
    expect(await echoOk(node.port)).toBe(true);
  });

  it('holds burned-in images for the operator, who releases, deletes, or allows them by policy', async () => {
    const burned = generateImagingStudies({
      seed: 1702,
      patients: [{ id: 'E2E-MRN-104', sex: 'M', birthDate: '1990-02-02' }],
      size: 32,
      slices: 2,
      kinds: ['CT'],
      burnedIn: true,
    });
    const bfolder = h.path('burned');
    await writeImagingFolder(bfolder, burned.files);
    const before = node.storedFiles().length;
    const sent = await storeFolder(node.port, bfolder);
    expect(sent.code, sent.stderr).toBe(0);
    const held = await waitFor('two held images', async () => {
      const l = await h.json<{ held: { id: string; modality?: string; sop?: string }[] }>([
        'node',
        'dicom',
        'held',
        'list',
        '--dir',
        node.dir,
        '--json',
      ]);
      return l.held.length === 2 ? l.held : undefined;
    });
    expect(held.map((e) => e.modality)).toEqual(['CT', 'CT']);
    expect(node.storedFiles()).toHaveLength(before);
    const [one, two] = held;
    const released = await h.json<{ result: string }>([
      'node',
      'dicom',
      'held',
      'release',
      one?.id ?? '',
      '--dir',
      node.dir,
      '--json',
    ]);
    expect(released.result).toBe('stored');
    expect(node.storedFiles()).toHaveLength(before + 1);
    const del = await h.run(['node', 'dicom', 'held', 'delete', two?.id ?? '', '--dir', node.dir]);
    expect(del.code, describeFailure(del)).toBe(0);
    const policy = await h.json<{ allowBurnedIn: boolean }>([
      'node',
      'dicom',
      'policy',
      '--dir',
      node.dir,
      '--allow-burned-in',
      'on',
      '--json',
    ]);
    expect(policy.allowBurnedIn).toBe(true);
    // The running node applies the new policy to the next instance: the deleted one is stored.
    const resent = await storeFolder(node.port, bfolder);
    expect(resent.code, resent.stderr).toBe(0);
    await waitFor('the burned-in series stored', () => node.storedFiles().length === before + 2);
    const l = await h.json<{ held: unknown[] }>([
      'node',
      'dicom',
      'held',
      'list',
      '--dir',
      node.dir,
      '--json',
    ]);
    expect(l.held).toEqual([]);
    await h.json([
      'node',
      'dicom',
      'policy',
      '--dir',
      node.dir,
      '--allow-burned-in',
      'off',
      '--json',
    ]);
    expectNoPlanted(
      node
        .storedFiles()
        .map((f) => readFileSync(f, 'latin1'))
        .join('\n'),
      'the store',
    );
  });

  it('tabulates one row per series whose patient_id is the pseudonym of the tabular id column', async () => {
    await waitFor('the imaging dataset', async () => {
      const s = await node.status();
      return s.datasets.find((d) => d.name === 'imaging')?.rows === studies.series.length + 1;
    });
    const csv = join(h.path('csv'), 'patients.csv');
    writeFileSync(
      csv,
      [
        'patient_id,age,smoker',
        ...PATIENTS.map((p, i) => `${p.id},${50 + i},${i % 2 === 0 ? 'yes' : 'no'}`),
        'NOT-IMAGED-9,40,no',
        '',
      ].join('\n'),
    );
    const imp = await h.run([
      'node',
      'dataset',
      'import',
      '--dir',
      node.dir,
      '--name',
      'patients',
      '--file',
      csv,
      '--id-column',
      'patient_id',
    ]);
    expect(imp.code, describeFailure(imp)).toBe(0);
    const tabular = readFileSync(join(node.dir, 'datasets', 'patients', 'ids.txt'), 'utf8')
      .trim()
      .split('\n');
    const schema = JSON.parse(
      readFileSync(join(node.dir, 'datasets', 'imaging', 'schema.json'), 'utf8'),
    ) as {
      rows: number;
      variables: { name: string; kind: string; levels?: string[] }[];
    };
    expect(schema.variables.map((v) => `${v.name}:${v.kind}`)).toEqual([
      'patient_id:categorical',
      'study_uid:categorical',
      'series_uid:categorical',
      'modality:categorical',
      'body_part:categorical',
      'series_description:categorical',
      'study_date:date',
      'instances:number',
      'rows:number',
      'columns:number',
      'sex:categorical',
      'age:number',
    ]);
    expect(schema.rows).toBe(studies.series.length + 1);
    const imaged = schema.variables.find((v) => v.name === 'patient_id')?.levels ?? [];
    // The three imaged patients of the CSV have the same pseudonyms in both datasets; the
    // patient imaged but not in the CSV, and the one in the CSV but not imaged, match nothing.
    expect(imaged).toHaveLength(PATIENTS.length + 1);
    expect(imaged.filter((p) => tabular.includes(p)).sort()).toEqual(
      tabular.slice(0, PATIENTS.length).sort(),
    );
    expect(imaged).not.toContain(tabular[PATIENTS.length]);
    const approve = await h.run([
      'node',
      'approve',
      'study',
      '--dir',
      node.dir,
      '--datasets',
      'patients,imaging',
    ]);
    expect(approve.code, describeFailure(approve)).toBe(0);
  });

  it('leaves no planted value in the index, the audit log, the quarantine or the node output', () => {
    const texts = [
      ['index', join(node.dir, 'dicom', 'index.jsonl')],
      ['audit', join(node.dir, 'audit.log')],
      ['imaging schema', join(node.dir, 'datasets', 'imaging', 'schema.json')],
      ...readdirSync(join(node.dir, 'dicom', 'quarantine'))
        .filter((n) => n.endsWith('.json'))
        .map((n) => [n, join(node.dir, 'dicom', 'quarantine', n)]),
    ] as const;
    for (const [what, file] of texts) expectNoPlanted(readFileSync(file, 'utf8'), what);
    for (const p of h.procs) expectNoPlanted(p.output(), p.name);
    // The encrypted quarantine holds the malformed inputs, which carry the planted values.
    for (const n of readdirSync(join(node.dir, 'dicom', 'quarantine')).filter((x) =>
      x.endsWith('.bin'),
    ))
      expectNoPlanted(readFileSync(join(node.dir, 'dicom', 'quarantine', n), 'latin1'), n);
  });
});
