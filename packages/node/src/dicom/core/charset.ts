/*
 * Specific Character Set (0008,0005) decoding and encoding (PS3.3 C.12.1.1.2, PS3.5 6.1).
 * Decodes the single-byte sets, UTF-8 (ISO_IR 192), GB18030 and GBK, and ISO 2022 escapes
 * between single-byte sets. Encodes UTF-8, latin1 (the default and ISO_IR 100) and ASCII.
 * Multi-byte ISO 2022 sets (Japanese, Korean, Chinese GB2312) are read as their TextDecoder
 * counterparts, which is correct for the usual single-set data and approximate otherwise.
 */
import { TextDecoder } from 'node:util';

/** Defined Terms to WHATWG encoding labels (the Node ICU build knows them all). */
const DECODERS: Readonly<Record<string, string>> = {
  'ISO_IR 100': 'latin1',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'iso-8859-9',
  'ISO_IR 203': 'iso-8859-15',
  'ISO_IR 166': 'windows-874',
  'ISO_IR 13': 'shift_jis',
  'ISO_IR 192': 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
  'ISO 2022 IR 87': 'iso-2022-jp',
  'ISO 2022 IR 159': 'iso-2022-jp',
  'ISO 2022 IR 149': 'euc-kr',
  'ISO 2022 IR 58': 'gb2312',
};

/** ISO 2022 G1 designations (ESC - F) of the single-byte sets, by final byte. */
const G1_SETS: Readonly<Record<number, string>> = {
  0x41: 'latin1', // ESC - A: ISO_IR 100
  0x42: 'iso-8859-2',
  0x43: 'iso-8859-3',
  0x44: 'iso-8859-4',
  0x4c: 'iso-8859-5',
  0x47: 'iso-8859-6',
  0x46: 'iso-8859-7',
  0x48: 'iso-8859-8',
  0x4d: 'iso-8859-9',
  0x62: 'iso-8859-15',
  0x54: 'windows-874',
};

const ESC = 0x1b;
const decoders = new Map<string, TextDecoder>();

function decodeAs(bytes: Uint8Array, label: string): string {
  // WHATWG maps 'latin1' to windows-1252; DICOM means ISO 8859-1, which Buffer decodes exactly.
  if (label === 'latin1') {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
  let d = decoders.get(label);
  if (d === undefined) {
    d = new TextDecoder(label);
    decoders.set(label, d);
  }
  return d.decode(bytes);
}

/** The decoder label for one Defined Term ('' and unknown terms: latin1). */
function labelOf(term: string | undefined): string {
  if (term === undefined || term === '') return 'latin1';
  return DECODERS[term] ?? DECODERS[term.replace('ISO 2022 ', 'ISO_')] ?? 'latin1';
}

/** Text of ISO 2022 data: each run after an ESC - F switch uses that G1 set. */
function decodeIso2022(bytes: Uint8Array, charset: readonly string[]): string {
  const first = labelOf(charset[0]);
  const multiByte = charset.some((c) => /IR (87|159|149|58)$/.test(c));
  if (multiByte)
    return decodeAs(bytes, labelOf(charset.find((c) => /IR (87|159|149|58)$/.test(c))));
  let out = '';
  let label = first;
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== ESC) continue;
    out += decodeAs(bytes.subarray(start, i), label);
    const inter = bytes[i + 1];
    const final = bytes[i + 2] ?? 0;
    if (inter === 0x2d) label = G1_SETS[final] ?? 'latin1';
    else if (inter === 0x28) label = 'latin1'; // ESC ( B: back to ASCII in G0
    start = Math.min(i + 3, bytes.length);
    i = start - 1;
  }
  return out + decodeAs(bytes.subarray(start), label);
}

/** Decodes text bytes of a VR the Specific Character Set applies to. */
export function decodeWithCharset(bytes: Uint8Array, charset: readonly string[]): string {
  if (charset.length > 1 || charset[0]?.startsWith('ISO 2022') === true) {
    if (bytes.includes(ESC)) return decodeIso2022(bytes, charset);
  }
  return decodeAs(bytes, labelOf(charset[0]));
}

/**
 * Encodes text for a dataset whose Specific Character Set is `charset`: UTF-8 for ISO_IR 192,
 * latin1 for the default repertoire and ISO_IR 100, ASCII (or latin1 when the first set is
 * latin1-compatible) otherwise.
 * @throws RangeError when a character cannot be written in that set.
 */
export function encodeWithCharset(text: string, charset: readonly string[]): Uint8Array {
  const term = charset[0] ?? '';
  if (term === 'ISO_IR 192') return new Uint8Array(Buffer.from(text, 'utf8'));
  const latin1 =
    term === '' || term === 'ISO_IR 100' || term === 'ISO 2022 IR 100' || term === 'ISO 2022 IR 6';
  const max = latin1 ? 0xff : 0x7f;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > max) {
      throw new RangeError(
        `character ${i} of the text cannot be written in character set '${term || 'default'}'`,
      );
    }
  }
  return new Uint8Array(Buffer.from(text, 'latin1'));
}
