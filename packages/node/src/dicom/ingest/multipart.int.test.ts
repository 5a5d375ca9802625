import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MULTIPART_LIMITS, parseMultipartType, readMultipart } from './multipart.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-mp-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function body(boundary: string, parts: { type?: string; data: Buffer }[], preamble = ''): Buffer {
  const chunks: Buffer[] = [Buffer.from(preamble)];
  for (const p of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\n${p.type === undefined ? '' : `Content-Type: ${p.type}\r\n`}\r\n`,
      ),
    );
    chunks.push(p.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\nepilogue`));
  return Buffer.concat(chunks);
}

/** Feeds `buf` in chunks of `size` bytes, to cross every boundary at every offset. */
function chunked(buf: Buffer, size: number): AsyncIterable<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  return (async function* () {
    for (const c of chunks) yield await Promise.resolve(c);
  })();
}

describe('parseMultipartType', () => {
  it('reads the boundary and the type, quoted or not', () => {
    expect(
      parseMultipartType('multipart/related; type="application/dicom"; boundary=abc123'),
    ).toEqual({
      boundary: 'abc123',
      type: 'application/dicom',
    });
    expect(parseMultipartType('Multipart/Related;boundary="a b:c"').boundary).toBe('a b:c');
  });

  it('refuses another media type or a missing boundary', () => {
    expect(() => parseMultipartType('application/json')).toThrow(/must be multipart\/related/);
    expect(() => parseMultipartType(undefined)).toThrow(/must be multipart\/related/);
    expect(() => parseMultipartType('multipart/related; type="application/dicom"')).toThrow(
      /boundary/,
    );
  });
});

describe('readMultipart', () => {
  const a = Buffer.from('\r\n--not-the-boundary\r\n' + 'A'.repeat(5000));
  const b = Buffer.alloc(70_000, 0x42);
  const whole = body(
    'XyZ',
    [{ type: 'application/dicom', data: a }, { data: b }],
    'preamble text\r\n',
  );

  it.each([1, 7, 64, 4096, whole.length])(
    'splits parts byte for byte in chunks of %i bytes',
    async (size) => {
      const sub = mkdtempSync(join(dir, 'c'));
      const parts = await readMultipart(chunked(whole, size), 'XyZ', sub);
      expect(parts.map((p) => p.contentType)).toEqual(['application/dicom', '']);
      expect(readFileSync(parts[0]?.file ?? '').equals(a)).toBe(true);
      expect(readFileSync(parts[1]?.file ?? '').equals(b)).toBe(true);
      expect(parts.map((p) => p.bytes)).toEqual([a.length, b.length]);
    },
  );

  it('stops past the body limit with PAYLOAD_TOO_LARGE and leaves no file behind', async () => {
    const sub = mkdtempSync(join(dir, 'l'));
    const err = await readMultipart(chunked(whole, 1000), 'XyZ', sub, {
      ...DEFAULT_MULTIPART_LIMITS,
      maxBodyBytes: 10_000,
    }).then(
      () => ({ code: 'none', message: 'resolved' }),
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.message).toContain('10000 bytes');
    expect(readdirSync(sub)).toEqual([]);
  });

  it('refuses a body without its closing boundary, leaving no file behind', async () => {
    const sub = mkdtempSync(join(dir, 't'));
    const cut = whole.subarray(0, whole.length - 30);
    await expect(readMultipart(chunked(cut, 100), 'XyZ', sub)).rejects.toThrow(/closing boundary/);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('refuses more parts than its limit', async () => {
    const sub = mkdtempSync(join(dir, 'p'));
    const three = body(
      'B',
      [1, 2, 3].map(() => ({ data: Buffer.from('x') })),
    );
    await expect(
      readMultipart(chunked(three, 50), 'B', sub, { ...DEFAULT_MULTIPART_LIMITS, maxParts: 2 }),
    ).rejects.toThrow(/more than 2 parts/);
  });
});
