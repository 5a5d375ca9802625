/*
 * DIMSE command sets (PS3.7 9.3, Annex E): group 0000 elements, always Implicit VR Little Endian
 * whatever the presentation context's transfer syntax (PS3.7 6.3.1). Only the fields the
 * receiver and sender use are decoded; other command elements are skipped.
 */

/** Command Field values (PS3.7 E.1). */
export const COMMAND_FIELD = {
  cStoreRq: 0x0001,
  cStoreRsp: 0x8001,
  cGetRq: 0x0010,
  cFindRq: 0x0020,
  cMoveRq: 0x0021,
  cEchoRq: 0x0030,
  cEchoRsp: 0x8030,
  cCancelRq: 0x0fff,
} as const;

/** Command Data Set Type (0000,0800) meaning "no data set follows" (PS3.7 E.1). */
export const NO_DATA_SET = 0x0101;

/** DIMSE status values used on the wire beyond contracts.ts (PS3.7 C.4). */
export const NET_STATUS = {
  success: 0x0000,
  unrecognizedOperation: 0x0211,
  sopClassNotSupported: 0x0122,
  outOfResources: 0xa700,
  cannotUnderstand: 0xc000,
} as const;

/** A decoded command set: the elements Tessera reads or writes. */
export interface DimseCommand {
  readonly commandField: number;
  readonly messageId?: number;
  readonly messageIdBeingRespondedTo?: number;
  readonly affectedSopClassUid?: string;
  readonly affectedSopInstanceUid?: string;
  readonly priority?: number;
  readonly dataSetType: number;
  readonly status?: number;
  /** Error Comment (0000,0902), LO: at most 64 characters. */
  readonly errorComment?: string;
}

/** Thrown for a command set that cannot be decoded. */
export class DimseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DimseError';
  }
}

const TAG = {
  groupLength: 0x00000000,
  affectedSopClassUid: 0x00000002,
  commandField: 0x00000100,
  messageId: 0x00000110,
  messageIdBeingRespondedTo: 0x00000120,
  priority: 0x00000700,
  dataSetType: 0x00000800,
  status: 0x00000900,
  errorComment: 0x00000902,
  affectedSopInstanceUid: 0x00001000,
} as const;

/** Largest command set accepted; real ones are a few hundred bytes. */
export const MAX_COMMAND_BYTES = 64 * 1024;

function element(tag: number, value: Buffer): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(tag >>> 16, 0);
  b.writeUInt16LE(tag & 0xffff, 2);
  b.writeUInt32LE(value.length, 4);
  return Buffer.concat([b, value]);
}

function us(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n & 0xffff);
  return b;
}

/** Text padded to even length: UI with NUL, LO with space (PS3.5 6.2). */
function padded(s: string, pad: number): Buffer {
  const b = Buffer.from(s, 'latin1');
  return b.length % 2 === 0 ? b : Buffer.concat([b, Buffer.from([pad])]);
}

/** Keeps an Error Comment within LO: 64 printable ASCII characters, no backslash. */
export function cleanComment(s: string): string {
  return s.replace(/[^\x20-\x5b\x5d-\x7e]/g, '?').slice(0, 64);
}

/** Encodes a command set with its group length first, elements in ascending tag order. */
export function encodeCommand(c: DimseCommand): Buffer {
  const els: [number, Buffer][] = [];
  if (c.affectedSopClassUid !== undefined) {
    els.push([TAG.affectedSopClassUid, padded(c.affectedSopClassUid, 0)]);
  }
  els.push([TAG.commandField, us(c.commandField)]);
  if (c.messageId !== undefined) els.push([TAG.messageId, us(c.messageId)]);
  if (c.messageIdBeingRespondedTo !== undefined) {
    els.push([TAG.messageIdBeingRespondedTo, us(c.messageIdBeingRespondedTo)]);
  }
  if (c.priority !== undefined) els.push([TAG.priority, us(c.priority)]);
  els.push([TAG.dataSetType, us(c.dataSetType)]);
  if (c.status !== undefined) els.push([TAG.status, us(c.status)]);
  if (c.errorComment !== undefined && c.errorComment !== '') {
    els.push([TAG.errorComment, padded(cleanComment(c.errorComment), 0x20)]);
  }
  if (c.affectedSopInstanceUid !== undefined) {
    els.push([TAG.affectedSopInstanceUid, padded(c.affectedSopInstanceUid, 0)]);
  }
  const body = Buffer.concat(els.map(([t, v]) => element(t, v)));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([element(TAG.groupLength, length), body]);
}

