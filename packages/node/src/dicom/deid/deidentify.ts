/*
 * De-identification of one DICOM instance on the way into the node (issue 7): PS3.15 Annex E
 * Basic Application Level Confidentiality Profile with the options Retain Longitudinal Temporal
 * Information (Modified Dates), Retain Patient Characteristics and Clean Descriptors. Pure: no
 * I/O, no clock, no randomness; the same instance and keys always give the same bytes.
 */
import type { DicomDataset, DicomElement, DicomFile, Tag } from '../core/types.js';
import { encodeText, getNumber, getString } from '../core/values.js';
import { formatTag } from '../core/vr.js';
import { buildFileMeta } from '../core/write.js';
import { pseudonym } from '../../data/pseudonym.js';
import { isoDate } from './dates.js';
import { identifyingValues } from './descriptors.js';
import { checkKeys, dateOffsetDays, type DeidKeys } from './keyed.js';
import { DeidError, deidOptionsSchema, type DeidOptions } from './options.js';
import { walkDataset } from './walk.js';

export type { DeidKeys } from './keyed.js';

const TAG = {
  patientId: 0x00100020,
  sopClassUid: 0x00080016,
  sopInstanceUid: 0x00080018,
  studyUid: 0x0020000d,
  seriesUid: 0x0020000e,
  modality: 0x00080060,
  bodyPart: 0x00180015,
  seriesDescription: 0x0008103e,
  studyDate: 0x00080020,
  sex: 0x00100040,
  age: 0x00101010,
  rows: 0x00280010,
  columns: 0x00280011,
  frames: 0x00280008,
  instanceNumber: 0x00200013,
  burnedIn: 0x00280301,
  recognizableFeatures: 0x00280302,
  identityRemoved: 0x00120062,
  method: 0x00120063,
  methodCodes: 0x00120064,
  temporalModified: 0x00280303,
  codeValue: 0x00080100,
  codingScheme: 0x00080102,
  codeMeaning: 0x00080104,
} as const;

/** What the index keeps of a de-identified instance: nothing the de-identifier removed. */
export interface DeidFacts {
  /** The keyed pseudonym of Patient ID (64 hex), the same as tabular imports give. */
  readonly patient: string;
  readonly studyUid: string;
  readonly seriesUid: string;
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly modality: string;
  readonly bodyPart?: string;
  /** Only when Clean Descriptors kept it. */
  readonly seriesDescription?: string;
  /** 'YYYY-MM-DD', shifted; only with Retain Longitudinal Temporal Information. */
  readonly studyDate?: string;
  /** Only with Retain Patient Characteristics. */
  readonly sex?: string;
  /** Patient's Age (AS) in years, fractional below one; with Retain Patient Characteristics. */
  readonly ageYears?: number;
  readonly rows?: number;
  readonly columns?: number;
  readonly frames?: number;
  readonly instanceNumber?: number;
}

/** The de-identified instance, what to index, and whether to hold it for the operator. */
export interface DeidResult {
  /** New preamble-free file meta (Tessera's) and the de-identified dataset, ready to write. */
  readonly file: DicomFile;
  readonly facts: DeidFacts;
  /**
   * Burned In Annotation (0028,0301) or Recognizable Visual Features (0028,0302) is YES: the
   * pixels may show identifying text or a face, which this de-identifier does not clean.
   */
  readonly burnedIn: boolean;
}

/** PS3.16 CID 7050 De-identification Methods: the codes this de-identifier can claim. */
export const METHOD_CODES = {
  basic: ['113100', 'Basic Application Confidentiality Profile'],
  cleanDescriptors: ['113105', 'Clean Descriptors Option'],
  modifiedDates: ['113107', 'Retain Longitudinal Temporal Information Modified Dates Option'],
  patientCharacteristics: ['113108', 'Retain Patient Characteristics Option'],
} as const;

function required(ds: DicomDataset, tag: Tag, name: string): string {
  const v = getString(ds, tag);
  if (v === undefined || v === '') {
    throw new DeidError(`${name} ${formatTag(tag)} is missing or empty`);
  }
  return v;
}

function textElement(tag: Tag, vr: 'CS' | 'LO' | 'SH', value: string): DicomElement {
  return { tag, vr, value: encodeText(value, vr) };
}

function codeItem([value, meaning]: readonly [string, string]): DicomDataset {
  return new Map([
    [TAG.codeValue, textElement(TAG.codeValue, 'SH', value)],
    [TAG.codingScheme, textElement(TAG.codingScheme, 'SH', 'DCM')],
    [TAG.codeMeaning, textElement(TAG.codeMeaning, 'LO', meaning)],
  ]);
}

/** The De-identification Method (0012,0063), at most 64 characters (LO). */
export function methodText(options: DeidOptions): string {
  const parts = ['PS3.15 Basic Profile'];
  if (options.retainLongitudinalTemporal) parts.push('modified dates');
  if (options.retainPatientCharacteristics) parts.push('patient chars');
  if (options.cleanDescriptors) parts.push('clean desc');
  return parts.join('; ');
}

