/*
 * Reading and writing element values (issue 7): text with the Specific Character Set in mind
 * (charset.ts), numbers of every numeric VR, and tag helpers. Values are little endian, as the
 * data model keeps them.
 */
import { decodeWithCharset, encodeWithCharset } from './charset.js';
import { vrOf } from './dictionary.js';
import type { DicomDataset, DicomElement, Tag, Vr } from './types.js';
import { CHARSET_VRS, formatTag, SINGLE_VALUED_TEXT_VRS, TEXT_VRS } from './vr.js';

const SPECIFIC_CHARACTER_SET = 0x00080005;

/** '(GGGG,EEEE)' with upper-case hex, e.g. tagString(0x00100010) === '(0010,0010)'. */
export function tagString(tag: Tag): string {
  return formatTag(tag);
}

/**
 * A tag from '(0010,0010)', '0010,0010' or '00100010' (hex, either case).
 * @throws RangeError when the text is none of these.
 */
export function parseTagString(text: string): Tag {
  const m = /^\(?([0-9a-fA-F]{4}),?([0-9a-fA-F]{4})\)?$/.exec(text.trim());
  if (m === null || (text.includes('(') && !text.includes(')'))) {
    throw new RangeError(`not a DICOM tag: expected (GGGG,EEEE) or GGGGEEEE`);
  }
  return parseInt(`${m[1] ?? ''}${m[2] ?? ''}`, 16) >>> 0;
}

/**
 * Whether a tag is private: its group is odd (PS3.5 7.8). Groups 0001-0007 and FFFF, which
 * PS3.5 forbids, count as private too, so whoever removes private data removes them as well.
 */
export function isPrivateTag(tag: Tag): boolean {
  return ((tag >>> 16) & 1) === 1;
}

/** Whether a tag is a private creator, (odd gggg,0010-00FF) (PS3.5 7.8.1). */
export function isPrivateCreator(tag: Tag): boolean {
  const element = tag & 0xffff;
  return isPrivateTag(tag) && element >= 0x0010 && element <= 0x00ff;
}

/** Whether a tag is a group length, (gggg,0000) (PS3.5 7.2). */
export function isGroupLength(tag: Tag): boolean {
  return (tag & 0xffff) === 0;
}

/**
 * The Specific Character Set (0008,0005) of a dataset, one entry per value ('' for the default
 * repertoire). Items of a sequence inherit it from the dataset above unless they have their own.
 */
export function charsetOf(ds: DicomDataset): string[] {
  const v = ds.get(SPECIFIC_CHARACTER_SET)?.value;
  if (v === undefined) return [];
  return Buffer.from(v)
    .toString('latin1')
    .split('\\')
    .map((s) => s.trim());
}

/**
 * The text of a value of VR `vr`: the Specific Character Set applies to SH, LO, ST, LT, PN, UC
 * and UT (PS3.5 6.1.2.3); other VRs are ASCII, read as latin1.
 */
export function decodeText(bytes: Uint8Array, vr: Vr, charset: readonly string[] = []): string {
  if (!CHARSET_VRS.has(vr))
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return decodeWithCharset(bytes, charset);
}

/**
 * The bytes of a text value, padded to an even length (a space, or \0 for UI).
 * @throws RangeError when the text cannot be written in the character set (the text is not quoted).
 */
export function encodeText(text: string, vr: Vr, charset: readonly string[] = []): Uint8Array {
  const raw = CHARSET_VRS.has(vr) ? encodeWithCharset(text, charset) : encodeWithCharset(text, []);
  if (raw.length % 2 === 0) return raw;
  const out = new Uint8Array(raw.length + 1);
  out.set(raw);
  out[raw.length] = vr === 'UI' ? 0 : 0x20;
  return out;
}

function charsetFor(ds: DicomDataset, charset: readonly string[] | undefined): readonly string[] {
  return charset ?? charsetOf(ds);
}

/** Removes trailing padding (\0 and spaces) and, except in LT, ST, UT, leading spaces. */
function trimValue(s: string, vr: Vr): string {
  const end = s.replace(/[\0 ]+$/, '');
  return vr === 'LT' || vr === 'ST' || vr === 'UT' ? end : end.replace(/^ +/, '');
}

/**
 * The whole text of an element (backslashes kept), padding removed; undefined when the element
 * is absent or has no value bytes (a sequence). `charset` defaults to the dataset's own
 * (0008,0005): pass the parent's for items without one.
 */
export function getString(
  ds: DicomDataset,
  tag: Tag,
  charset?: readonly string[],
): string | undefined {
  const el = ds.get(tag);
  if (el?.value === undefined) return undefined;
  return trimValue(decodeText(el.value, el.vr, charsetFor(ds, charset)), el.vr);
}

/** The values of a multi-valued text element, split at backslashes (PS3.5 6.4), each trimmed; [] when absent or empty. */
export function getStrings(ds: DicomDataset, tag: Tag, charset?: readonly string[]): string[] {
  const el = ds.get(tag);
  if (el?.value === undefined || el.value.length === 0) return [];
  const text = decodeText(el.value, el.vr, charsetFor(ds, charset));
  if (SINGLE_VALUED_TEXT_VRS.has(el.vr)) return [trimValue(text, el.vr)];
  return text.split('\\').map((s) => trimValue(s, el.vr));
}

function vrFor(tag: Tag, vr: Vr | undefined): Vr {
  const chosen = vr ?? vrOf(tag);
  if (chosen === 'UN' && vr === undefined) {
    throw new RangeError(`no VR known for ${formatTag(tag)}: pass one`);
  }
  return chosen;
}

/**
 * Sets a text element, padded to an even length; the VR defaults to the dictionary's. The
 * text is encoded in `charset`, by default the dataset's Specific Character Set.
 * @throws RangeError for a tag without a known VR and no `vr`, a non-text VR, or text the
 * character set cannot hold.
 */
export function setString(
  ds: DicomDataset,
  tag: Tag,
  text: string,
  vr?: Vr,
  charset?: readonly string[],
): DicomElement {
  const v = vrFor(tag, vr);
  if (!TEXT_VRS.has(v) && v !== 'UI')
    throw new RangeError(`${formatTag(tag)} has VR ${v}, not a text VR`);
  const el: DicomElement = { tag, vr: v, value: encodeText(text, v, charsetFor(ds, charset)) };
  ds.set(tag, el);
  return el;
}

/** Sets a multi-valued text element, the values joined with backslashes. Throws as setString. */
export function setStrings(
  ds: DicomDataset,
  tag: Tag,
  values: readonly string[],
  vr?: Vr,
  charset?: readonly string[],
): DicomElement {
  return setString(ds, tag, values.join('\\'), vr, charset);
}

/** Removes an element; true when it was there. */
export function removeElement(ds: DicomDataset, tag: Tag): boolean {
  return ds.delete(tag);
}

export { getNumber, getNumbers, setNumbers } from './numbers.js';