const hex = (tag: number): string =>
  `(${(tag >>> 16).toString(16).padStart(4, '0')},${(tag & 0xffff).toString(16).padStart(4, '0')})`;

type Mutable = { -readonly [K in keyof DimseCommand]?: DimseCommand[K] };

function readUs(tag: number, v: Buffer, at: number): number {
  if (v.length !== 2) {
    throw new DimseError(`command element ${hex(tag)} at byte ${at} is not 2 bytes (US)`);
  }
  return v.readUInt16LE(0);
}

const readUi = (v: Buffer): string => v.toString('latin1').replace(/[\0 ]+$/, '');

/** Sets the field `tag` stands for; elements Tessera does not use are ignored. */
function setField(c: Mutable, tag: number, v: Buffer, at: number): void {
  switch (tag) {
    case TAG.affectedSopClassUid:
      c.affectedSopClassUid = readUi(v);
      break;
    case TAG.commandField:
      c.commandField = readUs(tag, v, at);
      break;
    case TAG.messageId:
      c.messageId = readUs(tag, v, at);
      break;
    case TAG.messageIdBeingRespondedTo:
      c.messageIdBeingRespondedTo = readUs(tag, v, at);
      break;
    case TAG.priority:
      c.priority = readUs(tag, v, at);
      break;
    case TAG.dataSetType:
      c.dataSetType = readUs(tag, v, at);
      break;
    case TAG.status:
      c.status = readUs(tag, v, at);
      break;
    case TAG.errorComment:
      c.errorComment = v.toString('latin1').trim();
      break;
    case TAG.affectedSopInstanceUid:
      c.affectedSopInstanceUid = readUi(v);
      break;
  }
}

/**
 * Decodes a command set.
 * @throws DimseError when an element overruns, lies outside group 0000, has a wrong length, or
 *   Command Field or Command Data Set Type is missing.
 */
export function decodeCommand(b: Buffer): DimseCommand {
  const c: Mutable = {};
  let pos = 0;
  while (pos < b.length) {
    if (pos + 8 > b.length) throw new DimseError(`truncated command element at byte ${pos}`);
    const tag = ((b.readUInt16LE(pos) << 16) | b.readUInt16LE(pos + 2)) >>> 0;
    const len = b.readUInt32LE(pos + 4);
    if (tag >>> 16 !== 0) {
      throw new DimseError(`element ${hex(tag)} at byte ${pos} is not in group 0000`);
    }
    if (pos + 8 + len > b.length) {
      throw new DimseError(`command element ${hex(tag)} at byte ${pos} overruns the command set`);
    }
    setField(c, tag, b.subarray(pos + 8, pos + 8 + len), pos);
    pos += 8 + len;
  }
  const { commandField, dataSetType } = c;
  if (commandField === undefined) {
    throw new DimseError('command set has no Command Field (0000,0100)');
  }
  if (dataSetType === undefined) {
    throw new DimseError('command set has no Command Data Set Type (0000,0800)');
  }
  return { ...c, commandField, dataSetType };
}

/** Whether a command set announces a data set after it (PS3.7 E.1, (0000,0800)). */
export function hasDataSet(c: DimseCommand): boolean {
  return c.dataSetType !== NO_DATA_SET;
}