function markDeidentified(out: DicomDataset, options: DeidOptions): void {
  const codes: (readonly [string, string])[] = [METHOD_CODES.basic];
  if (options.cleanDescriptors) codes.push(METHOD_CODES.cleanDescriptors);
  if (options.retainLongitudinalTemporal) codes.push(METHOD_CODES.modifiedDates);
  if (options.retainPatientCharacteristics) codes.push(METHOD_CODES.patientCharacteristics);
  out.set(TAG.identityRemoved, textElement(TAG.identityRemoved, 'CS', 'YES'));
  out.set(TAG.method, textElement(TAG.method, 'LO', methodText(options)));
  out.set(TAG.methodCodes, { tag: TAG.methodCodes, vr: 'SQ', items: codes.map(codeItem) });
  // PS3.3 C.7.1.4: MODIFIED when dates were shifted, REMOVED when the profile removed them.
  const temporal = options.retainLongitudinalTemporal ? 'MODIFIED' : 'REMOVED';
  out.set(TAG.temporalModified, textElement(TAG.temporalModified, 'CS', temporal));
}

/** Years from an Age String 'nnnD', 'nnnW', 'nnnM' or 'nnnY' (PS3.5 6.2). */
export function ageInYears(as: string): number | undefined {
  const m = /^(\d{3})([DWMY])$/.exec(as.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  const per = { D: 365.25, W: 52.1775, M: 12, Y: 1 }[m[2] as 'D' | 'W' | 'M' | 'Y'];
  return Math.round((n / per) * 100) / 100;
}

function optional<T>(key: string, value: T | undefined): Record<string, T> {
  return value === undefined || value === '' ? {} : { [key]: value };
}

function factsOf(out: DicomDataset, patient: string): DeidFacts {
  const age = getString(out, TAG.age);
  const studyDate = getString(out, TAG.studyDate);
  return {
    patient,
    studyUid: required(out, TAG.studyUid, 'Study Instance UID'),
    seriesUid: required(out, TAG.seriesUid, 'Series Instance UID'),
    sopInstanceUid: required(out, TAG.sopInstanceUid, 'SOP Instance UID'),
    sopClassUid: required(out, TAG.sopClassUid, 'SOP Class UID'),
    modality: required(out, TAG.modality, 'Modality'),
    ...optional('bodyPart', getString(out, TAG.bodyPart)),
    ...optional('seriesDescription', getString(out, TAG.seriesDescription)),
    ...optional('studyDate', studyDate === undefined ? undefined : isoDate(studyDate)),
    ...optional('sex', getString(out, TAG.sex)),
    ...optional('ageYears', age === undefined ? undefined : ageInYears(age)),
    ...optional('rows', getNumber(out, TAG.rows)),
    ...optional('columns', getNumber(out, TAG.columns)),
    ...optional('frames', getNumber(out, TAG.frames)),
    ...optional('instanceNumber', getNumber(out, TAG.instanceNumber)),
  };
}

/**
 * De-identifies one instance: the rules of rules.ts at every depth of sequences, private
 * attributes removed unless allow-listed, UIDs remapped with `keys.uidKey`, Patient ID replaced
 * by `pseudonym(keys.pseudonymKey, id)`, dates shifted by the patient's offset under
 * `keys.dateKey` when asked, Patient Identity Removed and the method codes set, and new file
 * meta information for the remapped SOP Instance UID. The input is not changed.
 * @throws DeidError (naming a tag, never a value) when the instance lacks Patient ID, a SOP,
 * study or series UID or Modality, or holds an attribute the rules cannot process.
 * @throws RangeError when a key is shorter than 16 bytes; ZodError for invalid options.
 */
export function deidentify(file: DicomFile, keys: DeidKeys, options: DeidOptions): DeidResult {
  checkKeys(keys);
  const opts = deidOptionsSchema.parse(options);
  const ds = file.dataset;
  const patientId = required(ds, TAG.patientId, 'Patient ID');
  for (const [tag, name] of [
    [TAG.sopInstanceUid, 'SOP Instance UID'],
    [TAG.sopClassUid, 'SOP Class UID'],
    [TAG.studyUid, 'Study Instance UID'],
    [TAG.seriesUid, 'Series Instance UID'],
  ] as const) {
    required(ds, tag, name);
  }
  const out = walkDataset(
    ds,
    {
      keys,
      options: opts,
      offsetDays: dateOffsetDays(keys.dateKey, patientId),
      identifying: identifyingValues(ds),
    },
    [],
    '',
  );
  markDeidentified(out, opts);
  const facts = factsOf(out, pseudonym(keys.pseudonymKey, patientId));
  const meta = buildFileMeta({
    sopClassUid: facts.sopClassUid,
    sopInstanceUid: facts.sopInstanceUid,
    transferSyntax: file.transferSyntax,
  });
  const burnedIn =
    getString(out, TAG.burnedIn)?.toUpperCase() === 'YES' ||
    getString(out, TAG.recognizableFeatures)?.toUpperCase() === 'YES';
  return { file: { meta, dataset: out, transferSyntax: file.transferSyntax }, facts, burnedIn };
}
