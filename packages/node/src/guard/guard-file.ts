import { createHash } from 'node:crypto';
import { z } from 'zod';
import { fromParts, type CohortRows, type RowPart } from './row-set.js';

/*
 * The on-disk form of a project's released cohorts (`<dir>/guard/<projectId>.bin`): an
 * append-only sequence of records, each
 *   "TGR1" | u32 header bytes | u32 data bytes | header (JSON) | data | SHA-256(header ‖ data)
 * where data is each part's Uint32 words, little-endian, in header order. Appending a record is
 * the only write, so a release costs its own bytes, not the file's; a record torn by a crash
 * fails its checksum and is dropped with everything after it (it was written before the result
 * it covers left, so nothing released is forgotten).
 */

const MAGIC = 0x31524754; // "TGR1" little-endian
const FIXED = 12;
const DIGEST = 32;

const headerSchema = z
  .object({
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    parts: z.array(
      z
        .object({
          dataset: z.string().min(1).max(200),
          fingerprint: z.string().min(1).max(128),
          total: z.number().int().min(0),
          count: z.number().int().min(0),
          kind: z.enum(['list', 'bits']),
          words: z.number().int().min(0),
        })
        .strict(),
    ),
  })
  .strict();

/** One cohort as a record, ready to append. Pure. */
export function encodeRecord(c: CohortRows): Buffer {
  const header = Buffer.from(
    JSON.stringify({
      hash: c.hash,
      parts: c.parts.map((p) => ({
        dataset: p.dataset,
        fingerprint: p.fingerprint,
        total: p.total,
        count: p.count,
        kind: p.kind,
        words: p.data.length,
      })),
    }),
    'utf8',
  );
  const dataBytes = c.parts.reduce((n, p) => n + p.data.length * 4, 0);
  const out = Buffer.alloc(FIXED + header.length + dataBytes + DIGEST);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(header.length, 4);
  out.writeUInt32LE(dataBytes, 8);
  header.copy(out, FIXED);
  let at = FIXED + header.length;
  // Typed arrays are in host order, little-endian on every platform Node supports (data.bin too).
  for (const p of c.parts) {
    out.set(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength), at);
    at += p.data.byteLength;
  }
  createHash('sha256').update(out.subarray(FIXED, at)).digest().copy(out, at);
  return out;
}

/**
 * Every whole record of a guard file, and the byte length they span (anything after it is a
 * torn or corrupt tail). Pure.
 */
export function decodeRecords(buf: Uint8Array): { cohorts: CohortRows[]; validBytes: number } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const cohorts: CohortRows[] = [];
  let at = 0;
  while (at + FIXED <= b.length) {
    if (b.readUInt32LE(at) !== MAGIC) break;
    const hLen = b.readUInt32LE(at + 4);
    const dLen = b.readUInt32LE(at + 8);
    const end = at + FIXED + hLen + dLen + DIGEST;
    if (end > b.length) break;
    const body = b.subarray(at + FIXED, end - DIGEST);
    if (
      !createHash('sha256')
        .update(body)
        .digest()
        .equals(b.subarray(end - DIGEST, end))
    )
      break;
    const c = decodeBody(body, hLen);
    if (c === null) break;
    cohorts.push(c);
    at = end;
  }
  return { cohorts, validBytes: at };
}

function decodeBody(body: Buffer, hLen: number): CohortRows | null {
  let header: z.infer<typeof headerSchema>;
  try {
    header = headerSchema.parse(JSON.parse(body.subarray(0, hLen).toString('utf8')));
  } catch {
    return null;
  }
  let at = hLen;
  const parts: RowPart[] = [];
  for (const p of header.parts) {
    if (at + p.words * 4 > body.length) return null;
    const data = new Uint32Array(p.words);
    new Uint8Array(data.buffer).set(body.subarray(at, at + p.words * 4));
    at += p.words * 4;
    const { words: _words, ...rest } = p;
    parts.push({ ...rest, data });
  }
  const c = fromParts(parts);
  return c.hash === header.hash ? c : null;
}
