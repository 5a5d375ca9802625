/*
 * Finds values in a dataset at any depth (issue 7): the check that de-identification left none
 * of an instance's identifying values behind, used by the tests here and by the store's.
 */
import type { DicomDataset, Vr } from '../core/types.js';
import { charsetOf, decodeText } from '../core/values.js';
import { formatTag, PIXEL_DATA } from '../core/vr.js';

/** Where a needle was found: the path of tags and item indices, as '(0008,1115)[0](0010,0010)'. */
export interface Finding {
  readonly path: string;
  readonly needle: string;
}

/** VRs that hold numbers: read as text they can only give false alarms. */
const NUMERIC_VRS: ReadonlySet<Vr> = new Set([
  'AT',
  'FD',
  'FL',
  'OD',
  'OF',
  'OL',
  'OV',
  'SL',
  'SS',
  'SV',
  'UL',
  'US',
  'UV',
]);

function readings(bytes: Uint8Array, vr: Vr, charset: readonly string[]): string[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The declared character set, and latin1 and UTF-8 besides, so that a value written in a
  // set other than the declared one (or in an untyped private element) is still found.
  return [decodeText(bytes, vr, charset), b.toString('latin1'), b.toString('utf8')].map((s) =>
    s.toLowerCase(),
  );
}

function walk(
  ds: DicomDataset,
  needles: readonly string[],
  inherited: readonly string[],
  path: string,
  out: Finding[],
): void {
  const own = charsetOf(ds);
  const charset = own.length > 0 ? own : inherited;
  for (const [tag, el] of ds) {
    const here = `${path}${formatTag(tag)}`;
    if (el.items !== undefined) {
      el.items.forEach((item, i) => {
        walk(item, needles, charset, `${here}[${String(i)}]`, out);
      });
      continue;
    }
    if (el.value === undefined || tag === PIXEL_DATA || NUMERIC_VRS.has(el.vr)) continue;
    const texts = readings(el.value, el.vr, charset);
    for (const needle of needles) {
      const n = needle.toLowerCase();
      if (n !== '' && texts.some((t) => t.includes(n))) out.push({ path: here, needle });
    }
  }
}

/**
 * Every place where one of `needles` occurs, ignoring case, in the value of any element at any
 * depth (text VRs decoded with the Specific Character Set, and as latin1 and UTF-8; binary and
 * unknown VRs read as text too; pixel data and numeric VRs skipped). Empty needles match nothing.
 */
export function findValues(ds: DicomDataset, needles: readonly string[]): Finding[] {
  const out: Finding[] = [];
  walk(ds, needles, [], '', out);
  return out;
}
