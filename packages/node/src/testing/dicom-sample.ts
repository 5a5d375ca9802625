/*
 * A small, valid dataset with one element of every VR, nested sequences and private tags: the
 * shared input of the core tests, and handy for the other DICOM parts' tests. No real person.
 */
import type { DicomDataset, DicomElement, Tag } from '../dicom/core/types.js';
import { setNumbers, setString } from '../dicom/core/values.js';

function put(ds: DicomDataset, el: DicomElement): void {
  ds.set(el.tag, el);
}

function bytes(...b: number[]): Uint8Array {
  return new Uint8Array(b);
}

/** An item with a text element and a nested sequence `depth` levels deep. */
export function makeNestedItem(depth: number, label = 'LEVEL'): DicomDataset {
  const item: DicomDataset = new Map();
  setString(item, 0x00081150, '1.2.840.10008.5.1.4.1.1.2');
  setString(item, 0x00081155, `1.2.3.4.${depth}`);
  setString(item, 0x00400254, `${label} ${depth}`);
  if (depth > 0) {
    put(item, { tag: 0x00082112, vr: 'SQ', items: [makeNestedItem(depth - 1, label)] });
  }
  return item;
}

/**
 * A CT-like dataset: every VR of PS3.5 at least once, each under a tag whose dictionary VR it is
 * (so it survives implicit VR), values of even length as a valid dataset has; a sequence nested
 * three deep; a private creator with a private text, a private UN and a private sequence; and
 * 4×4 16-bit signed pixels. `overrides` replace or add elements.
 */
export function makeSampleDataset(overrides: readonly DicomElement[] = []): DicomDataset {
  const ds: DicomDataset = new Map();
  const text: [Tag, string][] = [
    [0x00080005, 'ISO_IR 100'], // CS
    [0x00080016, '1.2.840.10008.5.1.4.1.1.2'], // UI
    [0x00080018, '1.2.826.0.1.3680043.2.1125.1.1'],
    [0x00080020, '20240131'], // DA
    [0x00080030, '101500.25'], // TM
    [0x0008002a, '20240131101500.250000+0100'], // DT
    [0x00080060, 'CT'],
    [0x00080070, 'ACME Medical'], // LO
    [0x00080081, 'Hospital Street 1\\Town'], // ST (a backslash is text here)
    [0x00080090, 'Smith^Jane^^Dr'], // PN
    [0x00081010, 'STATION_7'], // SH
    [0x00081030, 'CT chest with contrast'],
    [0x00081190, 'https://example.org/wado?x=1'], // UR
    [0x00100010, 'Mustermann^Jürgen'],
    [0x00100020, 'PAT-0001'],
    [0x00100030, '19700101'],
    [0x00101010, '054Y'], // AS
    [0x00104000, 'patient comments'], // LT
    [0x00180015, 'CHEST'],
    [0x00180050, '1.25'], // DS
    [0x00181009, 'unique device identifier'], // UT
    [0x00189367, 'tube A'], // UC
    [0x00200013, '7'], // IS
    [0x0020000d, '1.2.826.0.1.3680043.2.1125.2'],
    [0x0020000e, '1.2.826.0.1.3680043.2.1125.3'],
    [0x00200032, '-125.5\\-125.5\\10'],
    [0x00200037, '1\\0\\0\\0\\1\\0'],
    [0x00280004, 'MONOCHROME2'],
    [0x00281052, '-1024'],
    [0x00281053, '1'],
    [0x00400241, 'AE_TITLE_1'], // AE
  ];
  for (const [tag, value] of text) setString(ds, tag, value);
  setNumbers(ds, 0x00280002, [1]); // US
  setNumbers(ds, 0x00280010, [4]);
  setNumbers(ds, 0x00280011, [4]);
  setNumbers(ds, 0x00280100, [16]);
  setNumbers(ds, 0x00280101, [12]);
  setNumbers(ds, 0x00280102, [11]);
  setNumbers(ds, 0x00280103, [1]);
  setNumbers(ds, 0x00189219, [-100]); // SS
  setNumbers(ds, 0x00186020, [-70000]); // SL
  setNumbers(ds, 0x00189089, [0.25, -0.5, 1]); // FD
  setNumbers(ds, 0x00109431, [3.5]); // FL
  setNumbers(ds, 0x00209165, [0x00200032, 0x7fe00010]); // AT
  setNumbers(ds, 0x00720082, [-(2 ** 40)]); // SV
  setNumbers(ds, 0x00720083, [2 ** 45]); // UV
  setNumbers(ds, 0x00660040, [1, 2]); // OL
  setNumbers(ds, 0x00660022, [1.5, -2]); // OD
  setNumbers(ds, 0x00660016, [0.5, 2]); // OF
  setNumbers(ds, 0x00720081, [2 ** 50]); // OV
  setNumbers(ds, 0x00281201, [0, 65535]); // OW
  put(ds, { tag: 0x00282000, vr: 'OB', value: bytes(0xde, 0xad, 0xbe, 0xef) });
  setString(ds, 0x00290010, 'TESSERA TEST');
  put(ds, { tag: 0x00291010, vr: 'UN', value: bytes(9, 8, 7, 6) });
  put(ds, { tag: 0x00291030, vr: 'SQ', items: [makeNestedItem(1, 'PRIVATE')] });
  put(ds, { tag: 0x00081115, vr: 'SQ', items: [makeNestedItem(3), makeNestedItem(0), new Map()] });
  put(ds, { tag: 0x00082218, vr: 'SQ', items: [] });
  setNumbers(ds, 0x00180088, [1]); // DS through setNumbers
  setNumbers(ds, 0x00280009, [0x00181063]); // AT, FrameIncrementPointer
  setNumbers(ds, 0x00081161, [123456]); // UL, SimpleFrameList
  const pixels = new Int16Array(16).map((_, i) => (i - 8) * 100);
  put(ds, { tag: 0x7fe00010, vr: 'OW', value: new Uint8Array(pixels.buffer) });
  for (const el of overrides) put(ds, el);
  return ds;
}
