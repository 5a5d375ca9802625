/*
 * Applies the rules (rules.ts) to a dataset and every item of every sequence in it, building a
 * new dataset; the input is not changed. Values that are kept are the input's bytes, so what is
 * not de-identified is written back unchanged (PS3.15 E.1.1).
 */
import type { DicomDataset, DicomElement, Tag, Vr } from '../core/types.js';
import { charsetOf, decodeText, encodeText, isGroupLength, isPrivateTag } from '../core/values.js';
import { formatTag, SINGLE_VALUED_TEXT_VRS } from '../core/vr.js';
import { pseudonym } from '../../data/pseudonym.js';
import { shiftDa, shiftDt } from './dates.js';
import { isCleanDescriptor, type IdentifyingValues } from './descriptors.js';
import { remapUid, type DeidKeys } from './keyed.js';
import { DeidError, type DeidOptions } from './options.js';
import { keptPrivateTags } from './private-tags.js';
import { attributeRule, resolveRule, type AttributeRule, type RuleKind } from './rules.js';

/** What the walk needs besides the dataset. */
export interface WalkContext {
  readonly keys: DeidKeys;
  readonly options: DeidOptions;
  /** The patient's whole-day date offset (used with retainLongitudinalTemporal). */
  readonly offsetDays: number;
  readonly identifying: IdentifyingValues;
}

interface Here {
  readonly ctx: WalkContext;
  readonly charset: readonly string[];
  readonly path: string;
}

/**
 * UI attributes outside Table E.1-1 that name a class, a syntax or a coding scheme rather than
 * an instance, and so are kept; any other UI attribute outside the table is remapped.
 */
const CLASS_UID_TAGS: ReadonlySet<Tag> = new Set([
  0x00000002, // Affected SOP Class UID
  0x00000003, // Requested SOP Class UID
  0x00041510, // Referenced SOP Class UID in File
  0x00041512, // Referenced Transfer Syntax UID in File
  0x0004151a, // Referenced Related General SOP Class UID in File
  0x00080016, // SOP Class UID
  0x0008001a, // Related General SOP Class UID
  0x0008001b, // Original Specialized SOP Class UID
  0x00080062, // SOP Classes in Study
  0x0008010c, // Coding Scheme UID
  0x0008010d, // Context Group Extension Creator UID
  0x00080117, // Context UID
  0x00080118, // Mapping Resource UID
  0x00081150, // Referenced SOP Class UID
  0x0008115a, // SOP Classes Supported
  0x00089123, // Creator-Version UID
]);

/** Code attributes of code sequence items: vocabulary, not free text (PS3.3 8.8). */
const CODE_TAGS: ReadonlySet<Tag> = new Set([
  0x00080100, 0x00080102, 0x00080103, 0x00080119, 0x00080120,
]);

/** Text blocks: never kept by cleaning (see descriptors.ts). */
const TEXT_BLOCK_VRS: ReadonlySet<Vr> = new Set(['LT', 'ST', 'UT']);

/** Short strings that the descriptor check may keep when their rule is 'clean'. */
const FREE_TEXT_VRS: ReadonlySet<Vr> = new Set(['LO', 'SH', 'UC', 'CS']);

const DUMMY_TEXT: Partial<Record<Vr, string>> = {
  AE: 'DEIDENTIFIED',
  AS: '000Y',
  CS: 'DEIDENTIFIED',
  DA: '19000101',
  DS: '0',
  DT: '19000101000000',
  IS: '0',
  LO: 'DEIDENTIFIED',
  LT: 'DEIDENTIFIED',
  PN: 'DEIDENTIFIED',
  SH: 'DEIDENTIFIED',
  ST: 'DEIDENTIFIED',
  TM: '000000',
  UC: 'DEIDENTIFIED',
  UR: 'urn:tessera:deidentified',
  UT: 'DEIDENTIFIED',
};

/** Byte width of a zero dummy for binary VRs (one value). */
const DUMMY_WIDTH: Partial<Record<Vr, number>> = {
  AT: 4,
  FD: 8,
  FL: 4,
  OB: 2,
  OD: 8,
  OF: 4,
  OL: 4,
  OV: 8,
  OW: 2,
  SL: 4,
  SS: 2,
  SV: 8,
  UL: 4,
  UN: 2,
  US: 2,
  UV: 8,
};

