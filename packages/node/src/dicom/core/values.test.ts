import { describe, expect, it } from 'vitest';
import { formatDecimalString } from './numbers.js';
import type { DicomDataset, Vr } from './types.js';
import {
  IMPLEMENTATION_CLASS_UID,
  IMPLEMENTATION_VERSION_NAME,
  isValidUid,
  uidFromBytes,
} from './uid.js';
import {
  charsetOf,
  decodeText,
  encodeText,
  getNumber,
  getNumbers,
  getString,
  getStrings,
  isGroupLength,
  isPrivateCreator,
  isPrivateTag,
  parseTagString,
  removeElement,
  setNumbers,
  setString,
  setStrings,
  tagString,
} from './values.js';

function raw(tag: number, vr: Vr, bytes: number[] | string): DicomDataset {
  const value = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : new Uint8Array(bytes);
  return new Map([[tag, { tag, vr, value }]]);
}

describe('tags', () => {
  it('formats and parses tag strings', () => {
    expect(tagString(0x00100010)).toBe('(0010,0010)');
    expect(tagString(0x7fe00010)).toBe('(7FE0,0010)');
    expect(parseTagString('(0010,0010)')).toBe(0x00100010);
    expect(parseTagString('7fe0,0010')).toBe(0x7fe00010);
    expect(parseTagString('FFFEE000')).toBe(0xfffee000);
    for (const bad of ['(0010,001)', '0010-0010', 'PatientName', '(0010,0010']) {
      expect(() => parseTagString(bad)).toThrow(RangeError);
    }
  });

  it('tells private tags, private creators and group lengths', () => {
    expect(isPrivateTag(0x00291010)).toBe(true);
    expect(isPrivateTag(0x00100010)).toBe(false);
    expect(isPrivateCreator(0x00290010)).toBe(true);
    expect(isPrivateCreator(0x00291010)).toBe(false);
    expect(isGroupLength(0x00080000)).toBe(true);
    expect(isGroupLength(0x00080001)).toBe(false);
  });
});

