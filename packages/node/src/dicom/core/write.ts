/*
 * The DICOM writer (issue 7): Part 10 files and raw datasets in implicit VR LE, explicit VR LE
 * and BE, deflated explicit VR LE, and encapsulated syntaxes (explicit VR LE with fragments).
 *
 * Choices: elements go out in ascending tag order; sequences and items always with undefined
 * lengths and delimitation items (one pass, no length to get wrong); odd values are padded to
 * an even length (space for text VRs, \0 for UI and binary); group length elements (gggg,0000)
 * present in a dataset are recomputed, and (0002,0000) is always written. Implicit VR keeps no
 * VR, so a reader gets the dictionary's (UN for private tags).
 */
import { deflateRawSync } from 'node:zlib';
import type { DicomDataset, DicomElement, Tag, Vr } from './types.js';
import { TRANSFER_SYNTAX } from './types.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './uid.js';
import { encodeText } from './values.js';
import type { SyntaxInfo } from './vr.js';
import {
  formatTag,
  ITEM,
  ITEM_DELIMITATION,
  LONG_LENGTH_VRS,
  SEQUENCE_DELIMITATION,
  swapWidth,
  syntaxInfo,
  TEXT_VRS,
  UNDEFINED_LENGTH,
} from './vr.js';

/** The in-memory data cannot be encoded as asked. The message names tags and VRs, never values. */
export class DicomWriteError extends Error {
  constructor(
    message: string,
    readonly path: string = '',
  ) {
    super(path === '' ? message : `${message} in ${path}`);
    this.name = 'DicomWriteError';
  }
}

/** The fields of a file meta group that a caller usually chooses (PS3.10 7.1). */
export interface FileMetaFields {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntax: string;
  /** Source Application Entity Title (0002,0016), e.g. the AE that sent the instance. */
  readonly sourceAeTitle?: string;
}

/** What `writeDicomFile` takes: a meta group (whole, or fields to build one from) and a dataset. */
export interface WritableFile {
  /**
   * A meta group as parsed (written back with (0002,0010) and (0002,0000) made right), or fields
   * for `buildFileMeta`; SOP Class and Instance UIDs missing here are taken from (0008,0016) and
   * (0008,0018) of the dataset.
   */
  readonly meta?: DicomDataset | Partial<FileMetaFields>;
  readonly dataset: DicomDataset;
  readonly transferSyntax: string;
}

/** Values at least this long are kept by reference and copied once, into the result. */
const BIG_VALUE = 1 << 16;

/**
 * The output: small writes go into scratch chunks, big values are kept as they are, and
 * `result` copies everything once. Headers never straddle chunks, so a group length can be
 * patched where it was written.
 */
class Sink {
  private readonly chunks: { start: number; bytes: Uint8Array }[] = [];
  private scratch = new Uint8Array(BIG_VALUE);
  private view = new DataView(this.scratch.buffer);
  private used = 0;
  private scratchStart = 0;
  pos = 0;

  constructor(public le: boolean) {}

  private flush(): void {
    if (this.used > 0)
      this.chunks.push({ start: this.scratchStart, bytes: this.scratch.subarray(0, this.used) });
    this.scratch = new Uint8Array(BIG_VALUE);
    this.view = new DataView(this.scratch.buffer);
    this.used = 0;
    this.scratchStart = this.pos;
  }

  private ensure(n: number): void {
    if (this.used + n > this.scratch.length) this.flush();
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.used, v, this.le);
    this.used += 2;
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.used, v, this.le);
    this.used += 4;
    this.pos += 4;
  }

  /** Overwrites 4 bytes written earlier with u32. */
  patchU32(at: number, v: number): void {
    if (at >= this.scratchStart) {
      this.view.setUint32(at - this.scratchStart, v, this.le);
      return;
    }
    const chunk = this.chunks.findLast((c) => c.start <= at);
    if (chunk === undefined) throw new Error('patch before the start of the output');
    new DataView(chunk.bytes.buffer, chunk.bytes.byteOffset).setUint32(
      at - chunk.start,
      v,
      this.le,
    );
  }

  bytes(b: Uint8Array): void {
    if (b.length >= BIG_VALUE) {
      this.flush();
      this.chunks.push({ start: this.pos, bytes: b });
      this.pos += b.length;
      this.scratchStart = this.pos;
      return;
    }
    this.ensure(b.length);
    this.scratch.set(b, this.used);
    this.used += b.length;
    this.pos += b.length;
  }

  byte(b: number): void {
    this.ensure(1);
    this.scratch[this.used++] = b;
    this.pos += 1;
  }

  tag(tag: Tag): void {
    this.u16(tag >>> 16);
    this.u16(tag & 0xffff);
  }

  result(): Uint8Array {
    const out = new Uint8Array(this.pos);
    for (const c of this.chunks) out.set(c.bytes, c.start);
    out.set(this.scratch.subarray(0, this.used), this.scratchStart);
    return out;
  }
}

