/*
 * The de-identifier's own rule for every attribute of PS3.15 Table E.1-1 (issue 7), under each
 * combination of the options Tessera offers: Retain Longitudinal Temporal Information with
 * Modified Dates, Retain Patient Characteristics and Clean Descriptors. The lists are in
 * rule-lists.ts; table.test.ts proves that every row of the standard's table (table-e1-1.ts) has
 * a rule here and that the rule is one the table allows.
 *
 * Attributes outside the table are handled in deidentify.ts by VR and group: private groups
 * removed unless allow-listed, group lengths removed, other person names removed, other UIDs
 * remapped unless well-known or naming a class, everything else kept (PS3.15 E.1.1).
 */
import type { Tag } from '../core/types.js';
import * as L from './rule-lists.js';

/** What the de-identifier does with one attribute. */
export const RULE_KINDS = [
  /** Delete the element (X). */
  'remove',
  /** Zero-length value; a sequence with no items (Z). */
  'empty',
  /** A fixed dummy of the element's VR; a keyed remap for UI; one empty item for SQ (D). */
  'dummy',
  /** Keep as is; a sequence's items are still de-identified (K). */
  'keep',
  /** Keep only if the value passes the descriptor check, else fall back to the base rule (C). */
  'clean',
  /** Replace each UID by its keyed remap; a sequence is kept and its items processed (U). */
  'remapUid',
  /** Shift dates by the patient's whole-day offset: DA and DT shifted, TM unchanged (C). */
  'shiftDate',
  /** Replace by the keyed pseudonym of the value (a dummy of the same VR: D). */
  'pseudonym',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** The options that change rules; each override applies only while its option is on. */
export interface RuleOptions {
  readonly retainLongitudinalTemporal: boolean;
  readonly retainPatientCharacteristics: boolean;
  readonly cleanDescriptors: boolean;
}

/** An attribute's rule: what happens with every option off, and under each option. */
export interface AttributeRule {
  readonly base: RuleKind;
  readonly temporal?: RuleKind;
  readonly patientCharacteristics?: RuleKind;
  readonly descriptors?: RuleKind;
}

const RULES = new Map<Tag, AttributeRule>();

function add(tags: readonly Tag[], rule: AttributeRule): void {
  for (const tag of tags) {
    // A tag in two lists would make the rule depend on list order.
    if (RULES.has(tag)) throw new Error(`rule-lists.ts lists tag ${tag.toString(16)} twice`);
    RULES.set(tag, rule);
  }
}

add(L.PATIENT_ID, { base: 'pseudonym' });
add(L.PATIENT_NAME, { base: 'empty' });
add(L.UIDS, { base: 'remapUid' });
add(L.REFERENCE_SEQUENCES, { base: 'remapUid' });
add(L.REMOVE, { base: 'remove' });
add(L.EMPTY, { base: 'empty' });
add(L.DUMMY, { base: 'dummy' });
add(L.DATE_REMOVE, { base: 'remove', temporal: 'shiftDate' });
add(L.DATE_EMPTY, { base: 'empty', temporal: 'shiftDate' });
add(L.DATE_DUMMY, { base: 'dummy', temporal: 'shiftDate' });
add(L.DESCRIPTOR_REMOVE, { base: 'remove', descriptors: 'clean' });
add(L.DESCRIPTOR_EMPTY, { base: 'empty', descriptors: 'clean' });
add(L.DESCRIPTOR_DUMMY, { base: 'dummy', descriptors: 'clean' });
add(L.PATIENT_REMOVE, { base: 'remove', patientCharacteristics: 'keep' });
add(L.PATIENT_EMPTY, { base: 'empty', patientCharacteristics: 'keep' });
add(L.PATIENT_DUMMY, { base: 'dummy', patientCharacteristics: 'keep' });
add(L.PATIENT_CLEAN, { base: 'remove', patientCharacteristics: 'clean' });
add(L.PATIENT_CLEAN_DESCRIPTOR, {
  base: 'remove',
  patientCharacteristics: 'clean',
  descriptors: 'clean',
});

/**
 * Rows whose option column says C (clean or shift) where we stay with the Basic Profile action,
 * because a binary timestamp cannot be shifted safely. table.test.ts accepts these only with a
 * reason and a rule that the Basic Profile action allows.
 */
export const STRICTER_THAN_OPTION: ReadonlyMap<Tag, string> = new Map([
  [0x04000310, 'Certified Timestamp is a signed RFC 3161 token: a shifted copy would not verify'],
  [0x00340007, 'Frame Origin Timestamp is binary: replaced by a dummy rather than parsed'],
]);
add([0x04000310], { base: 'remove' });
add([0x00340007], { base: 'dummy' });

/**
 * Attributes that later editions of Table E.1-1 list, or that carry identifying data the Basic
 * Profile reaches through other rows, removed (or replaced) here as well.
 */
add(
  [
    0x00100011, // Person Names to Use Sequence
    0x00100012, // Name to Use
    0x00100013, // Name to Use Comment
    0x00100014, // Third Person Pronouns Sequence
    0x00100015, // Pronoun Code Sequence
    0x00100016, // Pronoun Comment
    0x00100041, // Gender Identity Sequence
    0x00100042, // Sex Parameters for Clinical Use Category Comment
    0x00100043, // Sex Parameters for Clinical Use Category Sequence
    0x00100044, // Gender Identity Code Sequence
    0x00100045, // Gender Identity Comment
    0x00100046, // Sex Parameters for Clinical Use Category Code Sequence
    0x00100047, // Sex Parameters for Clinical Use Category Reference
    0x00102162, // Ethnic Groups
    0x00181010, // Secondary Capture Device ID
    0x00181011, // Hardcopy Creation Device ID
    0x003a0020, // Multiplex Group Label
    0x003a0203, // Channel Label
    0x003a020c, // Channel Derivation Description
    0x00400556, // Acquisition Context Description
    0x0040a034, // Effective Start DateTime
    0x0040a035, // Effective Stop DateTime
    0x0040b020, // Waveform Annotation Sequence
    0x04000500, // Encrypted Attributes Sequence: the original values, encrypted
    0x4ffe0001, // MAC Parameters Sequence
  ],
  { base: 'remove' },
);
add([0x00700006], { base: 'dummy' }); // Unformatted Text Value (graphic annotation text)

/** Curve data (50xx,xxxx) and overlay groups (60xx,eeee): removed whole (E.1-1 X). */
export function isCurveOrOverlay(tag: Tag): boolean {
  const group = tag >>> 16;
  return (group & 0xff00) === 0x5000 || ((group & 0xff00) === 0x6000 && group % 2 === 0);
}

/** The rule of a private attribute that is not allow-listed (E.1-1 "Private Attributes", X). */
export const PRIVATE_RULE: AttributeRule = { base: 'remove' };

/** The rule of the curve and overlay patterns of E.1-1 (50xx,xxxx), (60xx,3000), (60xx,4000). */
export const CURVE_OVERLAY_RULE: AttributeRule = { base: 'remove' };

/** The rule for a standard tag, or undefined when the tag has none (it is then kept, by VR). */
export function attributeRule(tag: Tag): AttributeRule | undefined {
  return RULES.get(tag) ?? (isCurveOrOverlay(tag) ? CURVE_OVERLAY_RULE : undefined);
}

/**
 * What to do with an attribute under the given options. Where two options that are on both
 * change the rule, the cleaning one wins (Clean Descriptors, then Retain Patient
 * Characteristics, then Retain Longitudinal Temporal Information), as the stricter.
 */
export function resolveRule(rule: AttributeRule, options: RuleOptions): RuleKind {
  if (options.cleanDescriptors && rule.descriptors !== undefined) return rule.descriptors;
  if (options.retainPatientCharacteristics && rule.patientCharacteristics !== undefined) {
    return rule.patientCharacteristics;
  }
  if (options.retainLongitudinalTemporal && rule.temporal !== undefined) return rule.temporal;
  return rule.base;
}

/** Every tag with an explicit rule (for tests and the report). */
export function ruleTags(): Tag[] {
  return [...RULES.keys()];
}
