/*
 * The synthetic series against an independent reader, Debian's dcmtk (installed by .ci/run):
 * dcmdump reads every generated file without a warning, and finds every planted value, the
 * nested ones at their depth (+p prints the path of each hit).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateImagingStudies, type ImagingStudies } from './generate.js';
import { writeImagingFolder } from './write-folder.js';

const run = promisify(execFile);
let dir = '';
let result: ImagingStudies;
let paths: string[] = [];

/** Runs dcmdump (no shell); fails on a non-zero exit. */
async function dcmdump(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('/usr/bin/dcmdump', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-synth-'));
  result = generateImagingStudies({
    seed: 5,
    patients: [
      { id: 'S1-000001', sex: 'F', birthDate: '1950-02-03' },
      { id: 'S1-000002', sex: 'M', birthDate: '1982-12-24', name: 'Brown^Ann' },
    ],
    studiesPerPatient: 2,
    size: 64,
    slices: 2,
    burnedIn: 0.5,
  });
  paths = await writeImagingFolder(dir, result.files);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('synthetic series read by dcmtk', () => {
  it('dcmdump reads every file without a warning', async () => {
    expect(paths.length).toBe(result.files.length);
    const { stdout, stderr } = await dcmdump(['+L', '+U8', ...paths]);
    expect(stderr).toBe('');
    expect(stdout.match(/^# Dicom-File-Format$/gm)).toHaveLength(paths.length);
  });

  it('dcmdump finds every planted value, and the nested ones at their depth', async () => {
    const { stdout } = await dcmdump(['+L', '+U8', ...paths]);
    for (const v of result.planted) expect(stdout, v).toContain(v);
    for (const d of result.plantedDates) expect(stdout, d).toContain(`DA [${d}]`);
    const search = await dcmdump([
      '+U8',
      '+p',
      ...['0008,0050', '0008,1155', '0009,1001', '0010,0020'].flatMap((t) => ['+P', t]),
      paths[0] ?? '',
    ]);
    const lines = search.stdout.split('\n').map((l) => l.replace(/\s+#.*$/, ''));
    const has = (pattern: RegExp) => lines.some((l) => pattern.test(l));
    expect(has(/^\(0040,0275\)\.\(0008,1110\)\.\(0008,1155\) UI \[2\.25\.\d+ ?\]$/)).toBe(true);
    expect(has(/^\(0040,0275\)\.\(0008,0050\) SH \[ACC[A-Z]{5}01\]$/)).toBe(true);
    expect(has(/^\(0040,0275\)\.\(0009,1001\) LO \[private note about [A-Z]{5} household\]$/)).toBe(
      true,
    );
    expect(has(/^\(0010,1002\)\.\(0010,0020\) LO \[MRN-[A-Z]{5}-00001 ?\]$/)).toBe(true);
    expect(has(/^\(0010,0020\) LO \[S1-000001 ?\]$/)).toBe(true);
  });

  it('dcmdump sees the burned-in flag where the generator set it', async () => {
    for (const s of result.series) {
      const first = paths[result.files.findIndex((f) => f.name === s.files[0])] ?? '';
      const { stdout } = await dcmdump(['+P', '0028,0301', first]);
      expect(stdout).toMatch(s.burnedIn ? /CS \[YES ?\]/ : /CS \[NO\]/);
    }
    expect(new Set(result.series.map((s) => s.burnedIn)).size).toBe(2);
  });
});
