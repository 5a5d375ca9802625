/*
 * The keyed functions of de-identification (issue 7; DESIGN "Security model"): UID remapping,
 * the per-patient date offset, and (from data/pseudonym.ts) the patient pseudonym. All are HMAC
 * SHA-256 under a site secret, so they are stable across restarts and imports at one node and
 * not open to the dictionary attack that an unkeyed hash of an identifier is (PS3.15 E.1.1).
 */
import { createHmac } from 'node:crypto';
import { uidFromBytes } from '../core/uid.js';

/** The root of the UIDs the DICOM standard itself defines (PS3.6 Annex A). */
const DICOM_ROOT = '1.2.840.10008.';

/** Keys shorter than this are refused: 128 bits is the least an HMAC key should carry. */
export const MIN_KEY_BYTES = 16;

/** The three site secrets of de-identification, each at least 16 bytes. */
export interface DeidKeys {
  /** Remaps UIDs. */
  readonly uidKey: Uint8Array;
  /** Pseudonymises Patient ID (the same key as the tabular import's id column). */
  readonly pseudonymKey: Uint8Array;
  /** Derives each patient's date offset. */
  readonly dateKey: Uint8Array;
}

/**
 * Checks that every key is long enough.
 * @throws RangeError naming the key (never its bytes) when one is shorter than 16 bytes.
 */
export function checkKeys(keys: DeidKeys): void {
  for (const name of ['uidKey', 'pseudonymKey', 'dateKey'] as const) {
    if (keys[name].length < MIN_KEY_BYTES) {
      throw new RangeError(`de-identification key ${name} must be at least ${MIN_KEY_BYTES} bytes`);
    }
  }
}

/** Whether a UID is one the standard defines (SOP classes, transfer syntaxes, ...). */
export function isWellKnownUid(uid: string): boolean {
  return uid.startsWith(DICOM_ROOT);
}

/**
 * The remapped UID: '2.25.' and the decimal of the first 128 bits of HMAC-SHA-256(uidKey, uid)
 * (PS3.5 B.2). Well-known UIDs come back unchanged.
 */
export function remapUid(uidKey: Uint8Array, uid: string): string {
  if (isWellKnownUid(uid)) return uid;
  return uidFromBytes(createHmac('sha256', uidKey).update(uid, 'latin1').digest());
}

/** The widest date shift, in days (about ten years). */
export const MAX_SHIFT_DAYS = 3650;

/**
 * The patient's date offset: a whole number of days from -1 to -3650, from
 * HMAC-SHA-256(dateKey, Patient ID), so every study of one patient moves by the same amount and
 * the intervals between them are kept (PS3.15 E.3.6, modified dates).
 */
export function dateOffsetDays(dateKey: Uint8Array, patientId: string): number {
  const mac = createHmac('sha256', dateKey).update(patientId.trim(), 'utf8').digest();
  return -(1 + (mac.readUInt32BE(0) % MAX_SHIFT_DAYS));
}