function text(el: DicomElement, charset: readonly string[]): string {
  return el.value === undefined ? '' : decodeText(el.value, el.vr, charset);
}

function trimPad(s: string): string {
  return s.replace(/[\0 ]+$/, '').replace(/^ +/, '');
}

function withText(
  el: DicomElement,
  value: string,
  vr: Vr,
  charset: readonly string[],
): DicomElement {
  return { tag: el.tag, vr, value: encodeText(value, vr, charset) };
}

function remapUidElement(el: DicomElement, here: Here): DicomElement {
  if (el.vr !== 'UI' && el.vr !== 'UN') {
    throw new DeidError(`cannot remap a UID held in VR ${el.vr}`, here.path);
  }
  const uids = text(el, []).split('\\').map(trimPad);
  const mapped = uids.map((u) => (u === '' ? '' : remapUid(here.ctx.keys.uidKey, u)));
  return withText(el, mapped.join('\\'), 'UI', []);
}

function dummyElement(el: DicomElement, here: Here): DicomElement {
  if (el.vr === 'SQ') return { tag: el.tag, vr: 'SQ', items: [new Map()] };
  if (el.vr === 'UI') {
    const original = trimPad(text(el, []));
    const seed = original === '' ? `dummy ${formatTag(el.tag)}` : original;
    return withText(el, remapUid(here.ctx.keys.uidKey, seed), 'UI', []);
  }
  const dummy = DUMMY_TEXT[el.vr];
  if (dummy !== undefined) return withText(el, dummy, el.vr, here.charset);
  const width = DUMMY_WIDTH[el.vr];
  if (width === undefined) throw new DeidError(`no dummy value for VR ${el.vr}`, here.path);
  return { tag: el.tag, vr: el.vr, value: new Uint8Array(width) };
}

function emptyElement(el: DicomElement): DicomElement {
  return el.vr === 'SQ'
    ? { tag: el.tag, vr: 'SQ', items: [] }
    : { tag: el.tag, vr: el.vr, value: new Uint8Array(0) };
}

function shiftElement(el: DicomElement, rule: AttributeRule, here: Here): DicomElement | undefined {
  const days = here.ctx.offsetDays;
  if (el.vr === 'DA' || el.vr === 'DT') {
    const shift = el.vr === 'DA' ? shiftDa : shiftDt;
    const shifted = text(el, [])
      .split('\\')
      .map((v) => shift(trimPad(v), days));
    // A value that is not a date cannot be shifted: it is dropped rather than kept.
    if (shifted.some((v) => v === undefined)) return emptyElement(el);
    return withText(el, shifted.join('\\'), el.vr, []);
  }
  // Whole-day shifts leave times of day and offsets from UTC as they are.
  if (el.vr === 'TM' || el.tag === 0x00080201) return el;
  return apply(el, rule.base, rule, here);
}

function cleanLeaves(ds: DicomDataset, here: Here): DicomDataset {
  const out: DicomDataset = new Map();
  const own = charsetOf(ds);
  const charset = own.length > 0 ? own : here.charset;
  for (const [tag, el] of ds) {
    if (el.items !== undefined) {
      const items = el.items.map((item, i) =>
        cleanLeaves(item, {
          ...here,
          charset,
          path: `${here.path}${formatTag(tag)}[${String(i)}]`,
        }),
      );
      out.set(tag, { ...el, items });
    } else if (el.vr === 'PN' || TEXT_BLOCK_VRS.has(el.vr)) {
      continue;
    } else if (FREE_TEXT_VRS.has(el.vr) && !CODE_TAGS.has(tag)) {
      const multi = !SINGLE_VALUED_TEXT_VRS.has(el.vr);
      if (isCleanDescriptor(trimPad(text(el, charset)), here.ctx.identifying, multi))
        out.set(tag, el);
    } else {
      out.set(tag, el);
    }
  }
  return out;
}

