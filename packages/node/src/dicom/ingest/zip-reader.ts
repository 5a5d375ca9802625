import { createWriteStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw } from 'node:zlib';
import { TesseraError } from '@tessera/protocol';

/*
 * A small, strict ZIP reader (APPNOTE.TXT 6.3.10) for `node dicom import` of an archive: the
 * central directory is read and checked as a whole before anything is extracted, entries are
 * stored or deflated only, and each entry streams to a temporary file the caller names. Entry
 * names are checked (a name that would escape a target folder refuses the archive, as a sign of a
 * hostile one) but never used as paths, and never printed: they often carry patient names, so
 * entries are named by their number. Zip bombs are bounded by the entry count, the declared
 * total, per-entry size and ratio limits, refusal of overlapping entries, and by counting the
 * bytes actually inflated against the declared size.
 */

export interface ZipLimits {
  readonly maxEntries: number;
  /** Sum of the declared uncompressed sizes. */
  readonly maxTotalBytes: number;
  readonly maxEntryBytes: number;
  /** Largest uncompressed/compressed ratio of an entry above 1 MiB. */
  readonly maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 100_000,
  maxTotalBytes: 64 * 1024 * 1024 * 1024,
  maxEntryBytes: 512 * 1024 * 1024,
  maxRatio: 1000,
};

/** One file of the archive (directories are left out). `index` counts from 1 in the directory. */
export interface ZipEntry {
  readonly index: number;
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly crc32: number;
  readonly localOffset: number;
  /** Where the entry's local data may extend to (the next entry, or the central directory). */
  readonly limit: number;
}

export interface ZipArchive {
  readonly entries: readonly ZipEntry[];
  /**
   * Streams `entry`, inflated and checked, into the new file `target` (0600).
   * @throws TesseraError UNPROCESSABLE for an unsupported method, a bad local header, data that
   *   inflates past its declared size or fails its CRC (the partial file is removed).
   */
  extract(entry: ZipEntry, target: string): Promise<void>;
  close(): Promise<void>;
}

const SIG = {
  eocd: 0x06054b50,
  eocd64: 0x06064b50,
  locator64: 0x07064b50,
  central: 0x02014b50,
  local: 0x04034b50,
} as const;
const MAX_COMMENT = 0xffff;
const UNIX = 3;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

function refuse(message: string): TesseraError {
  return new TesseraError('BAD_REQUEST', `zip archive refused: ${message}`);
}

/**
 * Opens `file` and reads its central directory.
 * @throws TesseraError BAD_REQUEST when the archive is malformed, multi-disk, holds an entry whose
 *   name is absolute, climbs with '..', has a drive letter or a backslash, a link or special file,
 *   an encrypted entry, overlapping entries, or breaks `limits`.
 */
export async function openZip(
  file: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<ZipArchive> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const dir = await readDirectoryLocation(fh, size, limits);
    const buf = await readAt(fh, dir.offset, dir.size);
    const entries = parseCentral(buf, dir.count, limits, dir.offset);
    return {
      entries,
      extract: (entry, target) => extract(fh, entry, target),
      close: () => fh.close(),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  if (bytesRead !== length) throw refuse('it ends early (truncated)');
  return buf;
}

async function readDirectoryLocation(
  fh: FileHandle,
  size: number,
  limits: ZipLimits,
): Promise<{ offset: number; size: number; count: number }> {
  if (size < 22) throw refuse('too short to be a zip file');
  const tailLen = Math.min(size, 22 + MAX_COMMENT);
  const tail = await readAt(fh, size - tailLen, tailLen);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG.eocd && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) throw refuse('no end of central directory record (not a zip file, or truncated)');
  const eocdPos = size - tailLen + at;
  let disk = tail.readUInt16LE(at + 4);
  let cdDisk = tail.readUInt16LE(at + 6);
  let count = tail.readUInt16LE(at + 10);
  let cdSize = tail.readUInt32LE(at + 12);
  let cdOffset = tail.readUInt32LE(at + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    if (eocdPos < 20) throw refuse('a ZIP64 archive without its locator');
    const loc = await readAt(fh, eocdPos - 20, 20);
    if (loc.readUInt32LE(0) !== SIG.locator64) throw refuse('a ZIP64 archive without its locator');
    const pos = Number(loc.readBigUInt64LE(8));
    if (pos + 56 > eocdPos) throw refuse('the ZIP64 end record lies outside the file');
    const rec = await readAt(fh, pos, 56);
    if (rec.readUInt32LE(0) !== SIG.eocd64) throw refuse('the ZIP64 end record is missing');
    disk = rec.readUInt32LE(16);
    cdDisk = rec.readUInt32LE(20);
    count = safeNumber(rec.readBigUInt64LE(32));
    cdSize = safeNumber(rec.readBigUInt64LE(40));
    cdOffset = safeNumber(rec.readBigUInt64LE(48));
  }
  if (disk !== 0 || cdDisk !== 0) throw refuse('multi-disk archives are not supported');
  if (count > limits.maxEntries)
    throw refuse(`it has ${count} entries, more than the limit of ${limits.maxEntries}`);
  if (cdOffset + cdSize > eocdPos) throw refuse('the central directory lies outside the file');
  return { offset: cdOffset, size: cdSize, count };
}