interface WriteCtx {
  readonly sink: Sink;
  readonly info: SyntaxInfo;
  readonly syntax: string;
  readonly path: string[];
}

function fail(ctx: WriteCtx, message: string): never {
  throw new DicomWriteError(message, ctx.path.join(''));
}

function header(ctx: WriteCtx, tag: Tag, vr: Vr, length: number): void {
  const { sink } = ctx;
  sink.tag(tag);
  if (!ctx.info.explicit) {
    sink.u32(length);
    return;
  }
  sink.byte(vr.charCodeAt(0));
  sink.byte(vr.charCodeAt(1));
  if (LONG_LENGTH_VRS.has(vr)) {
    sink.u16(0);
    sink.u32(length);
  } else {
    if (length > 0xffff) {
      fail(ctx, `value of VR ${vr} is ${length} bytes, more than the 65535 explicit VR allows`);
    }
    sink.u16(length);
  }
}

function writeValue(ctx: WriteCtx, el: DicomElement, value: Uint8Array): void {
  const length = value.length + (value.length % 2);
  if (length > 0xfffffffe) fail(ctx, `value of ${length} bytes is too long for DICOM`);
  header(ctx, el.tag, el.vr, length);
  const width = ctx.info.littleEndian ? 0 : swapWidth(el.vr);
  if (width === 0) {
    ctx.sink.bytes(value);
  } else {
    if (value.length % width !== 0) {
      fail(ctx, `value length ${value.length} of VR ${el.vr} is not a multiple of ${width}`);
    }
    const out = new Uint8Array(value.length);
    for (let i = 0; i < value.length; i += width) {
      for (let j = 0; j < width; j++) out[i + j] = value[i + width - 1 - j] ?? 0;
    }
    ctx.sink.bytes(out);
  }
  // PS3.5 6.2: text pads with a space, UI and binary values with \0.
  if (value.length % 2 === 1) ctx.sink.byte(TEXT_VRS.has(el.vr) ? 0x20 : 0);
}

function writeSequence(ctx: WriteCtx, el: DicomElement, items: readonly DicomDataset[]): void {
  header(ctx, el.tag, 'SQ', UNDEFINED_LENGTH);
  items.forEach((item, i) => {
    ctx.path.push(`[${i}]`);
    ctx.sink.tag(ITEM);
    ctx.sink.u32(UNDEFINED_LENGTH);
    writeElements(ctx, item);
    ctx.sink.tag(ITEM_DELIMITATION);
    ctx.sink.u32(0);
    ctx.path.pop();
  });
  ctx.sink.tag(SEQUENCE_DELIMITATION);
  ctx.sink.u32(0);
}

function writeFragments(ctx: WriteCtx, el: DicomElement, fragments: readonly Uint8Array[]): void {
  if (!ctx.info.encapsulated) {
    fail(ctx, `encapsulated pixel data cannot be written in native transfer syntax ${ctx.syntax}`);
  }
  if (fragments.length === 0) fail(ctx, 'encapsulated pixel data needs a Basic Offset Table item');
  header(ctx, el.tag, el.vr, UNDEFINED_LENGTH);
  // PS3.5 A.4: items always little endian with defined, even lengths.
  for (const f of fragments) {
    ctx.sink.tag(ITEM);
    ctx.sink.u32(f.length + (f.length % 2));
    ctx.sink.bytes(f);
    if (f.length % 2 === 1) ctx.sink.byte(0);
  }
  ctx.sink.tag(SEQUENCE_DELIMITATION);
  ctx.sink.u32(0);
}

function writeElement(ctx: WriteCtx, el: DicomElement): void {
  if (el.fragments !== undefined) writeFragments(ctx, el, el.fragments);
  else if (el.items !== undefined || el.vr === 'SQ') writeSequence(ctx, el, el.items ?? []);
  else writeValue(ctx, el, el.value ?? new Uint8Array(0));
}

/** Writes a dataset's elements in ascending tag order, recomputing group lengths. */
function writeElements(ctx: WriteCtx, ds: DicomDataset, forceGroupLength?: number): void {
  const tags = [...ds.keys()].sort((a, b) => a - b);
  if (forceGroupLength !== undefined && !ds.has(forceGroupLength)) tags.unshift(forceGroupLength);
  let pending: { group: number; at: number; from: number } | undefined;
  const close = (): void => {
    if (pending !== undefined) ctx.sink.patchU32(pending.at, ctx.sink.pos - pending.from);
    pending = undefined;
  };
  for (const tag of tags) {
    if (pending !== undefined && tag >>> 16 !== pending.group) close();
    ctx.path.push(formatTag(tag));
    const el = ds.get(tag) ?? { tag, vr: 'UL' };
    if (el.tag !== tag)
      fail(ctx, `element filed under ${formatTag(tag)} has tag ${formatTag(el.tag)}`);
    if ((tag & 0xffff) === 0) {
      // PS3.5 7.2: the group length counts every byte after it up to the end of its group.
      header(ctx, tag, 'UL', 4);
      pending = { group: tag >>> 16, at: ctx.sink.pos, from: ctx.sink.pos + 4 };
      ctx.sink.u32(0);
    } else {
      writeElement(ctx, el);
    }
    ctx.path.pop();
  }
  close();
}

