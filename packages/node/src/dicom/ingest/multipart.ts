import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TesseraError } from '@tessera/protocol';

/*
 * A streaming parser of multipart/related bodies (RFC 2387, RFC 2046 §5.1) for STOW-RS (PS3.18
 * §10.5): each part's body goes straight to a temporary file, so memory stays bounded by one
 * chunk whatever the upload's size. The body, the number of parts and each part's headers are
 * limited; a body over its limit stops with PAYLOAD_TOO_LARGE.
 */

export interface MultipartLimits {
  readonly maxBodyBytes: number;
  readonly maxParts: number;
  readonly maxHeaderBytes: number;
}

export const DEFAULT_MULTIPART_LIMITS: MultipartLimits = {
  maxBodyBytes: 2 * 1024 * 1024 * 1024,
  maxParts: 10_000,
  maxHeaderBytes: 8 * 1024,
};

/** One part, its body in `file` (the caller removes it). */
export interface Part {
  readonly file: string;
  readonly bytes: number;
  /** The part's Content-Type, lower-cased without parameters ('' when none was given). */
  readonly contentType: string;
}

/** What the request's Content-Type says. */
export interface MultipartType {
  readonly boundary: string;
  /** The `type` parameter (the root part's media type), lower-cased; null when absent. */
  readonly type: string | null;
}

/**
 * Parses `multipart/related; type="…"; boundary=…`.
 * @throws TesseraError BAD_REQUEST (answered as 415 by the route) when it is another media type
 *   or has no valid boundary.
 */
export function parseMultipartType(header: string | undefined): MultipartType {
  const [media = '', ...params] = (header ?? '').split(';');
  if (media.trim().toLowerCase() !== 'multipart/related')
    throw new TesseraError('BAD_REQUEST', 'the body must be multipart/related', {
      details: { unsupportedMediaType: true },
    });
  const values = new Map<string, string>();
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    let value = p.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2)
      value = value.slice(1, -1);
    values.set(key, value);
  }
  const boundary = values.get('boundary');
  // RFC 2046 §5.1.1: 1–70 characters from bchars, not ending with a space.
  if (
    boundary === undefined ||
    !/^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary)
  )
    throw new TesseraError('BAD_REQUEST', 'multipart/related needs a valid boundary parameter', {
      details: { unsupportedMediaType: true },
    });
  return { boundary, type: values.get('type')?.toLowerCase() ?? null };
}

type State = 'preamble' | 'headers' | 'body' | 'after' | 'epilogue';

/**
 * Reads a multipart body, writing each part to a new file in `tmpDir`.
 * @throws TesseraError PAYLOAD_TOO_LARGE past `maxBodyBytes` or `maxParts`, BAD_REQUEST for a
 *   malformed body (naming the part); every file written so far is removed.
 */
export async function readMultipart(
  body: AsyncIterable<Buffer | string>,
  boundary: string,
  tmpDir: string,
  limits: MultipartLimits = DEFAULT_MULTIPART_LIMITS,
): Promise<Part[]> {
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const parts: Part[] = [];
  let state: State = 'preamble';
  // A CRLF in front, so a body that opens with the delimiter matches like every later one.
  let pending: Buffer = Buffer.from('\r\n', 'latin1');
  let total = 0;
  let current: { fh: FileHandle; file: string; bytes: number; contentType: string } | null = null;

  const startPart = async (headerText: string): Promise<void> => {
    if (parts.length + 1 > limits.maxParts)
      throw new TesseraError('PAYLOAD_TOO_LARGE', `more than ${limits.maxParts} parts`);
    const file = join(tmpDir, `stow-${randomBytes(8).toString('hex')}.part`);
    current = {
      fh: await open(file, 'wx', 0o600),
      file,
      bytes: 0,
      contentType: partType(headerText),
    };
  };
  const endPart = async (): Promise<void> => {
    if (current === null) return;
    const c = current;
    current = null;
    await c.fh.close();
    parts.push({ file: c.file, bytes: c.bytes, contentType: c.contentType });
  };

  try {
    for await (const chunk of body) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
      total += buf.length;
      if (total > limits.maxBodyBytes)
        throw new TesseraError(
          'PAYLOAD_TOO_LARGE',
          `the upload is larger than ${limits.maxBodyBytes} bytes`,
        );
      pending = pending.length === 0 ? buf : Buffer.concat([pending, buf]);
      for (;;) {
        if (state === 'epilogue') {
          pending = Buffer.alloc(0);
          break;
        }
        if (state === 'preamble' || state === 'body') {
          const at = pending.indexOf(delimiter);
          if (at < 0) {
            // Keep a tail that may hold the start of a delimiter split across chunks.
            const keep = Math.min(pending.length, delimiter.length - 1);
            await writeBody(current, pending.subarray(0, pending.length - keep));
            pending = pending.subarray(pending.length - keep);
            break;
          }
          await writeBody(current, pending.subarray(0, at));
          await endPart();
          pending = pending.subarray(at + delimiter.length);
          state = 'after';
          continue;
        }
        if (state === 'after') {
          if (pending.length < 2) break;
          if (pending[0] === 0x2d && pending[1] === 0x2d) {
            state = 'epilogue';
            continue;
          }
          // Transport padding (RFC 2046: linear white space) before the line break.
          const nl = pending.indexOf('\r\n', 0, 'latin1');
          if (nl < 0) {
            if (pending.length > 256)
              throw new TesseraError('BAD_REQUEST', 'a boundary line is malformed');
            break;
          }
          if (pending.subarray(0, nl).toString('latin1').trim() !== '')
            throw new TesseraError(
              'BAD_REQUEST',
              `part ${parts.length + 1}: the boundary line is malformed`,
            );
          pending = pending.subarray(nl + 2);
          state = 'headers';
          continue;
        }
        // headers
        const end = pending.indexOf('\r\n\r\n', 0, 'latin1');
        const blank = pending.subarray(0, 2).toString('latin1') === '\r\n';
        if (end < 0 && !blank) {
          if (pending.length > limits.maxHeaderBytes)
            throw new TesseraError(
              'BAD_REQUEST',
              `part ${parts.length + 1}: its headers are too long`,
            );
          break;
        }
        const headerText = blank ? '' : pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(blank ? 2 : end + 4);
        await startPart(headerText);
        state = 'body';
      }
    }
    if (state !== 'epilogue')
      throw new TesseraError('BAD_REQUEST', 'the multipart body ends before its closing boundary');
    return parts;
  } catch (e) {
    const open = current as { fh: FileHandle; file: string } | null;
    if (open !== null) {
      await open.fh.close().catch(() => undefined);
      await rm(open.file, { force: true });
    }
    await Promise.all(parts.map((p) => rm(p.file, { force: true })));
    throw e;
  }
}

async function writeBody(
  current: { fh: FileHandle; bytes: number } | null,
  data: Buffer,
): Promise<void> {
  if (current === null || data.length === 0) return;
  await current.fh.write(data);
  current.bytes += data.length;
}

function partType(headerText: string): string {
  for (const line of headerText.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    if (line.slice(0, colon).trim().toLowerCase() === 'content-type')
      return (line.slice(colon + 1).split(';')[0] ?? '').trim().toLowerCase();
  }
  return '';
}
