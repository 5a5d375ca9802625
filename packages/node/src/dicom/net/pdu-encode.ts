/*
 * Encoders of the Upper Layer PDUs (PS3.8 9.3): values in, bytes for the socket out.
 */
import {
  PDU_TYPE,
  ITEM,
  type ContextResult,
  type ProposedContext,
  type UserInformation,
  type Pdu,
  type AssociateFields,
} from './pdu.js';

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