describe('text values', () => {
  it('removes padding: trailing spaces and NULs, leading spaces except in LT, ST, UT', () => {
    expect(getString(raw(0x00100010, 'PN', 'Doe^John '), 0x00100010)).toBe('Doe^John');
    expect(getString(raw(0x00080018, 'UI', '1.2.3\0'), 0x00080018)).toBe('1.2.3');
    expect(getString(raw(0x00080060, 'CS', ' CT '), 0x00080060)).toBe('CT');
    expect(getString(raw(0x00104000, 'LT', '  indented  '), 0x00104000)).toBe('  indented');
    expect(getString(new Map(), 0x00100010)).toBeUndefined();
  });

  it('splits multiple values at backslashes, but not in LT, ST, UT, UR', () => {
    expect(getStrings(raw(0x00080008, 'CS', 'ORIGINAL\\PRIMARY\\AXIAL '), 0x00080008)).toEqual([
      'ORIGINAL',
      'PRIMARY',
      'AXIAL',
    ]);
    expect(getStrings(raw(0x00080081, 'ST', 'a\\b '), 0x00080081)).toEqual(['a\\b']);
    expect(getStrings(raw(0x00080008, 'CS', ''), 0x00080008)).toEqual([]);
    expect(getStrings(raw(0x00080008, 'CS', 'A\\\\C '), 0x00080008)).toEqual(['A', '', 'C']);
  });

  it('decodes with the Specific Character Set', () => {
    const latin1 = [0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72]; // "Müller" in ISO 8859-1
    expect(decodeText(new Uint8Array(latin1), 'PN', ['ISO_IR 100'])).toBe('Müller');
    expect(decodeText(new Uint8Array(latin1), 'PN', [])).toBe('Müller');
    expect(decodeText(Buffer.from('Müller', 'utf8'), 'PN', ['ISO_IR 192'])).toBe('Müller');
    // ISO 8859-2: 0xA3 is Ł; ISO 8859-5: 0xB0 is А (Cyrillic A); ISO 8859-7: 0xC1 is Α.
    expect(decodeText(new Uint8Array([0xa3]), 'LO', ['ISO_IR 101'])).toBe('Ł');
    expect(decodeText(new Uint8Array([0xb0]), 'LO', ['ISO_IR 144'])).toBe('А');
    expect(decodeText(new Uint8Array([0xc1]), 'LO', ['ISO_IR 126'])).toBe('Α');
    // The charset applies to PN/LO/...; a CS value is ASCII whatever the charset says.
    expect(decodeText(Buffer.from('Ã¼', 'latin1'), 'CS', ['ISO_IR 192'])).toBe('Ã¼');
  });

  it('follows ISO 2022 escapes between single-byte sets (PS3.5 6.1.2.5)', () => {
    // Default ASCII, then ESC - L (ISO 8859-5 in G1): "Smith^Лю" from PS3.5 H-like data.
    const bytes = [...Buffer.from('Smith^'), 0x1b, 0x2d, 0x4c, 0xbb, 0xee];
    expect(decodeText(new Uint8Array(bytes), 'PN', ['', 'ISO 2022 IR 144'])).toBe('Smith^Лю');
    const greek = [
      ...Buffer.from('A'),
      0x1b,
      0x2d,
      0x46,
      0xc1,
      0x1b,
      0x28,
      0x42,
      ...Buffer.from('B'),
    ];
    expect(decodeText(new Uint8Array(greek), 'LO', ['ISO 2022 IR 6', 'ISO 2022 IR 126'])).toBe(
      'AΑB',
    );
  });

  it('reads the charset of a dataset, and items get their parent charset passed', () => {
    const ds = raw(0x00080005, 'CS', '\\ISO 2022 IR 87');
    expect(charsetOf(ds)).toEqual(['', 'ISO 2022 IR 87']);
    const root: DicomDataset = new Map();
    setString(root, 0x00080005, 'ISO_IR 192');
    const item: DicomDataset = new Map();
    setString(item, 0x00100010, 'Łukasz', undefined, charsetOf(root));
    expect(getString(item, 0x00100010, charsetOf(root))).toBe('Łukasz');
  });

  it('encodes text padded to even length, and refuses what the charset cannot hold', () => {
    expect([...encodeText('1.2.3', 'UI')]).toEqual([...Buffer.from('1.2.3\0')]);
    expect([...encodeText('ABC', 'PN')]).toEqual([...Buffer.from('ABC ')]);
    expect([...encodeText('Müller', 'PN', ['ISO_IR 100'])]).toEqual([
      0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72,
    ]);
    expect(encodeText('Łukasz', 'PN', ['ISO_IR 192']).length).toBe(8);
    expect(() => encodeText('Łukasz', 'PN', ['ISO_IR 100'])).toThrow(/character 0 .* 'ISO_IR 100'/);
    expect(() => encodeText('Łukasz', 'PN', ['ISO_IR 100'])).not.toThrow(/ukasz/);
  });

  it('sets and removes elements with the dictionary VR', () => {
    const ds: DicomDataset = new Map();
    expect(setString(ds, 0x00100010, 'Doe^Jane').vr).toBe('PN');
    setStrings(ds, 0x00080008, ['ORIGINAL', 'PRIMARY']);
    expect(getStrings(ds, 0x00080008)).toEqual(['ORIGINAL', 'PRIMARY']);
    expect(() => setString(ds, 0x00291010, 'x')).toThrow(/no VR known for \(0029,1010\)/);
    expect(setString(ds, 0x00291010, 'x', 'LO').vr).toBe('LO');
    expect(() => setString(ds, 0x00280010, '5')).toThrow(/VR US, not a text VR/);
    expect(removeElement(ds, 0x00100010)).toBe(true);
    expect(removeElement(ds, 0x00100010)).toBe(false);
  });
});