/** Appends a dataset to `sink` in `transferSyntax` (deflating it for the deflated syntax). */
function encodeDataset(sink: Sink, ds: DicomDataset, transferSyntax: string): void {
  const info = syntaxInfo(transferSyntax);
  if (info.deflated) {
    const inner = new Sink(true);
    writeElements({ sink: inner, info, syntax: transferSyntax, path: [] }, ds);
    sink.bytes(deflateRawSync(inner.result()));
    return;
  }
  sink.le = info.littleEndian;
  writeElements({ sink, info, syntax: transferSyntax, path: [] }, ds);
}

/**
 * Encodes a dataset without preamble or meta group, as sent over the network, in the given
 * transfer syntax (deflated syntaxes are deflated).
 * @throws DicomWriteError when an element cannot be encoded (too long, fragments in a native syntax).
 */
export function writeDataset(ds: DicomDataset, transferSyntax: string): Uint8Array {
  const sink = new Sink(true);
  encodeDataset(sink, ds, transferSyntax);
  return sink.result();
}

function uidElement(tag: Tag, uid: string): DicomElement {
  return { tag, vr: 'UI', value: encodeText(uid, 'UI') };
}

/**
 * A File Meta Information group (PS3.10 7.1) naming Tessera as the implementation. The group
 * length (0002,0000) is left out: the writer always computes it.
 */
export function buildFileMeta(fields: FileMetaFields): DicomDataset {
  const meta: DicomDataset = new Map();
  const add = (el: DicomElement): void => {
    meta.set(el.tag, el);
  };
  add({ tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) });
  add(uidElement(0x00020002, fields.sopClassUid));
  add(uidElement(0x00020003, fields.sopInstanceUid));
  add(uidElement(0x00020010, fields.transferSyntax));
  add(uidElement(0x00020012, IMPLEMENTATION_CLASS_UID));
  add({ tag: 0x00020013, vr: 'SH', value: encodeText(IMPLEMENTATION_VERSION_NAME, 'SH') });
  if (fields.sourceAeTitle !== undefined) {
    add({ tag: 0x00020016, vr: 'AE', value: encodeText(fields.sourceAeTitle, 'AE') });
  }
  return meta;
}

function uidOf(ds: DicomDataset, tag: Tag): string | undefined {
  const v = ds.get(tag)?.value;
  return v === undefined
    ? undefined
    : Buffer.from(v)
        .toString('latin1')
        .replace(/[\0 ]+$/, '');
}

function resolveMeta(file: WritableFile): DicomDataset {
  if (file.meta instanceof Map) {
    const meta: DicomDataset = new Map(file.meta);
    for (const tag of meta.keys()) {
      if (tag >>> 16 !== 0x0002) {
        throw new DicomWriteError(`element ${formatTag(tag)} in the meta group is not group 0002`);
      }
    }
    meta.set(0x00020010, uidElement(0x00020010, file.transferSyntax));
    return meta;
  }
  const fields = file.meta ?? {};
  const sopClassUid = fields.sopClassUid ?? uidOf(file.dataset, 0x00080016);
  const sopInstanceUid = fields.sopInstanceUid ?? uidOf(file.dataset, 0x00080018);
  if (sopClassUid === undefined || sopInstanceUid === undefined) {
    throw new DicomWriteError(
      'the meta group needs SOP Class and Instance UIDs: none given and none in (0008,0016)/(0008,0018)',
    );
  }
  return buildFileMeta({
    sopClassUid,
    sopInstanceUid,
    transferSyntax: file.transferSyntax,
    ...(fields.sourceAeTitle === undefined ? {} : { sourceAeTitle: fields.sourceAeTitle }),
  });
}

/**
 * Encodes a DICOM Part 10 file: 128 zero bytes, 'DICM', the meta group in explicit VR LE with
 * its group length, then the dataset in `transferSyntax` (whatever the meta said).
 * @throws DicomWriteError when the meta group or an element cannot be encoded.
 */
export function writeDicomFile(file: WritableFile): Uint8Array {
  const meta = resolveMeta(file);
  const sink = new Sink(true);
  sink.bytes(new Uint8Array(128));
  sink.bytes(new Uint8Array([0x44, 0x49, 0x43, 0x4d]));
  const metaInfo = syntaxInfo(TRANSFER_SYNTAX.explicitLittle);
  writeElements(
    { sink, info: metaInfo, syntax: TRANSFER_SYNTAX.explicitLittle, path: [] },
    meta,
    0x00020000,
  );
  encodeDataset(sink, file.dataset, file.transferSyntax);
  return sink.result();
}
