/*
 * The DICOM reader (issue 7): Part 10 files (PS3.10 7.1) and raw datasets (PS3.5 Section 7) in
 * implicit VR LE, explicit VR LE and BE, deflated explicit VR LE, and any encapsulated syntax.
 * Every problem is a DicomParseError naming the byte offset and the tag path; its message names
 * tags, VRs, lengths and offsets only, never a value, because it goes to the audit log.
 */
import { inflateRawSync } from 'node:zlib';
import { lookupTag } from './dictionary.js';
import type { DicomDataset, DicomElement, DicomFile, Tag, Vr } from './types.js';
import { DicomParseError } from './types.js';
import {
  formatTag,
  isVr,
  ITEM,
  ITEM_DELIMITATION,
  LONG_LENGTH_VRS,
  PIXEL_DATA,
  SEQUENCE_DELIMITATION,
  swapWidth,
  syntaxInfo,
  UNDEFINED_LENGTH,
} from './vr.js';
import { isValidUid } from './uid.js';

/** How deep sequences may nest before the input is refused. */
export const MAX_SEQUENCE_DEPTH = 32;
/** Default ceiling on the inflated size of a deflated dataset (1 GiB). */
export const DEFAULT_MAX_INFLATED_BYTES = 1 << 30;

/** Options of the parse functions. */
export interface ParseOptions {
  /** Largest inflated size of a deflated dataset; larger input is refused. Default 1 GiB. */
  readonly maxInflatedBytes?: number;
  /**
   * Stop at the first top-level element whose tag is at or above this one, e.g. 0x7fe00010 to
   * read the header without the pixel data. Default: read everything.
   */
  readonly stopAtTag?: Tag;
}

/** What `parseFileMeta` returns: the meta group and where the dataset starts. */
export interface FileMetaInfo {
  readonly meta: DicomDataset;
  /** Transfer Syntax UID (0002,0010), padding removed. */
  readonly transferSyntax: string;
  /** Byte offset of the dataset that follows the meta group. */
  readonly datasetOffset: number;
}

interface Ctx {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly encapsulated: boolean;
  /** Added to every message, e.g. where offsets count from. */
  readonly note: string;
  readonly syntax: string;
  le: boolean;
  explicit: boolean;
  pos: number;
  /** Tags and item indices leading to the current element, formatted only when failing. */
  readonly path: (Tag | string)[];
}

/** A tag for a message: a tag read from misaligned input may be value bytes, so hide those. */
function tagLabel(tag: Tag): string {
  const text = [24, 16, 8, 0].every((s) => {
    const b = (tag >>> s) & 0xff;
    return b >= 0x20 && b < 0x7f;
  });
  return text && lookupTag(tag) === undefined ? '(an unknown tag)' : formatTag(tag);
}

/** A length for a message: one read from misaligned input may be text, so hide those too. */
function lengthLabel(length: number): string {
  const bytes = length > 0xffff ? [24, 16, 8, 0] : [8, 0];
  const text = bytes.every((s) => {
    const b = (length >>> s) & 0xff;
    return b >= 0x20 && b < 0x7f;
  });
  return text ? '(bytes that read as text)' : String(length);
}

function fail(ctx: Ctx, message: string, offset: number = ctx.pos): never {
  const path = ctx.path.map((p) => (typeof p === 'number' ? tagLabel(p) : p)).join('');
  throw new DicomParseError(message + ctx.note, offset, path);
}

function need(ctx: Ctx, count: number, end: number, what: string): void {
  if (end - ctx.pos < count) {
    fail(ctx, `truncated ${what}: ${count} bytes needed, ${end - ctx.pos} left`);
  }
}

function u16(ctx: Ctx, at: number): number {
  return ctx.view.getUint16(at, ctx.le);
}

function u32(ctx: Ctx, at: number): number {
  return ctx.view.getUint32(at, ctx.le);
}

function readTag(ctx: Ctx): Tag {
  const tag = ((u16(ctx, ctx.pos) << 16) | u16(ctx, ctx.pos + 2)) >>> 0;
  ctx.pos += 4;
  return tag;
}

/** The dataset from `ctx.pos` to `end`, or to its item delimitation when `inItem`. */
function readDataset(
  ctx: Ctx,
  end: number,
  depth: number,
  inItem: boolean,
  stopAt = Infinity,
): DicomDataset {
  const ds: DicomDataset = new Map();
  for (;;) {
    if (ctx.pos >= end) {
      if (inItem) fail(ctx, 'the data ends inside an item of undefined length');
      return ds;
    }
    need(ctx, 4, end, 'data element tag');
    const start = ctx.pos;
    const tag = readTag(ctx);
    if (tag === ITEM_DELIMITATION) {
      if (!inItem) fail(ctx, 'item delimitation where a data element was expected', start);
      need(ctx, 4, end, 'item delimitation length');
      ctx.pos += 4;
      return ds;
    }
    if (tag >>> 16 === 0xfffe) {
      fail(ctx, `item tag ${formatTag(tag)} where a data element was expected`, start);
    }
    if (tag >= stopAt) {
      ctx.pos = start;
      return ds;
    }
    ctx.path.push(tag);
    if (depth === 0 && ds.size === 0) checkFirstElement(ctx, tag, start, end);
    if (ds.has(tag)) fail(ctx, 'duplicate data element', start);
    ds.set(tag, readElement(ctx, tag, end, depth));
    ctx.path.pop();
  }
}

