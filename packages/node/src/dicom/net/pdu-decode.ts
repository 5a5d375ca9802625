/*
 * Decoders of the Upper Layer PDUs (PS3.8 9.3): the body of one framed PDU in, a value out, or
 * PduError naming what is wrong. Items of unrecognised types are skipped (PS3.8 9.3.1).
 */
import {
  PDU_TYPE,
  ABORT_REASON,
  PduError,
  ITEM,
  type AssociateRq,
  type AssociateAc,
  type ContextResult,
  type ProposedContext,
  type UserInformation,
  type Pdu,
  type Pdv,
  type PData,
} from './pdu.js';

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
