import { isVr } from '../core/vr.js';
import { TRANSFER_SYNTAX } from '../core/types.js';
import { openRegular } from './safe-open.js';

/*
 * Is a file DICOM at all? An import meets folders with other files in them (DICOMDIR, README,
 * thumbnails). A file that looks like DICOM and then fails is quarantined, because it may be an
 * image the operator needs; a file that does not is skipped with a message.
 */

/** What the first bytes of a file say it is. */
export type Sniffed =
  /** 128-byte preamble and 'DICM': a Part 10 file. */
  | { readonly kind: 'part10' }
  /** No preamble but a dataset start (group 0002 or 0008 first): a bare dataset. */
  | { readonly kind: 'dataset'; readonly transferSyntax: string }
  | { readonly kind: 'not-dicom'; readonly reason: string };

const HEAD_BYTES = 132;

/** Sniffs the head of a file. */
export function sniffBytes(head: Uint8Array): Sniffed {
  if (
    head.length >= HEAD_BYTES &&
    head[128] === 0x44 &&
    head[129] === 0x49 &&
    head[130] === 0x43 &&
    head[131] === 0x4d
  )
    return { kind: 'part10' };
  if (head.length < 8) return { kind: 'not-dicom', reason: 'too short to be DICOM' };
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const group = view.getUint16(0, true);
  if (group !== 0x0002 && group !== 0x0008)
    return { kind: 'not-dicom', reason: "no 'DICM' prefix and no DICOM data element at the start" };
  const vr = String.fromCharCode(head[4] ?? 0, head[5] ?? 0);
  if (isVr(vr)) return { kind: 'dataset', transferSyntax: TRANSFER_SYNTAX.explicitLittle };
  // Implicit VR: a 32-bit length must follow, and a first element's is small.
  if (view.getUint32(4, true) < 1024 * 1024)
    return { kind: 'dataset', transferSyntax: TRANSFER_SYNTAX.implicitLittle };
  return { kind: 'not-dicom', reason: "no 'DICM' prefix and no DICOM data element at the start" };
}

/**
 * Sniffs a file by its first 132 bytes.
 * @throws TesseraError BAD_REQUEST for a link or anything but a regular file (see openRegular).
 */
export async function sniffFile(file: string): Promise<Sniffed> {
  const fh = await openRegular(file);
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(head, 0, HEAD_BYTES, 0);
    return sniffBytes(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}