function swapBytes16(tag: Tag): Tag {
  const g = tag >>> 16;
  const e = tag & 0xffff;
  return ((((g & 0xff) << 8) | (g >>> 8)) * 0x10000 + (((e & 0xff) << 8) | (e >>> 8))) >>> 0;
}

/**
 * The first element says most plainly whether the declared syntax is the real one: a known
 * tag whose implicit length bytes spell its own VR is explicit VR; an unknown tag that is a
 * known one byte-swapped is the other byte order.
 */
function checkFirstElement(ctx: Ctx, tag: Tag, start: number, end: number): void {
  const entry = lookupTag(tag);
  if (!ctx.explicit && entry !== undefined && end - ctx.pos >= 2) {
    const vrBytes = String.fromCharCode(ctx.bytes[ctx.pos] ?? 0, ctx.bytes[ctx.pos + 1] ?? 0);
    if (entry.vrs.some((vr) => vr === vrBytes)) {
      fail(ctx, `the data is explicit VR but transfer syntax ${ctx.syntax} is implicit VR`, start);
    }
  }
  if (entry === undefined && (tag >>> 16) % 2 === 0 && lookupTag(swapBytes16(tag)) !== undefined) {
    const order = ctx.le ? 'big' : 'little';
    fail(
      ctx,
      `the data looks ${order} endian, not as transfer syntax ${ctx.syntax} declares`,
      start,
    );
  }
}

function readHeader(ctx: Ctx, tag: Tag, end: number): { vr: Vr; length: number } {
  if (!ctx.explicit) {
    need(ctx, 4, end, 'data element length');
    const length = u32(ctx, ctx.pos);
    ctx.pos += 4;
    return { vr: lookupTag(tag)?.vr ?? 'UN', length };
  }
  need(ctx, 2, end, 'data element VR');
  const vr = String.fromCharCode(ctx.bytes[ctx.pos] ?? 0, ctx.bytes[ctx.pos + 1] ?? 0);
  if (!isVr(vr)) {
    fail(
      ctx,
      `the bytes where a VR belongs are not one, so the data is not explicit VR as transfer ` +
        `syntax ${ctx.syntax} declares (implicit VR data, or a wrong length before this element)`,
    );
  }
  if (LONG_LENGTH_VRS.has(vr)) {
    need(ctx, 8, end, `header of VR ${vr}`);
    const length = u32(ctx, ctx.pos + 4);
    ctx.pos += 8;
    return { vr, length };
  }
  need(ctx, 4, end, `header of VR ${vr}`);
  const length = u16(ctx, ctx.pos + 2);
  ctx.pos += 4;
  return { vr, length };
}

function readElement(ctx: Ctx, tag: Tag, end: number, depth: number): DicomElement {
  const headerAt = ctx.pos - 4;
  const { vr, length } = readHeader(ctx, tag, end);
  if (length === UNDEFINED_LENGTH) return readUndefinedLength(ctx, tag, vr, end, depth);
  if (length > end - ctx.pos) {
    let hint = '';
    if (
      !ctx.explicit &&
      isVr(String.fromCharCode(ctx.bytes[headerAt + 4] ?? 0, ctx.bytes[headerAt + 5] ?? 0))
    ) {
      hint = `; the data looks like explicit VR although transfer syntax ${ctx.syntax} is implicit VR`;
    }
    fail(
      ctx,
      `value length ${lengthLabel(length)} of VR ${vr} runs past the end of the data (${end - ctx.pos} bytes left)${hint}`,
      headerAt,
    );
  }
  const valueEnd = ctx.pos + length;
  if (vr === 'SQ') {
    const items = readItems(ctx, valueEnd, false, depth);
    return { tag, vr, items };
  }
  const value = ctx.bytes.subarray(ctx.pos, valueEnd);
  ctx.pos = valueEnd;
  return { tag, vr, value: ctx.le ? value : toLittleEndian(ctx, value, vr, headerAt) };
}

