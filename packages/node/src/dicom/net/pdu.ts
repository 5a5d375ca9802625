/*
 * The PDUs of the DICOM Upper Layer (PS3.8 9.3) as plain values, with their encoders and
 * decoders. Pure: no socket here. Decoding failures throw PduError carrying the A-ABORT reason
 * that the association answers with (PS3.8 9.3.8, Table 9-26).
 */

/** PDU types (PS3.8 Table 9-1 and following). */
export const PDU_TYPE = {
  associateRq: 0x01,
  associateAc: 0x02,
  associateRj: 0x03,
  pData: 0x04,
  releaseRq: 0x05,
  releaseRp: 0x06,
  abort: 0x07,
} as const;

/** A-ABORT reasons when the source is the service provider (PS3.8 Table 9-26). */
export const ABORT_REASON = {
  notSpecified: 0,
  unrecognizedPdu: 1,
  unexpectedPdu: 2,
  unrecognizedPduParameter: 4,
  unexpectedPduParameter: 5,
  invalidPduParameterValue: 6,
} as const;

/** A-ASSOCIATE-RJ result, source and reason values (PS3.8 Table 9-21). */
export const REJECT = {
  permanent: 1,
  transient: 2,
  sourceUser: 1,
  sourceAcse: 2,
  sourcePresentation: 3,
  // source 1 (service user)
  noReason: 1,
  applicationContextNotSupported: 2,
  callingAeNotRecognized: 3,
  calledAeNotRecognized: 7,
  // source 2 (ACSE)
  protocolVersionNotSupported: 2,
  // source 3 (presentation)
  temporaryCongestion: 1,
  localLimitExceeded: 2,
} as const;

/** Presentation context results in an A-ASSOCIATE-AC (PS3.8 Table 9-18). */
export const PC_RESULT = {
  acceptance: 0,
  userRejection: 1,
  noReason: 2,
  abstractSyntaxNotSupported: 3,
  transferSyntaxesNotSupported: 4,
} as const;

/** Thrown for a malformed PDU; `reason` is the A-ABORT reason to answer with. */
export class PduError extends Error {
  constructor(
    message: string,
    readonly reason: number = ABORT_REASON.invalidPduParameterValue,
  ) {
    super(message);
    this.name = 'PduError';
  }
}

