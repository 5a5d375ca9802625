import { getNumber, getString } from '../core/values.js';
import { ageInYears } from '../deid/index.js';
import { isValidUid } from '../core/uid.js';
import type { DicomDataset } from '../core/types.js';
import type { InstanceRecord } from './dicom-index.js';

/*
 * The index record of a stored instance, read from the DE-IDENTIFIED dataset only: whatever the
 * de-identifier removed (dates, descriptions, sex, age under the Basic Profile) is therefore
 * missing here too, and no identifying value can reach the index.
 */

const TAG = {
  sopClass: 0x00080016,
  sop: 0x00080018,
  studyDate: 0x00080020,
  modality: 0x00080060,
  seriesDescription: 0x0008103e,
  patientId: 0x00100020,
  sex: 0x00100040,
  age: 0x00101010,
  bodyPart: 0x00180015,
  study: 0x0020000d,
  series: 0x0020000e,
  instanceNumber: 0x00200013,
  frames: 0x00280008,
  rows: 0x00280010,
  columns: 0x00280011,
  pixelData: 0x7fe00010,
} as const;

/** The UIDs that place an instance in the store. */
export interface InstanceKey {
  readonly study: string;
  readonly series: string;
  readonly sop: string;
  readonly sopClass: string;
}

/**
 * The study, series and SOP UIDs of a de-identified dataset, checked to be valid UIDs: they name
 * the stored file, so nothing else may reach a path.
 * @returns a reason instead when one is missing or invalid.
 */
export function instanceKey(ds: DicomDataset): InstanceKey | { reason: string } {
  const key = {
    study: getString(ds, TAG.study) ?? '',
    series: getString(ds, TAG.series) ?? '',
    sop: getString(ds, TAG.sop) ?? '',
    sopClass: getString(ds, TAG.sopClass) ?? '',
  };
  const names = {
    study: 'Study Instance UID (0020,000D)',
    series: 'Series Instance UID (0020,000E)',
    sop: 'SOP Instance UID (0008,0018)',
    sopClass: 'SOP Class UID (0008,0016)',
  };
  for (const k of ['study', 'series', 'sop', 'sopClass'] as const) {
    if (key[k] === '') return { reason: `${names[k]} is missing` };
    if (!isValidUid(key[k]) || !/^[0-9.]+$/.test(key[k]))
      return { reason: `${names[k]} is not a valid UID` };
  }
  return key;
}

/** The store-relative path of an instance: `<study>/<series>/<sop>.dcm`, from UIDs only. */
export function instancePath(key: InstanceKey): string {
  return `${key.study}/${key.series}/${key.sop}.dcm`;
}

/** The index record of a de-identified instance (pure). */
export function instanceRecord(
  ds: DicomDataset,
  key: InstanceKey,
  o: { bytes: number; transferSyntax: string; storedAt: Date },
): InstanceRecord {
  const text = (tag: number, max: number): string | null => {
    const v = getString(ds, tag)?.trim();
    return v === undefined || v === '' ? null : v.slice(0, max);
  };
  const int = (tag: number): number | null => {
    const v = safeNumber(ds, tag);
    return v !== undefined && Number.isInteger(v) ? v : null;
  };
  const frames = int(TAG.frames);
  // In years as the de-identifier's facts give it (fractional under a year).
  const age = text(TAG.age, 16);
  return {
    v: 1,
    sop: key.sop,
    sopClass: key.sopClass,
    series: key.series,
    study: key.study,
    patient: text(TAG.patientId, 64) ?? '',
    modality: text(TAG.modality, 16),
    bodyPart: text(TAG.bodyPart, 64),
    seriesDescription: text(TAG.seriesDescription, 64),
    studyDate: isoDate(text(TAG.studyDate, 16)),
    sex: text(TAG.sex, 16),
    ageYears: age === null ? null : (ageInYears(age) ?? null),
    rows: nonNegative(int(TAG.rows)),
    columns: nonNegative(int(TAG.columns)),
    frames: frames !== null && frames > 0 ? frames : ds.has(TAG.pixelData) ? 1 : 0,
    instanceNumber: int(TAG.instanceNumber),
    file: instancePath(key),
    bytes: o.bytes,
    transferSyntax: o.transferSyntax,
    storedAt: o.storedAt.toISOString(),
  };
}

// A malformed number in a kept element is not a reason to refuse the image: it is left out.
function safeNumber(ds: DicomDataset, tag: number): number | undefined {
  try {
    return getNumber(ds, tag);
  } catch {
    return undefined;
  }
}

function nonNegative(v: number | null): number | null {
  return v !== null && v >= 0 ? v : null;
}

/** A DA value (YYYYMMDD) as YYYY-MM-DD when it is a real calendar date, else null. */
export function isoDate(da: string | null): string | null {
  if (da === null) return null;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return `${m[1]}-${m[2]}-${m[3]}`;
}