function readUndefinedLength(ctx: Ctx, tag: Tag, vr: Vr, end: number, depth: number): DicomElement {
  if (tag === PIXEL_DATA && (vr === 'OB' || vr === 'OW')) {
    if (!ctx.encapsulated || !ctx.explicit) {
      fail(
        ctx,
        `encapsulated pixel data in native transfer syntax ${ctx.syntax}: the declared transfer syntax does not match the data`,
      );
    }
    return { tag, vr, fragments: readFragments(ctx, end) };
  }
  if (vr === 'SQ' || !ctx.explicit) {
    return { tag, vr: 'SQ', items: readItems(ctx, end, true, depth) };
  }
  if (vr === 'UN') {
    // PS3.5 6.2.2: an undefined-length UN value is a sequence encoded in implicit VR LE.
    const saved = { le: ctx.le, explicit: ctx.explicit };
    ctx.le = true;
    ctx.explicit = false;
    const items = readItems(ctx, end, true, depth);
    ctx.le = saved.le;
    ctx.explicit = saved.explicit;
    return { tag, vr: 'SQ', items };
  }
  return fail(ctx, `undefined length on VR ${vr}, which must have a defined length`);
}

function readItems(ctx: Ctx, end: number, undefinedLength: boolean, depth: number): DicomDataset[] {
  if (depth + 1 > MAX_SEQUENCE_DEPTH) {
    fail(ctx, `sequences nested deeper than ${MAX_SEQUENCE_DEPTH} levels`);
  }
  const items: DicomDataset[] = [];
  for (;;) {
    if (ctx.pos >= end) {
      if (undefinedLength) fail(ctx, 'the data ends inside a sequence of undefined length');
      return items;
    }
    need(ctx, 8, end, 'item header');
    const start = ctx.pos;
    const tag = readTag(ctx);
    const length = u32(ctx, ctx.pos);
    ctx.pos += 4;
    if (tag === SEQUENCE_DELIMITATION) {
      if (!undefinedLength)
        fail(ctx, 'sequence delimitation in a sequence of defined length', start);
      return items;
    }
    if (tag !== ITEM) fail(ctx, `expected an item in the sequence, found ${tagLabel(tag)}`, start);
    ctx.path.push(`[${items.length}]`);
    if (length === UNDEFINED_LENGTH) {
      items.push(readDataset(ctx, end, depth + 1, true));
    } else {
      if (length > end - ctx.pos) {
        fail(
          ctx,
          `item length ${lengthLabel(length)} runs past the end of its sequence (${end - ctx.pos} bytes left)`,
          start,
        );
      }
      items.push(readDataset(ctx, ctx.pos + length, depth + 1, false));
    }
    ctx.path.pop();
  }
}

/** Encapsulated pixel data (PS3.5 A.4): the Basic Offset Table item, then the fragments. */
function readFragments(ctx: Ctx, end: number): Uint8Array[] {
  const fragments: Uint8Array[] = [];
  for (;;) {
    if (ctx.pos >= end) fail(ctx, 'the data ends inside encapsulated pixel data');
    need(ctx, 8, end, 'fragment header');
    const start = ctx.pos;
    const tag = readTag(ctx);
    const length = u32(ctx, ctx.pos);
    ctx.pos += 4;
    if (tag === SEQUENCE_DELIMITATION) {
      if (fragments.length === 0)
        fail(ctx, 'encapsulated pixel data without a Basic Offset Table item', start);
      return fragments;
    }
    if (tag !== ITEM)
      fail(ctx, `expected a fragment item in pixel data, found ${tagLabel(tag)}`, start);
    if (length === UNDEFINED_LENGTH) fail(ctx, 'pixel data fragment of undefined length', start);
    if (length > end - ctx.pos) {
      fail(
        ctx,
        `fragment length ${lengthLabel(length)} runs past the end of the data (${end - ctx.pos} bytes left)`,
        start,
      );
    }
    fragments.push(ctx.bytes.subarray(ctx.pos, ctx.pos + length));
    ctx.pos += length;
  }
}

/** A big-endian value as little endian, swapped by its VR's width (PS3.5 7.3). */
function toLittleEndian(ctx: Ctx, value: Uint8Array, vr: Vr, headerAt: number): Uint8Array {
  const width = swapWidth(vr);
  if (width === 0) return value;
  if (value.length % width !== 0) {
    fail(ctx, `value length ${value.length} of VR ${vr} is not a multiple of ${width}`, headerAt);
  }
  const out = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i += width) {
    for (let j = 0; j < width; j++) out[i + j] = value[i + width - 1 - j] ?? 0;
  }
  return out;
}

function makeCtx(bytes: Uint8Array, syntax: string, pos: number, note = ''): Ctx {
  const info = syntaxInfo(syntax);
  return {
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    encapsulated: info.encapsulated,
    note,
    syntax,
    le: info.littleEndian,
    explicit: info.explicit,
    pos,
    path: [],
  };
}