function safeNumber(v: bigint): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw refuse('a size or offset is out of range');
  return Number(v);
}

interface RawEntry extends Omit<ZipEntry, 'limit'> {
  readonly nameLength: number;
}

function parseCentral(buf: Buffer, count: number, limits: ZipLimits, cdOffset: number): ZipEntry[] {
  const raw: RawEntry[] = [];
  let pos = 0;
  let total = 0;
  for (let index = 1; index <= count; index++) {
    if (pos + 46 > buf.length || buf.readUInt32LE(pos) !== SIG.central)
      throw refuse(`entry ${index}: the central directory is malformed`);
    const madeBy = buf.readUInt16LE(pos + 4) >> 8;
    const flags = buf.readUInt16LE(pos + 8);
    const method = buf.readUInt16LE(pos + 10);
    const nameLen = buf.readUInt16LE(pos + 28);
    const extraLen = buf.readUInt16LE(pos + 30);
    const commentLen = buf.readUInt16LE(pos + 32);
    const external = buf.readUInt32LE(pos + 38);
    const end = pos + 46 + nameLen + extraLen + commentLen;
    if (end > buf.length) throw refuse(`entry ${index}: the central directory is malformed`);
    const name = buf.subarray(pos + 46, pos + 46 + nameLen).toString('latin1');
    const crc = buf.readUInt32LE(pos + 16) >>> 0;
    const sizes = zip64Sizes(
      buf.subarray(pos + 46 + nameLen, pos + 46 + nameLen + extraLen),
      {
        uncompressed: buf.readUInt32LE(pos + 24),
        compressed: buf.readUInt32LE(pos + 20),
        offset: buf.readUInt32LE(pos + 42),
      },
      index,
    );
    pos = end;
    checkName(name, index);
    if ((flags & 0x41) !== 0 || method === 99) throw refuse(`entry ${index} is encrypted`);
    const mode = external >>> 16;
    const type = mode & S_IFMT;
    const isDir = name.endsWith('/') || (madeBy === UNIX && type === S_IFDIR);
    if (madeBy === UNIX && type !== 0 && type !== S_IFREG && type !== S_IFDIR)
      throw refuse(`entry ${index} is a link or a special file`);
    if (isDir) continue;
    if (sizes.uncompressed > limits.maxEntryBytes)
      throw refuse(`entry ${index} is larger than ${limits.maxEntryBytes} bytes`);
    if (
      sizes.uncompressed > 1024 * 1024 &&
      sizes.uncompressed > limits.maxRatio * Math.max(1, sizes.compressed)
    )
      throw refuse(`entry ${index} inflates more than ${limits.maxRatio} times (a zip bomb?)`);
    total += sizes.uncompressed;
    if (total > limits.maxTotalBytes)
      throw refuse(`its entries add up to more than ${limits.maxTotalBytes} bytes`);
    raw.push({
      index,
      method,
      compressedSize: sizes.compressed,
      uncompressedSize: sizes.uncompressed,
      crc32: crc,
      localOffset: sizes.offset,
      nameLength: nameLen,
    });
  }
  return withLimits(raw, cdOffset);
}

/** The sizes and offset, from the ZIP64 extra field (id 0x0001) where the 32-bit ones overflow. */
function zip64Sizes(
  extra: Buffer,
  base: { uncompressed: number; compressed: number; offset: number },
  index: number,
): { uncompressed: number; compressed: number; offset: number } {
  const out = { ...base };
  const wanted = (['uncompressed', 'compressed', 'offset'] as const).filter(
    (k) => base[k] === 0xffffffff,
  );
  if (wanted.length === 0) return out;
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      if (len < wanted.length * 8 || p + 4 + len > extra.length)
        throw refuse(`entry ${index}: its ZIP64 field is malformed`);
      wanted.forEach((k, i) => (out[k] = safeNumber(extra.readBigUInt64LE(p + 4 + i * 8))));
      return out;
    }
    p += 4 + len;
  }
  throw refuse(`entry ${index}: its ZIP64 field is missing`);
}