describe('numbers', () => {
  it('reads IS and DS text, NaN for empty or malformed values', () => {
    const ds = raw(0x00200032, 'DS', ' -1.5\\2e3\\\\abc\\0x10 ');
    expect(getNumbers(ds, 0x00200032)).toEqual([-1.5, 2000, NaN, NaN, NaN]);
    expect(getNumber(ds, 0x00200032, 2)).toBeUndefined();
    expect(getNumbers(raw(0x00200013, 'IS', '+12 '), 0x00200013)).toEqual([12]);
    expect(getNumbers(raw(0x00200013, 'IS', '1.5 '), 0x00200013)).toEqual([NaN]);
  });

  it('writes and reads back every binary numeric VR within its range', () => {
    const cases: [Vr, number[]][] = [
      ['US', [0, 65535]],
      ['SS', [-32768, 32767]],
      ['UL', [0, 4294967295]],
      ['SL', [-2147483648, 2147483647]],
      ['FL', [1.5, -0.25]],
      ['FD', [Math.PI, -1e300]],
      ['SV', [-(2 ** 53) + 1, 2 ** 53 - 1]],
      ['UV', [0, 2 ** 53 - 1]],
      ['AT', [0x00100010, 0xfffee000]],
      ['OW', [1, 2]],
      ['OL', [3]],
      ['OF', [0.5]],
      ['OD', [0.1]],
      ['OV', [7]],
    ];
    for (const [vr, values] of cases) {
      const ds: DicomDataset = new Map();
      setNumbers(ds, 0x00091000, values, vr);
      expect(getNumbers(ds, 0x00091000), vr).toEqual(values);
    }
    const ds: DicomDataset = new Map();
    expect(() => setNumbers(ds, 0x00280010, [65536])).toThrow(/out of range for VR US/);
    expect(() => setNumbers(ds, 0x00280010, [1.5])).toThrow(RangeError);
    expect(() => setNumbers(ds, 0x00200013, [2 ** 31])).toThrow(/32-bit integers/);
    expect(() => setNumbers(ds, 0x00100010, [1])).toThrow(/holds no numbers/);
  });

  it('formats DS in at most 16 characters, as close as fits (PS3.5 6.2)', () => {
    for (const n of [
      0,
      1,
      -1.25,
      1 / 3,
      -Math.PI * 1e-12,
      6.02214076e23,
      123456789012345680,
      -0.000123456789,
    ]) {
      const s = formatDecimalString(n);
      expect(s.length).toBeLessThanOrEqual(16);
      expect(s).toMatch(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/);
      // Relative error of a 16-character decimal: well within 1e-9 for these values.
      expect(Math.abs(Number(s) - n)).toBeLessThanOrEqual(1e-9 * Math.abs(n));
    }
    expect(() => formatDecimalString(NaN)).toThrow(RangeError);
  });
});

describe('UIDs', () => {
  it('checks UIDs as PS3.5 9.1 says', () => {
    for (const ok of ['1.2.840.10008.1.2', '0', '2.25.0', '1.0.3', '1'.repeat(64)])
      expect(isValidUid(ok), ok).toBe(true);
    for (const bad of ['', '1.02', '1..2', '.1', '1.', '1.2a', '1 .2', '1'.repeat(65), '1.2\0']) {
      expect(isValidUid(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('derives 2.25 UIDs from 16 bytes as PS3.5 B.2 does', () => {
    // PS3.5 B.2's example: UUID f81d4fae-7dec-11d0-a765-00a0c91e6bf6.
    const uuid = Buffer.from('f81d4fae7dec11d0a76500a0c91e6bf6', 'hex');
    expect(uidFromBytes(uuid)).toBe('2.25.329800735698586629295641978511506172918');
    expect(uidFromBytes(new Uint8Array(32).fill(0xff))).toBe(
      `2.25.${(2n ** 128n - 1n).toString()}`,
    );
    expect(isValidUid(uidFromBytes(new Uint8Array(16).fill(0xff)))).toBe(true);
    expect(uidFromBytes(new Uint8Array(16))).toBe('2.25.0');
    expect(() => uidFromBytes(new Uint8Array(15))).toThrow(RangeError);
  });

  it("names Tessera's implementation with a valid UID and a short version name", () => {
    expect(isValidUid(IMPLEMENTATION_CLASS_UID)).toBe(true);
    expect(IMPLEMENTATION_CLASS_UID.startsWith('2.25.')).toBe(true);
    expect(IMPLEMENTATION_VERSION_NAME.length).toBeLessThanOrEqual(16);
  });
});