/** Runs a parse step so that nothing but a DicomParseError leaves it. */
function guarded<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof DicomParseError) throw err;
    // Not expected: every bound is checked. Name the kind of failure only, never its message.
    throw new DicomParseError(
      `internal parser failure (${err instanceof Error ? err.name : 'unknown'})`,
      0,
    );
  }
}

function inflate(bytes: Uint8Array, offset: number, maxBytes: number): Uint8Array {
  try {
    return inflateRawSync(bytes.subarray(offset), { maxOutputLength: maxBytes });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why =
      code === 'ERR_BUFFER_TOO_LARGE'
        ? `it inflates to more than ${maxBytes} bytes`
        : `it is not a valid deflate stream (${typeof code === 'string' ? code : 'error'})`;
    throw new DicomParseError(`deflated dataset refused: ${why}`, offset);
  }
}

function datasetFrom(
  bytes: Uint8Array,
  offset: number,
  syntax: string,
  options: ParseOptions,
): DicomDataset {
  const info = syntaxInfo(syntax);
  if (info.deflated) {
    const inflated = inflate(bytes, offset, options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES);
    const ctx = makeCtx(inflated, syntax, 0, ' (offset in the inflated dataset)');
    return readDataset(ctx, inflated.length, 0, false, options.stopAtTag);
  }
  const ctx = makeCtx(bytes, syntax, offset);
  return readDataset(ctx, bytes.length, 0, false, options.stopAtTag);
}

/**
 * Parses a dataset without preamble or meta group, as received over the network, in the given
 * transfer syntax. Values are views into `bytes` (copies for big-endian input, converted to
 * little endian), so `bytes` must not change afterwards.
 * @throws DicomParseError for any malformed input.
 */
export function parseDataset(
  bytes: Uint8Array,
  transferSyntax: string,
  options: ParseOptions = {},
): DicomDataset {
  return guarded(() => datasetFrom(bytes, 0, transferSyntax, options));
}

function readMeta(bytes: Uint8Array): FileMetaInfo {
  if (bytes.length < 132) {
    throw new DicomParseError(
      `too short for a DICOM Part 10 file (${bytes.length} bytes, at least 132)`,
      0,
    );
  }
  if (bytes[128] !== 0x44 || bytes[129] !== 0x49 || bytes[130] !== 0x43 || bytes[131] !== 0x4d) {
    throw new DicomParseError(
      "no 'DICM' prefix after the 128-byte preamble: not a DICOM Part 10 file",
      128,
    );
  }
  // PS3.10 7.1: the meta group is always explicit VR little endian.
  const ctx = makeCtx(bytes, '1.2.840.10008.1.2.1', 132, '');
  const meta: DicomDataset = new Map();
  while (bytes.length - ctx.pos >= 2 && ctx.view.getUint16(ctx.pos, true) === 0x0002) {
    const start = ctx.pos;
    need(ctx, 4, bytes.length, 'data element tag');
    const tag = readTag(ctx);
    ctx.path.push(tag);
    if (meta.has(tag)) fail(ctx, 'duplicate data element', start);
    meta.set(tag, readElement(ctx, tag, bytes.length, 0));
    ctx.path.pop();
  }
  if (meta.size === 0) fail(ctx, 'no File Meta Information group (0002) after the DICM prefix');
  const ts = meta.get(0x00020010)?.value;
  if (ts === undefined)
    fail(ctx, 'the File Meta Information has no Transfer Syntax UID (0002,0010)');
  const transferSyntax = Buffer.from(ts)
    .toString('latin1')
    .replace(/[\0 ]+$/, '');
  if (!isValidUid(transferSyntax)) {
    fail(ctx, 'Transfer Syntax UID (0002,0010) is not a valid UID', 132);
  }
  return { meta, transferSyntax, datasetOffset: ctx.pos };
}

/**
 * Reads only the preamble, 'DICM' and the File Meta Information group of a Part 10 file:
 * cheap, for senders that need the transfer syntax and SOP UIDs.
 * @throws DicomParseError for a file that is not Part 10 or whose meta group is malformed.
 */
export function parseFileMeta(bytes: Uint8Array): FileMetaInfo {
  return guarded(() => readMeta(bytes));
}

/**
 * Parses a DICOM Part 10 file: 128-byte preamble, 'DICM', the meta group in explicit VR LE,
 * then the dataset in the transfer syntax the meta group declares. Values are views into `bytes`.
 * @throws DicomParseError for any malformed input (never another exception).
 */
export function parseDicomFile(bytes: Uint8Array, options: ParseOptions = {}): DicomFile {
  return guarded(() => {
    const { meta, transferSyntax, datasetOffset } = readMeta(bytes);
    const dataset = datasetFrom(bytes, datasetOffset, transferSyntax, options);
    return { meta, dataset, transferSyntax };
  });
}
