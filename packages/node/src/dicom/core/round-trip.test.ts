import { describe, expect, it } from 'vitest';
import { parseDataset, parseDicomFile, parseFileMeta } from './parse.js';
import { makeNestedItem, makeSampleDataset } from '../../testing/dicom-sample.js';
import type { DicomDataset, DicomElement, Vr } from './types.js';
import { TRANSFER_SYNTAX, VRS } from './types.js';
import { IMPLEMENTATION_CLASS_UID } from './uid.js';
import { getNumber, getNumbers, getString, getStrings } from './values.js';
import { buildFileMeta, DicomWriteError, writeDataset, writeDicomFile } from './write.js';

/** A plain, comparable form of a dataset: elements in tag order, bytes as arrays. */
function plain(ds: DicomDataset): unknown[] {
  return [...ds.values()]
    .sort((a, b) => a.tag - b.tag)
    .map((el: DicomElement) => ({
      tag: el.tag,
      vr: el.vr,
      value: el.value === undefined ? undefined : [...el.value],
      items: el.items?.map(plain),
      fragments: el.fragments?.map((f) => [...f]),
    }));
}

const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

describe('write then parse', () => {
  it('the sample holds every VR of PS3.5', () => {
    const seen = new Set<Vr>();
    const walk = (ds: DicomDataset): void => {
      for (const el of ds.values()) {
        seen.add(el.vr);
        el.items?.forEach(walk);
      }
    };
    walk(makeSampleDataset());
    expect([...VRS].filter((vr) => !seen.has(vr))).toEqual([]);
  });

  for (const [name, ts] of [
    ['explicit VR little endian', TRANSFER_SYNTAX.explicitLittle],
    ['explicit VR big endian', TRANSFER_SYNTAX.explicitBig],
    ['deflated explicit VR little endian', TRANSFER_SYNTAX.deflatedExplicitLittle],
    ['implicit VR little endian', TRANSFER_SYNTAX.implicitLittle],
  ] as const) {
    it(`gives back every element exactly in ${name}`, () => {
      const ds = makeSampleDataset();
      const bytes = writeDicomFile({ dataset: ds, transferSyntax: ts });
      const file = parseDicomFile(bytes);
      expect(file.transferSyntax).toBe(ts);
      expect(plain(file.dataset)).toEqual(plain(ds));
      expect(plain(parseDataset(writeDataset(ds, ts), ts))).toEqual(plain(ds));
    });
  }

  it('writes the meta group with a correct group length and our implementation UID', () => {
    const ds = makeSampleDataset();
    const bytes = writeDicomFile({ dataset: ds, transferSyntax: TRANSFER_SYNTAX.explicitLittle });
    expect([...bytes.subarray(0, 128)].every((b) => b === 0)).toBe(true);
    expect(Buffer.from(bytes.subarray(128, 132)).toString('latin1')).toBe('DICM');
    const { meta, datasetOffset } = parseFileMeta(bytes);
    // The group length counts the bytes after (0002,0000) up to the dataset (12 bytes for it).
    expect(getNumber(meta, 0x00020000)).toBe(datasetOffset - 132 - 12);
    expect(getString(meta, 0x00020012)).toBe(IMPLEMENTATION_CLASS_UID);
    expect(getString(meta, 0x00020003)).toBe('1.2.826.0.1.3680043.2.1125.1.1');
    expect(getString(meta, 0x00020013)).toMatch(/^TESSERA_/);
  });

  it('writes a parsed file back byte for byte', () => {
    const first = writeDicomFile({
      dataset: makeSampleDataset(),
      transferSyntax: TRANSFER_SYNTAX.explicitLittle,
    });
    const again = writeDicomFile(parseDicomFile(first));
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
  });

  it('keeps encapsulated pixel data fragments and the offset table', () => {
    const bot = new Uint8Array([0, 0, 0, 0, 12, 0, 0, 0]);
    const ds = makeSampleDataset([
      {
        tag: 0x7fe00010,
        vr: 'OB',
        fragments: [bot, new Uint8Array([0xff, 0xd8, 1, 2]), new Uint8Array([3, 4, 0xff, 0xd9])],
      },
    ]);
    const file = parseDicomFile(writeDicomFile({ dataset: ds, transferSyntax: JPEG_BASELINE }));
    expect(file.transferSyntax).toBe(JPEG_BASELINE);
    expect(plain(file.dataset)).toEqual(plain(ds));
  });

  it('pads odd values: text with a space, UI and binary with a zero byte', () => {
    const ds: DicomDataset = new Map([
      [0x00100010, { tag: 0x00100010, vr: 'PN', value: Buffer.from('ABC') }],
      [0x00080018, { tag: 0x00080018, vr: 'UI', value: Buffer.from('1.2.3') }],
      [0x00282000, { tag: 0x00282000, vr: 'OB', value: new Uint8Array([7]) }],
    ]);
    const back = parseDataset(
      writeDataset(ds, TRANSFER_SYNTAX.explicitLittle),
      TRANSFER_SYNTAX.explicitLittle,
    );
    expect([...(back.get(0x00100010)?.value ?? [])]).toEqual([...Buffer.from('ABC ')]);
    expect([...(back.get(0x00080018)?.value ?? [])]).toEqual([...Buffer.from('1.2.3\0')]);
    expect([...(back.get(0x00282000)?.value ?? [])]).toEqual([7, 0]);
  });

  it('recomputes a stale group length in the dataset', () => {
    const ds = makeSampleDataset([
      { tag: 0x00100000, vr: 'UL', value: new Uint8Array([1, 0, 0, 0]) },
    ]);
    const bytes = writeDataset(ds, TRANSFER_SYNTAX.explicitLittle);
    const back = parseDataset(bytes, TRANSFER_SYNTAX.explicitLittle);
    const patientGroup = [...back.keys()].filter((t) => t >>> 16 === 0x0010 && t !== 0x00100000);
    const alone = new Map([...back].filter(([t]) => patientGroup.includes(t)));
    expect(getNumber(back, 0x00100000)).toBe(
      writeDataset(alone, TRANSFER_SYNTAX.explicitLittle).length,
    );
  });

  it('gets group lengths right around values too big to copy twice', () => {
    const big = new Uint8Array(200_000).map((_, i) => i % 251);
    const ds = makeSampleDataset([
      { tag: 0x00280000, vr: 'UL', value: new Uint8Array(4) },
      { tag: 0x7fe00000, vr: 'UL', value: new Uint8Array(4) },
      { tag: 0x7fe00010, vr: 'OW', value: big },
    ]);
    for (const ts of [TRANSFER_SYNTAX.explicitLittle, TRANSFER_SYNTAX.explicitBig]) {
      const back = parseDataset(writeDataset(ds, ts), ts);
      // OW header in explicit VR: tag 4, VR 2, reserved 2, length 4.
      expect(getNumber(back, 0x7fe00000)).toBe(12 + 200_000);
      const group28 = new Map([...back].filter(([t]) => t >>> 16 === 0x0028 && t !== 0x00280000));
      expect(getNumber(back, 0x00280000)).toBe(writeDataset(group28, ts).length);
      expect(Buffer.from(back.get(0x7fe00010)?.value ?? []).equals(Buffer.from(big))).toBe(true);
    }
  });

  it('parses an undefined-length UN as a sequence in implicit VR LE (PS3.5 6.2.2)', () => {
    const u16 = (n: number): number[] => [n & 0xff, n >>> 8];
    const u32 = (n: number): number[] => [...u16(n & 0xffff), ...u16(n >>> 16)];
    const tag = (t: number): number[] => [...u16(t >>> 16), ...u16(t & 0xffff)];
    const bytes = new Uint8Array([
      ...tag(0x00291030),
      ...Buffer.from('UN'),
      0,
      0,
      ...u32(0xffffffff),
      ...tag(0xfffee000),
      ...u32(0xffffffff),
      ...tag(0x00100020),
      ...u32(4),
      ...Buffer.from('AB12'), // implicit VR inside
      ...tag(0xfffee00d),
      ...u32(0),
      ...tag(0xfffee0dd),
      ...u32(0),
      ...tag(0x00291040),
      ...Buffer.from('LO'),
      ...u16(2),
      ...Buffer.from('OK'), // explicit again
    ]);
    for (const ts of [TRANSFER_SYNTAX.explicitLittle, JPEG_BASELINE]) {
      const ds = parseDataset(bytes, ts);
      const sq = ds.get(0x00291030);
      expect(sq?.vr).toBe('SQ');
      const item = sq?.items?.[0];
      expect(item?.get(0x00100020)?.vr).toBe('LO');
      expect(getString(item!, 0x00100020)).toBe('AB12');
      expect(getString(ds, 0x00291040)).toBe('OK');
    }
  });

  it('reads the values it wrote', () => {
    const back = parseDicomFile(
      writeDicomFile({ dataset: makeSampleDataset(), transferSyntax: TRANSFER_SYNTAX.explicitBig }),
    ).dataset;
    expect(getString(back, 0x00100010)).toBe('Mustermann^Jürgen');
    expect(getStrings(back, 0x00200032)).toEqual(['-125.5', '-125.5', '10']);
    expect(getNumbers(back, 0x00200032)).toEqual([-125.5, -125.5, 10]);
    expect(getNumbers(back, 0x00189089)).toEqual([0.25, -0.5, 1]);
    expect(getNumber(back, 0x00189219)).toBe(-100);
    expect(getNumber(back, 0x00186020)).toBe(-70000);
    expect(getNumber(back, 0x00720082)).toBe(-(2 ** 40));
    expect(getNumber(back, 0x00720081)).toBe(2 ** 50);
    expect(getNumbers(back, 0x00209165)).toEqual([0x00200032, 0x7fe00010]);
    const nested = back.get(0x00081115)?.items?.[0]?.get(0x00082112)?.items?.[0];
    expect(getString(nested!, 0x00400254)).toBe('LEVEL 2');
  });

  it('refuses fragments in a native syntax and long values in a 16-bit length VR', () => {
    const frag = makeSampleDataset([{ tag: 0x7fe00010, vr: 'OB', fragments: [new Uint8Array(0)] }]);
    expect(() => writeDataset(frag, TRANSFER_SYNTAX.explicitLittle)).toThrow(DicomWriteError);
    const long = new Map([
      [0x00100010, { tag: 0x00100010, vr: 'PN' as const, value: new Uint8Array(70000) }],
    ]);
    expect(() => writeDataset(long, TRANSFER_SYNTAX.explicitLittle)).toThrow(
      /65535.*\(0010,0010\)/,
    );
    expect(writeDataset(long, TRANSFER_SYNTAX.implicitLittle).length).toBe(70008);
  });

  it('builds a file meta group from fields', () => {
    const meta = buildFileMeta({
      sopClassUid: '1.2.3',
      sopInstanceUid: '1.2.3.4',
      transferSyntax: TRANSFER_SYNTAX.implicitLittle,
    });
    expect(getString(meta, 0x00020010)).toBe(TRANSFER_SYNTAX.implicitLittle);
    expect([...(meta.get(0x00020001)?.value ?? [])]).toEqual([0, 1]);
  });

  it('nests sequences 32 deep', () => {
    const ds = new Map([
      [0x00081115, { tag: 0x00081115, vr: 'SQ' as const, items: [makeNestedItem(31)] }],
    ]);
    const back = parseDataset(
      writeDataset(ds, TRANSFER_SYNTAX.explicitLittle),
      TRANSFER_SYNTAX.explicitLittle,
    );
    expect(plain(back)).toEqual(plain(ds));
  });
});