/**
 * Zip-slip (a name that would escape the folder it is extracted to). Names are never used as
 * paths here, but an archive carrying one is hostile and is refused whole. The name is not echoed.
 */
function checkName(name: string, index: number): void {
  if (name === '' || name.includes('\0')) throw refuse(`entry ${index} has an empty or NUL name`);
  if (name.includes('\\')) throw refuse(`entry ${index}'s name has a backslash`);
  if (name.startsWith('/')) throw refuse(`entry ${index}'s name is an absolute path`);
  if (/^[A-Za-z]:/.test(name)) throw refuse(`entry ${index}'s name has a drive letter`);
  if (name.split('/').includes('..')) throw refuse(`entry ${index}'s name climbs out with '..'`);
}

/** Refuses overlapping entries (the overlapped-file zip bomb) and bounds each entry's data. */
function withLimits(raw: readonly RawEntry[], cdOffset: number): ZipEntry[] {
  const byOffset = [...raw].sort((a, b) => a.localOffset - b.localOffset);
  const out: ZipEntry[] = [];
  byOffset.forEach((e, i) => {
    const limit = byOffset[i + 1]?.localOffset ?? cdOffset;
    if (e.localOffset + 30 + e.nameLength + e.compressedSize > limit)
      throw refuse(`entry ${e.index} overlaps another entry or the central directory`);
    const { nameLength: _, ...entry } = e;
    out.push({ ...entry, limit });
  });
  return out.sort((a, b) => a.index - b.index);
}

function unprocessable(entry: ZipEntry, message: string): TesseraError {
  return new TesseraError('UNPROCESSABLE', `zip entry ${entry.index}: ${message}`);
}

async function extract(fh: FileHandle, entry: ZipEntry, target: string): Promise<void> {
  if (entry.method !== 0 && entry.method !== 8)
    throw unprocessable(
      entry,
      `compression method ${entry.method} is not supported (stored or deflate only)`,
    );
  const head = await readAt(fh, entry.localOffset, 30).catch(() => {
    throw unprocessable(entry, 'its local header is outside the file');
  });
  if (head.readUInt32LE(0) !== SIG.local) throw unprocessable(entry, 'its local header is missing');
  if (head.readUInt16LE(8) !== entry.method)
    throw unprocessable(entry, 'its local header disagrees with the central directory');
  const start = entry.localOffset + 30 + head.readUInt16LE(26) + head.readUInt16LE(28);
  if (start + entry.compressedSize > entry.limit)
    throw unprocessable(entry, 'its data overlaps the next entry');
  const out = createWriteStream(target, { flags: 'wx', mode: 0o600 });
  const guard = new SizeGuard(entry);
  try {
    if (entry.compressedSize === 0) {
      await pipeline(emptyStream(), guard, out);
    } else {
      const input = fh.createReadStream({
        start,
        end: start + entry.compressedSize - 1,
        autoClose: false,
      });
      if (entry.method === 8) await pipeline(input, createInflateRaw(), guard, out);
      else await pipeline(input, guard, out);
    }
    guard.check();
  } catch (e) {
    await rm(target, { force: true });
    if (e instanceof TesseraError) throw e;
    throw unprocessable(entry, 'its compressed data is corrupt');
  }
}

function emptyStream(): AsyncGenerator<Buffer> {
  return (async function* () {
    // nothing: an empty entry
  })();
}

/** Counts and checksums what an entry inflates to, stopping at its declared size. */
class SizeGuard extends Transform {
  private bytes = 0;
  private crc = 0;
  constructor(private readonly entry: ZipEntry) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.entry.uncompressedSize) {
      done(unprocessable(this.entry, 'it inflates past its declared size (a zip bomb?)'));
      return;
    }
    this.crc = crc32(chunk, this.crc);
    done(null, chunk);
  }
  check(): void {
    if (this.bytes !== this.entry.uncompressedSize)
      throw unprocessable(this.entry, 'it is shorter than its declared size');
    if (this.crc >>> 0 !== this.entry.crc32)
      throw unprocessable(this.entry, 'its CRC-32 does not match');
  }
}
