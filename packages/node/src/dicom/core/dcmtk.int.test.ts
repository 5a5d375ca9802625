/*
 * The core against an independent implementation, Debian's dcmtk (installed by .ci/run):
 * files dump2dcm builds in every transfer syntax are parsed here, and files written here are
 * read by dcmdump without a warning and with the values expected, at any depth.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupTag } from './dictionary.js';
import { parseDataset, parseDicomFile } from './parse.js';
import { makeSampleDataset } from '../../testing/dicom-sample.js';
import type { DicomDataset } from './types.js';
import { TRANSFER_SYNTAX } from './types.js';
import { charsetOf, getNumbers, getString } from './values.js';
import { writeDicomFile } from './write.js';

const run = promisify(execFile);
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-dicom-core-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs a dcmtk tool (no shell) and returns its output; fails on a non-zero exit. */
async function dcmtk(tool: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(`/usr/bin/${tool}`, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
}

const DUMP = `
(0008,0005) CS [ISO_IR 192]
(0008,0016) UI [1.2.840.10008.5.1.4.1.1.2]
(0008,0018) UI [1.2.3.4.5]
(0008,0020) DA [20240131]
(0008,1115) SQ (Sequence with undefined length #=2)
  (fffe,e000) na (Item with undefined length #=2)
    (0008,1150) UI [1.2.3]
    (0008,2112) SQ (Sequence with undefined length #=1)
      (fffe,e000) na (Item with undefined length #=1)
        (0040,0254) LO [Deep Ünïcode]
      (fffe,e00d) na (ItemDelimitationItem)
    (fffe,e0dd) na (SequenceDelimitationItem)
  (fffe,e00d) na (ItemDelimitationItem)
  (fffe,e000) na (Item with undefined length #=0)
  (fffe,e00d) na (ItemDelimitationItem)
(fffe,e0dd) na (SequenceDelimitationItem)
(0010,0010) PN [Doe^John]
(0018,9089) FD 0.25\\-0.5\\1
(0018,9219) SS -100
(0020,0032) DS [-125.5\\-125.5\\10]
(0020,9165) AT (0020,0032)\\(7fe0,0010)
(0028,0010) US 2
(0028,0011) US 2
(0029,0010) LO [ACME 1]
(0029,1001) LO [private text]
(0029,1002) SQ (Sequence with undefined length #=1)
  (fffe,e000) na (Item with undefined length #=1)
    (0010,0020) LO [PRIV-ID]
  (fffe,e00d) na (ItemDelimitationItem)
(fffe,e0dd) na (SequenceDelimitationItem)
(7fe0,0010) OW 0001\\fffe\\0300\\8000
`;

function child(ds: DicomDataset, path: number[]): DicomDataset {
  let at = ds;
  for (let i = 0; i < path.length; i += 2) {
    const next = at.get(path[i]!)?.items?.[path[i + 1]!];
    if (next === undefined) throw new Error(`no item at step ${i}`);
    at = next;
  }
  return at;
}

function checkDumpValues(ds: DicomDataset, implicit: boolean): void {
  expect(getString(ds, 0x00100010)).toBe('Doe^John');
  expect(getString(ds, 0x00080020)).toBe('20240131');
  // Items inherit the Specific Character Set (ISO_IR 192) of the dataset above them.
  const deep = child(ds, [0x00081115, 0, 0x00082112, 0]);
  expect(getString(deep, 0x00400254, charsetOf(ds))).toBe('Deep Ünïcode');
  expect(ds.get(0x00081115)?.items?.[1]?.size).toBe(0);
  expect(getNumbers(ds, 0x00189089)).toEqual([0.25, -0.5, 1]);
  expect(getNumbers(ds, 0x00189219)).toEqual([-100]);
  expect(getNumbers(ds, 0x00200032)).toEqual([-125.5, -125.5, 10]);
  expect(getNumbers(ds, 0x00209165)).toEqual([0x00200032, 0x7fe00010]);
  expect(getNumbers(ds, 0x7fe00010)).toEqual([0x0001, 0xfffe, 0x0300, 0x8000]);
  expect(getString(ds, 0x00290010)).toBe('ACME 1');
  const privateText = ds.get(0x00291001);
  expect(privateText?.vr).toBe(implicit ? 'UN' : 'LO');
  expect(Buffer.from(privateText?.value ?? []).toString('latin1')).toBe('private text');
}

describe("dcmtk's data dictionary", () => {
  it('agrees with ours on the keyword and VR of every standard attribute', async () => {
    const folder = (await readdir('/usr/share')).find((f) => /^libdcmtk\d+$/.test(f));
    expect(folder).toBeDefined();
    const dic = await readFile(join('/usr/share', folder!, 'dicom.dic'), 'latin1');
    const implicitVr: Record<string, string> = { xs: 'US', ox: 'OW', px: 'OW', lt: 'OW', up: 'UL' };
    let checked = 0;
    const disagreements: string[] = [];
    for (const line of dic.split('\n')) {
      const [tagText = '', vr = '', keyword = '', , source = ''] = line.split('\t');
      const m = /^\(([0-9A-F]{4})(?:-[0-9A-F]{4})?,([0-9A-F]{4})(?:-[0-9A-F]{4})?\)$/.exec(tagText);
      if (m === null || !source.startsWith('DICOM') || vr === 'na') continue;
      // For a range, check one tag inside it as well as its first one.
      const first = parseInt(`${m[1]!}${m[2]!}`, 16) >>> 0;
      const inside = tagText.includes('-')
        ? tagText.indexOf('-') < 6
          ? first + 0x00020000
          : first + 0x12
        : first;
      for (const tag of [first, inside]) {
        const entry = lookupTag(tag);
        const want = { keyword: keyword.replace(/^RETIRED_/, ''), vr: implicitVr[vr] ?? vr };
        if (entry?.keyword !== want.keyword || entry.vr !== want.vr) disagreements.push(tagText);
        checked++;
      }
    }
    expect(disagreements).toEqual([]);
    expect(checked).toBeGreaterThan(9000);
  });
});

describe('files built by dcmtk dump2dcm', () => {
  const syntaxes = [
    ['+ti', TRANSFER_SYNTAX.implicitLittle],
    ['+te', TRANSFER_SYNTAX.explicitLittle],
    ['+tb', TRANSFER_SYNTAX.explicitBig],
    ['+td', TRANSFER_SYNTAX.deflatedExplicitLittle],
  ] as const;

  for (const [option, ts] of syntaxes) {
    for (const lengths of ['+e', '-e'] as const) {
      it(`parses ${option} with ${lengths === '+e' ? 'defined' : 'undefined'} sequence lengths and group lengths`, async () => {
        const dump = join(dir, 'in.dump');
        const out = join(dir, `dump2dcm${option}${lengths}.dcm`);
        await writeFile(dump, DUMP);
        await dcmtk('dump2dcm', [option, lengths, '+g', dump, out]);
        const file = parseDicomFile(await readFile(out));
        expect(file.transferSyntax).toBe(ts);
        const implicit = option === '+ti';
        checkDumpValues(file.dataset, implicit);
        const privateSq = file.dataset.get(0x00291002);
        if (implicit && lengths === '+e') {
          // Implicit VR with a defined length: nothing says it is a sequence, so it stays bytes.
          expect(privateSq?.vr).toBe('UN');
        } else {
          expect(getString(child(file.dataset, [0x00291002, 0]), 0x00100020)).toBe('PRIV-ID');
        }
      });
    }
  }

  it('parses a raw dataset (no meta) written with -F', async () => {
    const dump = join(dir, 'raw.dump');
    const out = join(dir, 'raw.dcm');
    await writeFile(dump, DUMP);
    await dcmtk('dump2dcm', ['-F', '+ti', dump, out]);
    checkDumpValues(parseDataset(await readFile(out), TRANSFER_SYNTAX.implicitLittle), true);
  });
});

describe('files written here, read by dcmtk', () => {
  const syntaxes = [
    TRANSFER_SYNTAX.implicitLittle,
    TRANSFER_SYNTAX.explicitLittle,
    TRANSFER_SYNTAX.explicitBig,
    TRANSFER_SYNTAX.deflatedExplicitLittle,
  ];

  for (const ts of syntaxes) {
    it(`dcmdump reads ${ts} without a warning and finds values at depth`, async () => {
      const path = join(dir, `ours-${ts}.dcm`);
      await writeFile(path, writeDicomFile({ dataset: makeSampleDataset(), transferSyntax: ts }));
      const full = await dcmtk('dcmdump', ['-dc', '+U8', path]);
      // Implicit VR cannot say that the private (0029,1030) is a sequence: dcmdump notes that it
      // reads the undefined-length value as one (CP-246), which is how it is meant to be read.
      const notes = full.stderr.split('\n').filter((l) => l !== '');
      const cp246 =
        /^W: Found element \(0029,1030\) with VR UN and undefined length, reading a sequence .*\(CP-246\)$/;
      expect(notes.filter((l) => !cp246.test(l))).toEqual([]);
      expect(notes.length).toBe(ts === TRANSFER_SYNTAX.implicitLittle ? 1 : 0);
      expect(full.stdout).toContain(`(0002,0010) UI =`);
      const search = await dcmtk('dcmdump', [
        '+U8',
        '+p',
        ...[
          '0010,0010',
          '0040,0254',
          '0029,0010',
          '0020,0032',
          '0018,9089',
          '0018,9219',
          '0072,0082',
          '0020,9165',
          '0008,0081',
        ].flatMap((t) => ['+P', t]),
        path,
      ]);
      const lines = search.stdout.split('\n').map((l) => l.replace(/\s+#.*$/, ''));
      expect(search.stderr.split('\n').filter((l) => l !== '' && !cp246.test(l))).toEqual([]);
      expect(lines).toContain('(0010,0010) PN [Mustermann^Jürgen]');
      expect(lines).toContain(
        '(0008,1115).(0008,2112).(0008,2112).(0008,2112).(0040,0254) LO [LEVEL 0]',
      );
      expect(lines).toContain('(0008,1115).(0040,0254) LO [LEVEL 0]');
      expect(lines).toContain('(0029,0010) LO [TESSERA TEST]');
      expect(lines).toContain('(0008,0081) ST [Hospital Street 1\\Town]');
      if (ts !== TRANSFER_SYNTAX.implicitLittle) {
        expect(lines).toContain('(0029,1030).(0040,0254) LO [PRIVATE 1]');
        expect(lines).toContain('(0029,1030).(0008,2112).(0040,0254) LO [PRIVATE 0]');
      }
      expect(lines).toContain('(0020,0032) DS [-125.5\\-125.5\\10]');
      expect(lines).toContain('(0018,9089) FD 0.25\\-0.5\\1');
      expect(lines).toContain('(0018,9219) SS -100');
      expect(lines).toContain('(0072,0082) SV -1099511627776');
      expect(lines).toContain('(0020,9165) AT (0020,0032)\\(7fe0,0010)');
    });
  }

  for (const [encoder, decoder, ts] of [
    ['dcmcrle', 'dcmdrle', '1.2.840.10008.1.2.5'],
    ['dcmcjpeg', 'dcmdjpeg', '1.2.840.10008.1.2.4.70'],
  ] as const) {
    it(`keeps ${encoder}'s encapsulated pixel data so that ${decoder} decodes our copy`, async () => {
      const native = join(dir, `${encoder}-native.dcm`);
      const compressed = join(dir, `${encoder}-compressed.dcm`);
      const ours = join(dir, `${encoder}-ours.dcm`);
      const decoded = join(dir, `${encoder}-decoded.dcm`);
      const ds = makeSampleDataset();
      await writeFile(
        native,
        writeDicomFile({ dataset: ds, transferSyntax: TRANSFER_SYNTAX.explicitLittle }),
      );
      await dcmtk(encoder, [native, compressed]);
      const file = parseDicomFile(await readFile(compressed));
      expect(file.transferSyntax).toBe(ts);
      const fragments = file.dataset.get(0x7fe00010)?.fragments ?? [];
      expect(fragments.length).toBeGreaterThanOrEqual(2);
      await writeFile(ours, writeDicomFile(file));
      const check = await dcmtk('dcmdump', [ours]);
      expect(check.stderr).toBe('');
      expect(check.stdout).toMatch(/\(7fe0,0010\) OB \(PixelSequence #=\d+\)/);
      await dcmtk(decoder, [ours, decoded]);
      const back = parseDicomFile(await readFile(decoded)).dataset;
      expect(
        Buffer.from(back.get(0x7fe00010)?.value ?? []).equals(
          Buffer.from(ds.get(0x7fe00010)?.value ?? []),
        ),
      ).toBe(true);
    });
  }

  it('dcmconv converts our file to every syntax and we read back the same dataset', async () => {
    const src = join(dir, 'ours-conv.dcm');
    const ds = makeSampleDataset();
    await writeFile(
      src,
      writeDicomFile({ dataset: ds, transferSyntax: TRANSFER_SYNTAX.explicitLittle }),
    );
    const reference = parseDicomFile(await readFile(src)).dataset;
    for (const option of ['+te', '+tb', '+td']) {
      const out = join(dir, `conv${option}.dcm`);
      await dcmtk('dcmconv', [option, src, out]);
      const back = parseDicomFile(await readFile(out)).dataset;
      expect([...back.keys()].sort()).toEqual([...reference.keys()].sort());
      for (const [tag, el] of reference) {
        const got = back.get(tag);
        expect(got?.vr, `VR of ${tag.toString(16)}`).toBe(el.vr);
        if (el.value !== undefined)
          expect(Buffer.from(got?.value ?? []).equals(Buffer.from(el.value))).toBe(true);
      }
    }
  });
});
