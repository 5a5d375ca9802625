/*
 * De-identification of DICOM instances (issue 7): PS3.15 Annex E Basic Profile with options.
 */
export {
  ageInYears,
  deidentify,
  METHOD_CODES,
  methodText,
  type DeidFacts,
  type DeidKeys,
  type DeidResult,
} from './deidentify.js';
export { dateOffsetDays, isWellKnownUid, MAX_SHIFT_DAYS, remapUid } from './keyed.js';
export {
  BASIC_PROFILE_ONLY,
  DeidError,
  deidOptionsSchema,
  privateAllowanceSchema,
  type DeidOptions,
  type DeidOptionsInput,
} from './options.js';
export { findValues, type Finding } from './scan.js';
export { EDITION } from './table-e1-1.js';
