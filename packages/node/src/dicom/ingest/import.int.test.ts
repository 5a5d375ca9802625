import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../store/audit-log.js';
import { nodePaths, type NodePaths } from '../../store/layout.js';
import { makeNode, makeTempDir } from '../../testing/helpers.js';
import { TRANSFER_SYNTAX } from '../core/types.js';
import { writeDicomFile } from '../core/write.js';
import { generateImagingStudies } from '../synth/index.js';
import { loadDicomIndex } from './dicom-index.js';
import { importDicom } from './import.js';
import { makeZip } from '../../testing/zip-fixture.js';

/*
 * `node dicom import` of a folder and of a zip: what is DICOM is stored, what looks like DICOM
 * but fails is quarantined, the rest is skipped with a reason; links are not followed; no file
 * or entry name reaches the summary, the quarantine or the audit.
 */

let base: { dir: string; cleanup: () => Promise<void> };
let paths: NodePaths;
let dir: string;

const studies = generateImagingStudies({
  seed: 21,
  patients: [
    { id: 'IMP-1', sex: 'F', birthDate: '1950-05-05' },
    { id: 'IMP-2', sex: 'M', birthDate: '1960-06-06' },
  ],
  size: 16,
  slices: 2,
});

// A patient's name as a file name, as PACS exports often do.
const NAMED = 'Doe_Jane_1950';

beforeAll(async () => {
  base = await makeTempDir();
  dir = (await makeNode(base.dir)).dir;
  paths = nodePaths(dir);
});

afterAll(async () => {
  await base.cleanup();
});

describe('importDicom', () => {
  it('imports a folder: stores DICOM, quarantines broken DICOM, skips the rest and links', async () => {
    const folder = join(base.dir, 'export');
    mkdirSync(join(folder, 'nested', 'deeper'), { recursive: true });
    studies.files.forEach((f, i) => {
      writeFileSync(
        join(folder, i % 2 === 0 ? 'nested' : join('nested', 'deeper'), `${NAMED}_${i}.dcm`),
        f.bytes,
      );
    });
    const whole = studies.files[0]?.bytes ?? new Uint8Array();
    writeFileSync(join(folder, `${NAMED}_cut.dcm`), whole.subarray(0, 400));
    writeFileSync(join(folder, 'README.txt'), 'not an image\n');
    writeFileSync(
      join(folder, 'DICOMDIR'),
      writeDicomFile({
        meta: { sopClassUid: '1.2.840.10008.1.3.10', sopInstanceUid: '1.2.3.4' },
        dataset: new Map(),
        transferSyntax: TRANSFER_SYNTAX.explicitLittle,
      }),
    );
    symlinkSync('/etc/passwd', join(folder, 'link.dcm'));
    const r = await importDicom({ dir, path: folder });
    expect(r).toMatchObject({
      files: studies.files.length + 4,
      stored: studies.files.length,
      duplicates: 0,
      quarantined: 1,
      skipped: 3,
      refused: 0,
      held: 0,
    });
    const reasons = r.problems.map((p) => `${p.result}: ${p.reason}`);
    expect(reasons).toContainEqual(
      expect.stringMatching(/^quarantined: cannot parse: .*at byte \d+/),
    );
    expect(reasons).toContainEqual(expect.stringMatching(/^skipped: not DICOM/));
    expect(reasons).toContainEqual('skipped: a symbolic link, not followed');
    expect(reasons).toContainEqual('skipped: a DICOMDIR (an index of a medium), not an image');
    expect(JSON.stringify(r)).not.toContain('Doe');
    const [q] = r.problems.filter((p) => p.result === 'quarantined');
    expect(q?.sha256).toMatch(/^[0-9a-f]{16}$/);
    const sidecar = readFileSync(join(paths.dicom.quarantine, `${q?.id ?? ''}.json`), 'utf8');
    expect(sidecar).not.toContain('Doe');
    expect(readFileSync(paths.audit, 'utf8')).not.toContain('Doe');
    const audit = await readAudit(paths.audit);
    expect(audit.entries.find((e) => e.action === 'dicom.imported')?.details).toMatchObject({
      stored: studies.files.length,
      quarantined: 1,
    });
    expect((await loadDicomIndex(paths)).instances.size).toBe(studies.files.length);
  });

  it('imports the same study again from a zip, storing nothing new', async () => {
    const zip = join(base.dir, 'study.zip');
    writeFileSync(
      zip,
      makeZip([
        { name: 'export/', method: 0 },
        ...studies.files.map((f, i) => ({ name: `export/${NAMED}_${i}.dcm`, data: f.bytes })),
      ]),
    );
    const r = await importDicom({ dir, path: zip });
    expect(r).toMatchObject({
      files: studies.files.length,
      stored: 0,
      duplicates: studies.files.length,
    });
  });

  it('refuses a zip-slip archive as a whole, storing nothing from it', async () => {
    const fresh = generateImagingStudies({
      seed: 22,
      patients: [{ id: 'IMP-3', sex: 'F', birthDate: '1970-01-01' }],
      size: 16,
      slices: 1,
    });
    const zip = join(base.dir, 'slip.zip');
    writeFileSync(
      zip,
      makeZip([
        { name: 'ok.dcm', data: fresh.files[0]?.bytes ?? new Uint8Array() },
        { name: '../../outside.dcm', data: fresh.files[0]?.bytes ?? new Uint8Array() },
      ]),
    );
    const before = (await loadDicomIndex(paths)).instances.size;
    await expect(importDicom({ dir, path: zip })).rejects.toThrow(
      /zip archive refused: entry 2's name climbs out/,
    );
    expect((await loadDicomIndex(paths)).instances.size).toBe(before);
  });

  it('refuses a symbolic link given as the path, and a missing path', async () => {
    const link = join(base.dir, 'link-to-export');
    symlinkSync(join(base.dir, 'export'), link);
    await expect(importDicom({ dir, path: link })).rejects.toThrow(/is a symbolic link/);
    await expect(importDicom({ dir, path: join(base.dir, 'nope') })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