function cleanElement(el: DicomElement, rule: AttributeRule, here: Here): DicomElement | undefined {
  if (el.items !== undefined) {
    const items = walkItems(el, here).map((item) => cleanLeaves(item, here));
    return { tag: el.tag, vr: 'SQ', items };
  }
  // Text blocks (LT, ST, UT: comments, histories, notes) are never kept, however they read:
  // a narrative can name a place or a person that appears nowhere else in the instance.
  if (FREE_TEXT_VRS.has(el.vr) && el.value !== undefined) {
    const multi = !SINGLE_VALUED_TEXT_VRS.has(el.vr);
    const value = trimPad(text(el, here.charset));
    if (isCleanDescriptor(value, here.ctx.identifying, multi)) return el;
  }
  return apply(el, rule.base, rule, here);
}

function pseudonymElement(el: DicomElement, here: Here): DicomElement {
  if (el.vr !== 'LO' && el.vr !== 'SH' && el.vr !== 'UN') {
    throw new DeidError(`cannot pseudonymise a value of VR ${el.vr}`, here.path);
  }
  const id = trimPad(text(el, here.charset));
  if (id === '') return emptyElement(el);
  return withText(el, pseudonym(here.ctx.keys.pseudonymKey, id), 'LO', []);
}

function walkItems(el: DicomElement, here: Here): DicomDataset[] {
  return (el.items ?? []).map((item, i) =>
    walkDataset(item, here.ctx, here.charset, `${here.path}[${String(i)}]`),
  );
}

function keepElement(el: DicomElement, here: Here): DicomElement {
  return el.items === undefined ? el : { tag: el.tag, vr: el.vr, items: walkItems(el, here) };
}

function apply(
  el: DicomElement,
  kind: RuleKind,
  rule: AttributeRule,
  here: Here,
): DicomElement | undefined {
  switch (kind) {
    case 'remove':
      return undefined;
    case 'empty':
      return emptyElement(el);
    case 'dummy':
      return dummyElement(el, here);
    case 'keep':
      return keepElement(el, here);
    case 'clean':
      return cleanElement(el, rule, here);
    case 'remapUid':
      return el.items !== undefined ? keepElement(el, here) : remapUidElement(el, here);
    case 'shiftDate':
      return shiftElement(el, rule, here);
    case 'pseudonym':
      return pseudonymElement(el, here);
  }
}

/** Attributes without a rule: by VR (PS3.15 E.1.1 keeps attributes the table does not list). */
function fallback(el: DicomElement, here: Here): DicomElement | undefined {
  if (el.items !== undefined) return keepElement(el, here);
  // A person's name in an attribute the table does not list is still a person's name; and a
  // value of unknown VR (an attribute newer than our dictionary, read from implicit VR, or sent
  // as UN) cannot be judged at all, so neither is kept.
  if (el.vr === 'PN' || el.vr === 'UN') return undefined;
  if (el.vr === 'UI' && !CLASS_UID_TAGS.has(el.tag)) return remapUidElement(el, here);
  return el;
}

/**
 * De-identifies one dataset (or item) and, through it, every nested item.
 * @throws DeidError naming the path of an attribute that cannot be processed.
 */
export function walkDataset(
  ds: DicomDataset,
  ctx: WalkContext,
  inheritedCharset: readonly string[],
  path: string,
): DicomDataset {
  const own = charsetOf(ds);
  const charset = own.length > 0 ? own : inheritedCharset;
  const keptPrivate = keptPrivateTags(ds, ctx.options.allowedPrivate);
  const out: DicomDataset = new Map();
  for (const [tag, el] of ds) {
    const here: Here = { ctx, charset, path: `${path}${formatTag(tag)}` };
    if (isGroupLength(tag) || tag >>> 16 === 0x0002) continue;
    let result: DicomElement | undefined;
    if (isPrivateTag(tag)) {
      result = keptPrivate.has(tag) ? keepElement(el, here) : undefined;
    } else {
      const rule = attributeRule(tag);
      result =
        rule === undefined
          ? fallback(el, here)
          : apply(el, resolveRule(rule, ctx.options), rule, here);
    }
    if (result !== undefined) out.set(tag, result);
  }
  return out;
}
