/*
 * The UIDs the DICOM network layer negotiates (PS3.7 Annex A, PS3.5 Annex A, PS3.4 Annex B) and
 * the receiver's acceptance policy for presentation contexts.
 */
import { isValidUid } from '../core/uid.js';

/** The DICOM Application Context Name (PS3.7 A.2.1), the only one defined. */
export const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

/** Verification SOP Class (PS3.4 Annex A), the abstract syntax of C-ECHO. */
export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1';

/**
 * Every Storage SOP Class of PS3.4 Annex B lies under this root (images, SR, encapsulated
 * documents, RT objects, waveforms); query/retrieve models (…5.1.4.1.2.*) do not.
 */
export const STORAGE_SOP_CLASS_ROOT = '1.2.840.10008.5.1.4.1.1.';

/** The uncompressed syntaxes the receiver accepts, most preferred first (PS3.5 A.1, A.2). */
export const NATIVE_TRANSFER_SYNTAXES = [
  '1.2.840.10008.1.2.1', // Explicit VR Little Endian
  '1.2.840.10008.1.2', // Implicit VR Little Endian (the default, PS3.5 10.1)
] as const;

/**
 * Encapsulated or deflated syntaxes the receiver accepts as they are: the store keeps compressed
 * pixel data untouched, so nothing is decoded on receipt (PS3.5 A.4–A.5, A.6).
 */
export const ENCAPSULATED_TRANSFER_SYNTAXES = [
  '1.2.840.10008.1.2.4.50', // JPEG Baseline (Process 1)
  '1.2.840.10008.1.2.4.51', // JPEG Extended (Process 2 & 4)
  '1.2.840.10008.1.2.4.57', // JPEG Lossless, Non-Hierarchical (Process 14)
  '1.2.840.10008.1.2.4.70', // JPEG Lossless, First-Order Prediction (Process 14 SV1)
  '1.2.840.10008.1.2.4.80', // JPEG-LS Lossless
  '1.2.840.10008.1.2.4.81', // JPEG-LS Lossy (Near-Lossless)
  '1.2.840.10008.1.2.4.90', // JPEG 2000 Lossless Only
  '1.2.840.10008.1.2.4.91', // JPEG 2000
  '1.2.840.10008.1.2.5', // RLE Lossless
  '1.2.840.10008.1.2.1.99', // Deflated Explicit VR Little Endian
] as const;

const ENCAPSULATED: ReadonlySet<string> = new Set(ENCAPSULATED_TRANSFER_SYNTAXES);

/** Whether `uid` names a Storage SOP Class the receiver takes (see STORAGE_SOP_CLASS_ROOT). */
export function isStorageSopClass(uid: string): boolean {
  return uid.startsWith(STORAGE_SOP_CLASS_ROOT) && isValidUid(uid);
}

/**
 * The transfer syntax the receiver picks among those proposed for one presentation context.
 * When the sender's first choice is an encapsulated syntax the receiver takes, that one: the
 * instance then arrives as stored at the sender, with no lossy or failing conversion on its side.
 * Otherwise Explicit VR LE, then Implicit VR LE, then the first acceptable encapsulated syntax.
 * Verification takes only the uncompressed ones. Undefined when none is acceptable.
 */
export function chooseTransferSyntax(
  abstractSyntax: string,
  proposed: readonly string[],
): string | undefined {
  const storage = abstractSyntax !== VERIFICATION_SOP_CLASS;
  const first = proposed[0];
  if (storage && first !== undefined && ENCAPSULATED.has(first)) return first;
  for (const ts of NATIVE_TRANSFER_SYNTAXES) if (proposed.includes(ts)) return ts;
  return storage ? proposed.find((ts) => ENCAPSULATED.has(ts)) : undefined;
}

/** Whether the receiver takes the abstract syntax at all (Verification or Storage). */
export function isAcceptedAbstractSyntax(uid: string): boolean {
  return uid === VERIFICATION_SOP_CLASS || isStorageSopClass(uid);
}
