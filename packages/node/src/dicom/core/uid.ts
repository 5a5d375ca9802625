/*
 * DICOM UIDs (PS3.5 9.1) and the identity Tessera writes into file meta information (PS3.7 D.3.3.2).
 */

/**
 * Tessera's Implementation Class UID (0002,0012): a fixed UUID-derived UID (PS3.5 B.2), made
 * once from 16 random bytes, so it never changes between versions or sites.
 */
export const IMPLEMENTATION_CLASS_UID = '2.25.226571451804115235932709662965485764411';

/** Tessera's Implementation Version Name (0002,0013): at most 16 characters, SH. */
export const IMPLEMENTATION_VERSION_NAME = 'TESSERA_0_1';

const COMPONENT = /^(0|[1-9][0-9]*)$/;

/**
 * Whether a string is a valid UID (PS3.5 9.1): at most 64 characters, components of digits
 * separated by '.', no empty component, no leading zero in a component other than "0" itself.
 */
export function isValidUid(uid: string): boolean {
  if (uid.length === 0 || uid.length > 64) return false;
  return uid.split('.').every((c) => COMPONENT.test(c));
}

/**
 * The UUID-derived UID of 16 bytes (PS3.5 B.2): '2.25.' followed by the decimal value of the
 * first 16 bytes read as an unsigned 128-bit big-endian integer. At most 44 characters.
 * @throws RangeError when fewer than 16 bytes are given.
 */
export function uidFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 16) throw new RangeError(`uidFromBytes needs 16 bytes, got ${bytes.length}`);
  let n = 0n;
  for (let i = 0; i < 16; i++) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return `2.25.${n.toString()}`;
}
