/*
 * De-identified files checked by an independent reader: dcmtk's dcmdump (Debian package dcmtk,
 * installed by .ci/run) prints every element at every depth of the file we write, and must show
 * none of the planted identifying values, none of the removed sequences, and a valid file.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDicomFile } from '../core/parse.js';
import { TRANSFER_SYNTAX, type DicomFile } from '../core/types.js';
import { writeDicomFile } from '../core/write.js';
import { deidentify, type DeidKeys } from './deidentify.js';
import { makeIdentifiedInstance, PLANTED } from '../../testing/identified-instance.js';
import { deidOptionsSchema } from './options.js';

const run = promisify(execFile);

const KEYS: DeidKeys = {
  uidKey: new Uint8Array(32).fill(11),
  pseudonymKey: new Uint8Array(32).fill(12),
  dateKey: new Uint8Array(32).fill(13),
};

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-deid-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function dump(file: DicomFile, name: string, ...args: string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, writeDicomFile(file));
  const { stdout } = await run('dcmdump', ['-q', '+L', ...args, path], { maxBuffer: 16 << 20 });
  return stdout;
}

/**
 * How dcmdump may print a needle: as text, or for OB/UN/OW values as hex bytes ('53\\49\\47')
 * or little-endian 16-bit words ('4953\\5047'), at either byte alignment.
 */
function printedForms(needle: string): string[] {
  const hex = [...Buffer.from(needle, 'latin1')].map((b) => b.toString(16).padStart(2, '0'));
  const words = (from: number): string => {
    const out: string[] = [];
    for (let i = from; i + 1 < hex.length; i += 2) out.push(`${hex[i + 1] ?? ''}${hex[i] ?? ''}`);
    return out.join('\\');
  };
  return [needle.toLowerCase(), hex.join('\\'), words(0), words(1)];
}

/** The planted values dcmdump shows, ignoring case. */
function plantedIn(output: string): string[] {
  const lower = output.toLowerCase();
  return PLANTED.filter((p) => printedForms(p).some((form) => lower.includes(form)));
}

/** The same instance as a receiver would parse it from an implicit VR little endian file. */
function asImplicit(file: DicomFile): DicomFile {
  const bytes = writeDicomFile({
    dataset: file.dataset,
    transferSyntax: TRANSFER_SYNTAX.implicitLittle,
  });
  return parseDicomFile(bytes);
}

describe('de-identified files read by dcmdump', () => {
  it('shows every planted value before de-identification (the check can see them)', async () => {
    const out = await dump(makeIdentifiedInstance(), 'identified.dcm');
    expect(plantedIn(out).sort()).toEqual([...PLANTED].sort());
  });

  for (const syntax of ['explicit', 'implicit'] as const) {
    for (const all of [false, true]) {
      it(`shows none after de-identification (${syntax} VR, options ${all ? 'on' : 'off'})`, async () => {
        const input =
          syntax === 'explicit' ? makeIdentifiedInstance() : asImplicit(makeIdentifiedInstance());
        const options = deidOptionsSchema.parse({
          retainLongitudinalTemporal: all,
          retainPatientCharacteristics: all,
          cleanDescriptors: all,
        });
        const { file } = deidentify(input, KEYS, options);
        const out = await dump(file, `deid-${syntax}-${String(all)}.dcm`);
        expect(plantedIn(out)).toEqual([]);
        expect(out).toContain('(0012,0062) CS [YES]');
        expect(out).toContain('113100');
      });
    }
  }

  it('finds no removed sequence or identifier at any depth with dcmdump +P', async () => {
    const { file } = deidentify(makeIdentifiedInstance(), KEYS, deidOptionsSchema.parse({}));
    const tags = [
      'fffa,fffa',
      '0400,0561',
      '0088,0200',
      '0010,1000',
      '0010,1002',
      '0008,0080',
      '0032,1032',
    ];
    const out = await dump(file, 'search.dcm', '+p', ...tags.flatMap((t) => ['+P', t]));
    expect(out.trim()).toBe('');
    // Patient's Name is still there, empty, at the top and three sequences down.
    const names = await dump(file, 'names.dcm', '+p', '+P', '0010,0010');
    const lines = names.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/\(0010,0010\) PN \(no value available\)/);
    expect(lines.some((l) => l.startsWith('(0040,0260).(0040,0440).(0040,a168).'))).toBe(true);
  });
});
