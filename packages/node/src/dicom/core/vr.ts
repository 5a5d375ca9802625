import type { Vr } from './types.js';
import { TRANSFER_SYNTAX, VRS } from './types.js';

/** VRs whose explicit-VR header has 2 reserved bytes and a 32-bit length (PS3.5 7.1.2). */
export const LONG_LENGTH_VRS: ReadonlySet<Vr> = new Set<Vr>([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'UC',
  'UN',
  'UR',
  'UT',
  'SV',
  'UV',
]);

/** Character-string VRs: padded with a space to an even length (PS3.5 6.2). UI pads with \0. */
export const TEXT_VRS: ReadonlySet<Vr> = new Set<Vr>([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UR',
  'UT',
]);

/** Text VRs whose values the Specific Character Set (0008,0005) applies to (PS3.5 6.1.2.3). */
export const CHARSET_VRS: ReadonlySet<Vr> = new Set<Vr>(['LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UT']);

/** Text VRs that hold one value only: a backslash in them is not a delimiter (PS3.5 6.2). */
export const SINGLE_VALUED_TEXT_VRS: ReadonlySet<Vr> = new Set<Vr>(['LT', 'ST', 'UT', 'UR']);

/**
 * The byte width that a big-endian value is swapped by (PS3.5 7.3), 0 for byte data and text.
 * AT is a pair of 16-bit numbers, so it swaps by 2.
 */
export function swapWidth(vr: Vr): number {
  switch (vr) {
    case 'US':
    case 'SS':
    case 'OW':
    case 'AT':
      return 2;
    case 'UL':
    case 'SL':
    case 'FL':
    case 'OF':
    case 'OL':
      return 4;
    case 'FD':
    case 'OD':
    case 'SV':
    case 'UV':
    case 'OV':
      return 8;
    default:
      return 0;
  }
}

const VR_SET: ReadonlySet<string> = new Set(VRS);

/** Whether a string is one of the VRs of PS3.5 6.2. */
export function isVr(s: string): s is Vr {
  return VR_SET.has(s);
}

/** How a transfer syntax encodes a dataset. */
export interface SyntaxInfo {
  readonly explicit: boolean;
  readonly littleEndian: boolean;
  readonly deflated: boolean;
  /** Pixel data is encapsulated (compressed): every syntax but the four native ones. */
  readonly encapsulated: boolean;
}

/**
 * How a transfer syntax UID encodes its dataset (PS3.5 Section 10 and Annex A). Any UID other
 * than the four native ones is taken as explicit VR little endian with encapsulated pixel data,
 * which is what every compressed syntax is.
 */
export function syntaxInfo(uid: string): SyntaxInfo {
  switch (uid) {
    case TRANSFER_SYNTAX.implicitLittle:
      return { explicit: false, littleEndian: true, deflated: false, encapsulated: false };
    case TRANSFER_SYNTAX.explicitLittle:
      return { explicit: true, littleEndian: true, deflated: false, encapsulated: false };
    case TRANSFER_SYNTAX.deflatedExplicitLittle:
      return { explicit: true, littleEndian: true, deflated: true, encapsulated: false };
    case TRANSFER_SYNTAX.explicitBig:
      return { explicit: true, littleEndian: false, deflated: false, encapsulated: false };
    default:
      return { explicit: true, littleEndian: true, deflated: false, encapsulated: true };
  }
}

/** Item, item delimitation and sequence delimitation tags (PS3.5 7.5). */
export const ITEM = 0xfffee000;
export const ITEM_DELIMITATION = 0xfffee00d;
export const SEQUENCE_DELIMITATION = 0xfffee0dd;
export const PIXEL_DATA = 0x7fe00010;
export const UNDEFINED_LENGTH = 0xffffffff;

/** '(GGGG,EEEE)', upper-case hex. */
export function formatTag(tag: number): string {
  const hex = (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}