export interface ProposedContext {
  readonly id: number;
  /** Empty when the item had no abstract syntax sub-item. */
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

export interface ContextResult {
  readonly id: number;
  readonly result: number;
  /** Not significant unless accepted (PS3.8 9.3.3.2), but always present on the wire. */
  readonly transferSyntax: string;
}

/** User Information (PS3.7 D.3.3): only the sub-items Tessera reads or writes. */
export interface UserInformation {
  /** Maximum length of a P-DATA-TF variable field the sender can receive; 0 = no limit. */
  readonly maxPduLength: number;
  readonly implementationClassUid: string;
  readonly implementationVersionName?: string;
}

interface AssociateFields {
  readonly calledAe: string;
  readonly callingAe: string;
  readonly applicationContext: string;
  readonly user: UserInformation;
}

export interface AssociateRq extends AssociateFields {
  readonly type: 'associate-rq';
  readonly protocolVersion: number;
  readonly contexts: readonly ProposedContext[];
}

export interface AssociateAc extends AssociateFields {
  readonly type: 'associate-ac';
  readonly contexts: readonly ContextResult[];
}

export interface AssociateRj {
  readonly type: 'associate-rj';
  readonly result: number;
  readonly source: number;
  readonly reason: number;
}

/** A presentation data value: one fragment of a command set or data set. */
export interface Pdv {
  readonly contextId: number;
  readonly command: boolean;
  readonly last: boolean;
  /** A view into the received bytes; copy it to keep it. */
  readonly value: Buffer;
}

export interface PData {
  readonly type: 'p-data';
  readonly pdvs: readonly Pdv[];
}

export interface ReleaseRq {
  readonly type: 'release-rq';
}
export interface ReleaseRp {
  readonly type: 'release-rp';
}
export interface Abort {
  readonly type: 'abort';
  readonly source: number;
  readonly reason: number;
}

export type Pdu = AssociateRq | AssociateAc | AssociateRj | PData | ReleaseRq | ReleaseRp | Abort;

const ITEM = {
  applicationContext: 0x10,
  contextRq: 0x20,
  contextAc: 0x21,
  abstractSyntax: 0x30,
  transferSyntax: 0x40,
  userInformation: 0x50,
  maxLength: 0x51,
  implementationClassUid: 0x52,
  implementationVersionName: 0x55,
} as const;

// ---------------------------------------------------------------------------------------------
// Encoding

function header(type: number, length: number): Buffer {
  const b = Buffer.alloc(6);
  b[0] = type;
  b.writeUInt32BE(length, 2);
  return b;
}

function item(type: number, body: Buffer): Buffer {
  if (body.length > 0xffff) throw new RangeError(`item 0x${type.toString(16)} longer than 65535`);
  const b = Buffer.alloc(4);
  b[0] = type;
  b.writeUInt16BE(body.length, 2);
  return Buffer.concat([b, body]);
}

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

/** An AE title as 16 bytes, space padded (PS3.8 9.3.2). */
function aeField(ae: string): Buffer {
  const b = Buffer.alloc(16, 0x20);
  b.write(ae.slice(0, 16), 'latin1');
  return b;
}

function userItem(u: UserInformation): Buffer {
  const max = Buffer.alloc(4);
  max.writeUInt32BE(u.maxPduLength >>> 0);
  const subs = [
    item(ITEM.maxLength, max),
    item(ITEM.implementationClassUid, ascii(u.implementationClassUid)),
  ];
  if (u.implementationVersionName !== undefined) {
    subs.push(item(ITEM.implementationVersionName, ascii(u.implementationVersionName)));
  }
  return item(ITEM.userInformation, Buffer.concat(subs));
}

function associate(type: number, p: AssociateFields, contexts: Buffer[]): Buffer {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(1, 0); // protocol version 1
  aeField(p.calledAe).copy(fixed, 4);
  aeField(p.callingAe).copy(fixed, 20);
  const body = Buffer.concat([
    fixed,
    item(ITEM.applicationContext, ascii(p.applicationContext)),
    ...contexts,
    userItem(p.user),
  ]);
  return Buffer.concat([header(type, body.length), body]);
}

function contextRq(c: ProposedContext): Buffer {
  return item(
    ITEM.contextRq,
    Buffer.concat([
      Buffer.from([c.id, 0, 0, 0]),
      item(ITEM.abstractSyntax, ascii(c.abstractSyntax)),
      ...c.transferSyntaxes.map((ts) => item(ITEM.transferSyntax, ascii(ts))),
    ]),
  );
}

function contextAc(c: ContextResult): Buffer {
  return item(
    ITEM.contextAc,
    Buffer.concat([
      Buffer.from([c.id, 0, c.result, 0]),
      item(ITEM.transferSyntax, ascii(c.transferSyntax)),
    ]),
  );
}

function fourBytes(type: number, b2: number, b3: number): Buffer {
  return Buffer.concat([header(type, 4), Buffer.from([0, 0, b2, b3])]);
}

/** Encodes any PDU but P-DATA-TF with large values, for which see `pdataHeader`. */
export function encodePdu(pdu: Pdu): Buffer {
  switch (pdu.type) {
    case 'associate-rq':
      return associate(PDU_TYPE.associateRq, pdu, pdu.contexts.map(contextRq));
    case 'associate-ac':
      return associate(PDU_TYPE.associateAc, pdu, pdu.contexts.map(contextAc));
    case 'associate-rj': {
      const b = header(PDU_TYPE.associateRj, 4);
      return Buffer.concat([b, Buffer.from([0, pdu.result, pdu.source, pdu.reason])]);
    }
    case 'p-data': {
      const parts: Buffer[] = [];
      let length = 0;
      for (const v of pdu.pdvs) {
        parts.push(pdvHeader(v.contextId, v.command, v.last, v.value.length), v.value);
        length += 6 + v.value.length;
      }
      return Buffer.concat([header(PDU_TYPE.pData, length), ...parts]);
    }
    case 'release-rq':
      return fourBytes(PDU_TYPE.releaseRq, 0, 0);
    case 'release-rp':
      return fourBytes(PDU_TYPE.releaseRp, 0, 0);
    case 'abort':
      return fourBytes(PDU_TYPE.abort, pdu.source, pdu.reason);
  }
}

function pdvHeader(contextId: number, command: boolean, last: boolean, length: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt32BE(length + 2, 0);
  b[4] = contextId;
  b[5] = (command ? 1 : 0) | (last ? 2 : 0); // message control header (PS3.8 E.2)
  return b;
}

/** Size of the PDU header plus one PDV item header: what precedes a single-PDV value. */
export const PDATA_OVERHEAD = 12;

/**
 * Writes the headers of a P-DATA-TF holding one PDV of `length` value bytes into the first
 * PDATA_OVERHEAD bytes of `into`, so a sender can read the value straight in behind them.
 */
export function pdataHeader(
  into: Buffer,
  contextId: number,
  command: boolean,
  last: boolean,
  length: number,
): void {
  into[0] = PDU_TYPE.pData;
  into[1] = 0;
  into.writeUInt32BE(length + 6, 2);
  pdvHeader(contextId, command, last, length).copy(into, 6);
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Text of a UID or name field, without the padding PS3.8 Annex F tolerates. */
function text(b: Buffer): string {
  return b.toString('latin1').replace(/[\0 ]+$/, '');
}

function aeText(b: Buffer): string {
  return b.toString('latin1').replace(/\0/g, ' ').trim();
}

interface RawItem {
  readonly type: number;
  readonly body: Buffer;
}

/** Splits a run of items (type, reserved, 16-bit length); refuses one that overruns. */
function items(b: Buffer, where: string): RawItem[] {
  const out: RawItem[] = [];
  let pos = 0;
  while (pos < b.length) {
    if (pos + 4 > b.length) throw new PduError(`truncated item header in ${where}`);
    const type = b[pos] ?? 0;
    const len = b.readUInt16BE(pos + 2);
    if (pos + 4 + len > b.length) {
      throw new PduError(`item 0x${type.toString(16)} in ${where} overruns its PDU`);
    }
    out.push({ type, body: b.subarray(pos + 4, pos + 4 + len) });
    pos += 4 + len;
  }
  return out;
}

function decodeUser(body: Buffer): UserInformation {
  let maxPduLength = 0;
  let implementationClassUid = '';
  let implementationVersionName: string | undefined;
  // Sub-items Tessera does not negotiate (asynchronous operations, role selection, extended
  // negotiation, user identity) are skipped: their absence in the reply declines them (PS3.7 D.3.3).
  for (const sub of items(body, 'user information')) {
    if (sub.type === ITEM.maxLength) {
      if (sub.body.length !== 4) throw new PduError('maximum length sub-item is not 4 bytes');
      maxPduLength = sub.body.readUInt32BE(0);
    } else if (sub.type === ITEM.implementationClassUid) {
      implementationClassUid = text(sub.body);
    } else if (sub.type === ITEM.implementationVersionName) {
      implementationVersionName = text(sub.body);
    }
  }
  return {
    maxPduLength,
    implementationClassUid,
    ...(implementationVersionName === undefined ? {} : { implementationVersionName }),
  };
}

function decodeContextRq(body: Buffer): ProposedContext {
  if (body.length < 4) throw new PduError('presentation context item shorter than 4 bytes');
  let abstractSyntax = '';
  const transferSyntaxes: string[] = [];
  for (const sub of items(body.subarray(4), 'presentation context')) {
    if (sub.type === ITEM.abstractSyntax) abstractSyntax = text(sub.body);
    else if (sub.type === ITEM.transferSyntax) transferSyntaxes.push(text(sub.body));
  }
  return { id: body[0] ?? 0, abstractSyntax, transferSyntaxes };
}

function decodeContextAc(body: Buffer): ContextResult {
  if (body.length < 4) throw new PduError('presentation context item shorter than 4 bytes');
  const ts = items(body.subarray(4), 'presentation context').find(
    (s) => s.type === ITEM.transferSyntax,
  );
  return {
    id: body[0] ?? 0,
    result: body[2] ?? 0,
    transferSyntax: ts === undefined ? '' : text(ts.body),
  };
}

function decodeAssociate(type: number, body: Buffer): AssociateRq | AssociateAc {
  if (body.length < 68) throw new PduError('A-ASSOCIATE PDU shorter than its 68 fixed bytes');
  let applicationContext = '';
  let user: UserInformation | undefined;
  const rq: ProposedContext[] = [];
  const ac: ContextResult[] = [];
  // Items of unrecognised types are skipped (PS3.8 9.3.1).
  for (const it of items(body.subarray(68), 'A-ASSOCIATE')) {
    if (it.type === ITEM.applicationContext) applicationContext = text(it.body);
    else if (it.type === ITEM.userInformation) user = decodeUser(it.body);
    else if (it.type === ITEM.contextRq && type === PDU_TYPE.associateRq) {
      rq.push(decodeContextRq(it.body));
    } else if (it.type === ITEM.contextAc && type === PDU_TYPE.associateAc) {
      ac.push(decodeContextAc(it.body));
    }
  }
  const ids = (type === PDU_TYPE.associateRq ? rq : ac).map((c) => c.id);
  if (ids.some((id) => id % 2 === 0) || new Set(ids).size !== ids.length) {
    throw new PduError('presentation context IDs must be odd and unique (PS3.8 9.3.2.2)');
  }
  const fields = {
    calledAe: aeText(body.subarray(4, 20)),
    callingAe: aeText(body.subarray(20, 36)),
    applicationContext,
    user: user ?? { maxPduLength: 0, implementationClassUid: '' },
  };
  return type === PDU_TYPE.associateRq
    ? { type: 'associate-rq', protocolVersion: body.readUInt16BE(0), contexts: rq, ...fields }
    : { type: 'associate-ac', contexts: ac, ...fields };
}

function decodePData(body: Buffer): PData {
  const pdvs: Pdv[] = [];
  let pos = 0;
  while (pos < body.length) {
    if (pos + 6 > body.length) throw new PduError('truncated PDV item header');
    const len = body.readUInt32BE(pos);
    if (len < 2 || pos + 4 + len > body.length) {
      throw new PduError(`PDV item length ${len} does not fit its P-DATA-TF`);
    }
    const mch = body[pos + 5] ?? 0;
    pdvs.push({
      contextId: body[pos + 4] ?? 0,
      command: (mch & 1) === 1,
      last: (mch & 2) === 2,
      value: body.subarray(pos + 6, pos + 4 + len),
    });
    pos += 4 + len;
  }
  if (pdvs.length === 0) throw new PduError('P-DATA-TF without a PDV item');
  return { type: 'p-data', pdvs };
}

function fixedFour(type: number, body: Buffer): Buffer {
  if (body.length !== 4) {
    throw new PduError(`PDU type 0x${type.toString(16)} must be 4 bytes long, not ${body.length}`);
  }
  return body;
}

/**
 * Decodes the body of one PDU (everything after its 6-byte header).
 * @throws PduError when the body is malformed.
 */
export function decodePdu(type: number, body: Buffer): Pdu {
  switch (type) {
    case PDU_TYPE.associateRq:
    case PDU_TYPE.associateAc:
      return decodeAssociate(type, body);
    case PDU_TYPE.associateRj: {
      const b = fixedFour(type, body);
      return { type: 'associate-rj', result: b[1] ?? 0, source: b[2] ?? 0, reason: b[3] ?? 0 };
    }
    case PDU_TYPE.pData:
      return decodePData(body);
    case PDU_TYPE.releaseRq:
      fixedFour(type, body);
      return { type: 'release-rq' };
    case PDU_TYPE.releaseRp:
      fixedFour(type, body);
      return { type: 'release-rp' };
    case PDU_TYPE.abort: {
      const b = fixedFour(type, body);
      return { type: 'abort', source: b[2] ?? 0, reason: b[3] ?? 0 };
    }
    default:
      throw new PduError(
        `unrecognized PDU type 0x${type.toString(16)}`,
        ABORT_REASON.unrecognizedPdu,
      );
  }
}
