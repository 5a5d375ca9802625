/*
 * The descriptor check of Clean Descriptors (PS3.15 E.3.5) and of the patient characteristics
 * the table marks C. PS3.15 asks that such text be kept only once it identifies nobody; a
 * receiver cannot read free text for meaning, so Tessera keeps a value only when it passes a
 * deliberately conservative test, and otherwise treats it as if the option were off.
 *
 * Only short strings (LO, SH, UC, CS) are ever kept: text blocks (LT, ST, UT: comments, patient
 * histories, notes) fall back to the Basic Profile action whatever they say, since a narrative
 * can name a place or a person that appears nowhere else in the instance (walk.ts).
 *
 * A value (each value of a multi-valued element) passes when all of these hold:
 * 1. it is 1 to 64 characters long once trimmed;
 * 2. it has only letters (any script), digits, spaces and - _ + / . , : ( ) # % & * ' < > = [ ]
 *    (no line breaks, no '^' of person names, no '@' of e-mail addresses, no '\');
 * 3. it has no run of 4 or more digits and nothing shaped like a date (1-4 digits, a separator
 *    '.', '/' or '-', 1-2 digits, the separator, 1-4 digits): dates, IDs, phone numbers and
 *    accession numbers all fail;
 * 4. it contains, ignoring case, none of the instance's own identifying values: no component
 *    (3 characters or more, or a 2-character component as a whole word) of any person name at
 *    any depth, and none of the values of the identifying attributes listed below.
 */
import type { DicomDataset, Tag } from '../core/types.js';
import { charsetOf, decodeText } from '../core/values.js';

const MAX_LENGTH = 64;
const ALLOWED = /^[\p{L}\p{M}0-9 \-_+/.,:()#%&*'<>=[\]]+$/u;
const DIGIT_RUN = /\d{4,}/;
const DATE_LIKE = /\d{1,4}[./-]\d{1,2}[./-]\d{1,4}/;

/** Identifiers whose values must not reappear in a kept descriptor (besides every PN). */
const IDENTIFYING_TAGS: ReadonlySet<Tag> = new Set([
  0x00080050, // Accession Number
  0x00080080, // Institution Name
  0x00080081, // Institution Address
  0x00081010, // Station Name
  0x00081040, // Institutional Department Name
  0x00100020, // Patient ID
  0x00100021, // Issuer of Patient ID
  0x00100030, // Patient's Birth Date
  0x00101000, // Other Patient IDs
  0x00101040, // Patient's Address
  0x00101090, // Medical Record Locator
  0x00102154, // Patient's Telephone Numbers
  0x00120040, // Clinical Trial Subject ID
  0x00120042, // Clinical Trial Subject Reading ID
  0x00181000, // Device Serial Number
  0x00200010, // Study ID
  0x00380010, // Admission ID
  0x00380060, // Service Episode ID
  0x00400009, // Scheduled Procedure Step ID
  0x00400253, // Performed Procedure Step ID
  0x00401001, // Requested Procedure ID
  0x00402016, // Placer Order Number / Imaging Service Request
  0x00402017, // Filler Order Number / Imaging Service Request
]);

/** What the check looks for: substrings (lower case) and whole words (lower case). */
export interface IdentifyingValues {
  readonly substrings: ReadonlySet<string>;
  readonly words: ReadonlySet<string>;
}

function collect(
  ds: DicomDataset,
  inherited: readonly string[],
  into: { substrings: Set<string>; words: Set<string> },
): void {
  const own = charsetOf(ds);
  const charset = own.length > 0 ? own : inherited;
  for (const el of ds.values()) {
    if (el.items !== undefined) {
      for (const item of el.items) collect(item, charset, into);
      continue;
    }
    if (el.value === undefined) continue;
    if (el.vr === 'PN') {
      const text = decodeText(el.value, 'PN', charset).toLowerCase();
      for (const part of text.split(/[\^=\\,\s]+/)) {
        if (part.length >= 3) into.substrings.add(part);
        else if (part.length === 2) into.words.add(part);
      }
    } else if (IDENTIFYING_TAGS.has(el.tag)) {
      const text = decodeText(el.value, el.vr, charset).toLowerCase();
      for (const value of text.split('\\')) {
        const v = value.replace(/[\0 ]+$/, '').trim();
        if (v.length >= 3) into.substrings.add(v);
      }
    }
  }
}

/** The identifying values of an instance, gathered at every depth, before any is removed. */
export function identifyingValues(ds: DicomDataset): IdentifyingValues {
  const into = { substrings: new Set<string>(), words: new Set<string>() };
  collect(ds, [], into);
  return into;
}

function passes(value: string, identifying: IdentifyingValues): boolean {
  const v = value.trim();
  if (v.length === 0 || v.length > MAX_LENGTH) return false;
  if (!ALLOWED.test(v) || DIGIT_RUN.test(v) || DATE_LIKE.test(v)) return false;
  const lower = v.toLowerCase();
  for (const s of identifying.substrings) if (lower.includes(s)) return false;
  const words = new Set(lower.split(/[^\p{L}\p{M}0-9]+/u));
  for (const w of identifying.words) if (words.has(w)) return false;
  return true;
}

/**
 * Whether a descriptor may be kept (see the rules at the top of this file). Multi-valued text
 * (values separated by '\') passes only if every value does; an empty text does not pass.
 */
export function isCleanDescriptor(
  text: string,
  identifying: IdentifyingValues,
  multiValued = true,
): boolean {
  const values = multiValued ? text.split('\\') : [text];
  return values.every((v) => passes(v, identifying));
}
