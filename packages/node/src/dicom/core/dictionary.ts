import { DICTIONARY_DATA } from './dictionary-data.js';
import type { Tag, Vr } from './types.js';
import { VRS } from './types.js';

/** What the dictionary knows of one attribute (PS3.6). */
export interface DictionaryEntry {
  readonly tag: Tag;
  readonly keyword: string;
  /** The VR used when the encoding does not say (implicit VR): the first of `vrs`. */
  readonly vr: Vr;
  /** Every VR PS3.6 allows, e.g. ['US', 'SS'] for "US or SS". */
  readonly vrs: readonly Vr[];
  /** Value multiplicity as PS3.6 writes it: '1', '2', '1-n', '2-2n', ... */
  readonly vm: string;
  readonly retired: boolean;
}

interface Tables {
  readonly byTag: Map<Tag, DictionaryEntry>;
  /** Repeating groups (50xx, 60xx, 7Fxx): keyed by tag with the low byte of the group cleared. */
  readonly byGroupRange: Map<Tag, DictionaryEntry>;
  /** Repeating elements (0020,31xx): keyed by tag with the low byte of the element cleared. */
  readonly byElementRange: Map<Tag, DictionaryEntry>;
  readonly byKeyword: Map<string, DictionaryEntry>;
}

const VR_SET: ReadonlySet<string> = new Set(VRS);
let tables: Tables | undefined;

function isVr(s: string): s is Vr {
  return VR_SET.has(s);
}

/** Parses DICTIONARY_DATA once, on first use (about 5,000 lines). */
function load(): Tables {
  if (tables !== undefined) return tables;
  const t: Tables = {
    byTag: new Map(),
    byGroupRange: new Map(),
    byElementRange: new Map(),
    byKeyword: new Map(),
  };
  for (const line of DICTIONARY_DATA.split('\n')) {
    if (line === '') continue;
    const [hex = '', vrField = '', vm = '', keyword = '', flag] = line.split(' ');
    const vrs = vrField.split('/').filter(isVr);
    const vr = vrs[0];
    if (vr === undefined) throw new Error(`dictionary line without a VR: ${line}`);
    const groupRange = hex.slice(2, 4) === 'xx';
    const elementRange = hex.slice(6, 8) === 'xx';
    const tag = parseInt(hex.replaceAll('x', '0'), 16) >>> 0;
    const entry: DictionaryEntry = { tag, keyword, vr, vrs, vm, retired: flag === 'r' };
    if (groupRange) t.byGroupRange.set(tag, entry);
    else if (elementRange) t.byElementRange.set(tag, entry);
    else t.byTag.set(tag, entry);
    t.byKeyword.set(keyword, entry);
  }
  tables = t;
  return t;
}

const GROUP_LENGTH: Omit<DictionaryEntry, 'tag'> = {
  keyword: 'GroupLength',
  vr: 'UL',
  vrs: ['UL'],
  vm: '1',
  retired: false,
};
const PRIVATE_CREATOR: Omit<DictionaryEntry, 'tag'> = {
  keyword: 'PrivateCreator',
  vr: 'LO',
  vrs: ['LO'],
  vm: '1',
  retired: false,
};

/**
 * The dictionary entry of a tag, or undefined when PS3.6 does not define it (private data
 * elements other than private creators, unknown public tags). Group lengths (gggg,0000) are
 * UL; private creators (odd gggg,0010-00FF) are LO (PS3.5 7.8.1).
 */
export function lookupTag(tag: Tag): DictionaryEntry | undefined {
  const t = load();
  const exact = t.byTag.get(tag);
  if (exact !== undefined) return exact;
  const group = tag >>> 16;
  const element = tag & 0xffff;
  if (element === 0) return { tag, ...GROUP_LENGTH };
  if ((group & 1) === 1) {
    return element >= 0x0010 && element <= 0x00ff ? { tag, ...PRIVATE_CREATOR } : undefined;
  }
  // Repeating groups are even groups only (PS3.5 7.6).
  const inGroup = t.byGroupRange.get((tag & 0xff00ffff) >>> 0);
  if (inGroup !== undefined) return { ...inGroup, tag };
  const inElement = t.byElementRange.get((tag & 0xffffff00) >>> 0);
  if (inElement !== undefined) return { ...inElement, tag };
  return undefined;
}

/** The keyword of a tag (e.g. 'PatientName'), or undefined when the dictionary has none. */
export function keywordOf(tag: Tag): string | undefined {
  return lookupTag(tag)?.keyword;
}

/**
 * The tag of a keyword (e.g. 'PatientName' → 0x00100010), or undefined when unknown. For a
 * repeating group (e.g. 'OverlayData') it is the tag of the first group (6000,3000).
 */
export function tagOf(keyword: string): Tag | undefined {
  return load().byKeyword.get(keyword)?.tag;
}

/** The VR to use for a tag when the encoding does not say (implicit VR); 'UN' when unknown. */
export function vrOf(tag: Tag): Vr {
  return lookupTag(tag)?.vr ?? 'UN';
}

/** Every entry of the dictionary, repeating ranges once at their first tag (for tests and tools). */
export function dictionaryEntries(): DictionaryEntry[] {
  const t = load();
  return [...t.byTag.values(), ...t.byGroupRange.values(), ...t.byElementRange.values()];
}
