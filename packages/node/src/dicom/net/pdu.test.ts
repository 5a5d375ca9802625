import { describe, expect, it } from 'vitest';
import { ABORT_REASON, PduError, type AssociateRq, type Pdu } from './pdu.js';
import { encodePdu, pdataHeader, PDATA_OVERHEAD } from './pdu-encode.js';
import { decodePdu } from './pdu-decode.js';
import { PduReader } from './pdu-reader.js';
import { fragmentCommand } from './pdv-writer.js';

function makeRq(overrides: Partial<AssociateRq> = {}): AssociateRq {
  return {
    type: 'associate-rq',
    protocolVersion: 1,
    calledAe: 'TESSERA',
    callingAe: 'MODALITY',
    applicationContext: '1.2.840.10008.3.1.1.1',
    contexts: [
      { id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
      {
        id: 3,
        abstractSyntax: '1.2.840.10008.5.1.4.1.1.2',
        transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'],
      },
    ],
    user: {
      maxPduLength: 16384,
      implementationClassUid: '1.2.3.4',
      implementationVersionName: 'TEST_1',
    },
    ...overrides,
  };
}

/** Frames and decodes every PDU in `bytes`, fed in chunks of `size`. */
function readAll(bytes: Buffer, size: number, pData = 1 << 20): Pdu[] {
  const reader = new PduReader({ pData });
  const out: Pdu[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    reader.push(bytes.subarray(i, i + size));
    for (let raw = reader.next(); raw !== undefined; raw = reader.next()) {
      out.push(decodePdu(raw.type, raw.body));
    }
  }
  expect(reader.pending).toBe(0);
  return out;
}

describe('PDU codec', () => {
  it('lays out an A-ASSOCIATE-RQ as PS3.8 Table 9-11 says', () => {
    const b = encodePdu(makeRq());
    expect(b[0]).toBe(0x01);
    expect(b.readUInt32BE(2)).toBe(b.length - 6);
    expect(b.readUInt16BE(6)).toBe(1); // protocol version
    expect(b.toString('latin1', 10, 26)).toBe('TESSERA         ');
    expect(b.toString('latin1', 26, 42)).toBe('MODALITY        ');
    expect(b.subarray(42, 74).every((x) => x === 0)).toBe(true);
    expect(b[74]).toBe(0x10); // application context item first
    expect(b.toString('latin1', 78, 78 + b.readUInt16BE(76))).toBe('1.2.840.10008.3.1.1.1');
  });

  it('round-trips every PDU type', () => {
    const pdus: Pdu[] = [
      makeRq(),
      {
        type: 'associate-ac',
        calledAe: 'TESSERA',
        callingAe: 'MODALITY',
        applicationContext: '1.2.840.10008.3.1.1.1',
        contexts: [
          { id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' },
          { id: 3, result: 4, transferSyntax: '1.2.840.10008.1.2' },
        ],
        user: { maxPduLength: 0, implementationClassUid: '1.2.3' },
      },
      { type: 'associate-rj', result: 1, source: 1, reason: 3 },
      {
        type: 'p-data',
        pdvs: [
          { contextId: 1, command: true, last: true, value: Buffer.from([1, 2, 3]) },
          { contextId: 3, command: false, last: false, value: Buffer.alloc(0) },
        ],
      },
      { type: 'release-rq' },
      { type: 'release-rp' },
      { type: 'abort', source: 2, reason: 6 },
    ];
    const decoded = readAll(Buffer.concat(pdus.map(encodePdu)), 1 << 16);
    expect(decoded).toEqual(pdus);
  });

  it('frames the same PDUs whatever the TCP chunking, down to one byte at a time', () => {
    const bytes = Buffer.concat([
      encodePdu(makeRq()),
      encodePdu({
        type: 'p-data',
        pdvs: [{ contextId: 3, command: false, last: true, value: Buffer.alloc(2000, 7) }],
      }),
      encodePdu({ type: 'release-rq' }),
    ]);
    const whole = readAll(bytes, bytes.length);
    for (const size of [1, 2, 5, 7, 64, 1000]) expect(readAll(bytes, size)).toEqual(whole);
  });

  it('trims AE titles and UID padding and skips unknown items and sub-items', () => {
    const b = encodePdu(
      makeRq({ calledAe: '  TESSERA', applicationContext: '1.2.840.10008.3.1.1.1\0' }),
    );
    const unknown = Buffer.from([0x99, 0, 0, 2, 0xab, 0xcd]);
    const rq = decodePdu(0x01, Buffer.concat([b.subarray(6), unknown])) as AssociateRq;
    expect(rq.applicationContext).toBe('1.2.840.10008.3.1.1.1');
    expect(rq.calledAe).toBe('TESSERA');
    expect(rq.contexts).toHaveLength(2);
  });

  it('writes single-PDV headers that decode to the value behind them', () => {
    const value = Buffer.from('hello!');
    const pdu = Buffer.alloc(PDATA_OVERHEAD + value.length);
    value.copy(pdu, PDATA_OVERHEAD);
    pdataHeader(pdu, 5, false, true, value.length);
    expect(readAll(pdu, 3)).toEqual([
      { type: 'p-data', pdvs: [{ contextId: 5, command: false, last: true, value }] },
    ]);
  });

  it('splits a command set to fit the peer maximum, flagging only the last fragment', () => {
    const command = Buffer.alloc(100, 1);
    const pdus = fragmentCommand(7, command, 46); // 40 value bytes per PDV
    expect(pdus.map((p) => p.length - PDATA_OVERHEAD)).toEqual([40, 40, 20]);
    const pdvs = readAll(Buffer.concat(pdus), 9).flatMap((p) =>
      p.type === 'p-data' ? p.pdvs : [],
    );
    expect(pdvs.map((v) => v.last)).toEqual([false, false, true]);
    expect(pdvs.every((v) => v.command && v.contextId === 7)).toBe(true);
    expect(Buffer.concat(pdvs.map((v) => v.value)).equals(command)).toBe(true);
    expect(fragmentCommand(1, command, 0)).toHaveLength(1);
  });
});

describe('PDU reader limits', () => {
  const reasonOf = (f: () => unknown): number | undefined => {
    try {
      f();
    } catch (e) {
      if (e instanceof PduError) return e.reason;
      throw e;
    }
    return undefined;
  };

  it('refuses an absurd length as soon as the header is in', () => {
    const reader = new PduReader({ pData: 1 << 20 });
    reader.push(Buffer.from([0x04, 0, 0xff, 0xff, 0xff, 0xff]));
    expect(reasonOf(() => reader.next())).toBe(ABORT_REASON.invalidPduParameterValue);
  });

  it('refuses a P-DATA-TF longer than the announced maximum', () => {
    const reader = new PduReader({ pData: 4096 });
    const pdu = encodePdu({
      type: 'p-data',
      pdvs: [{ contextId: 1, command: false, last: true, value: Buffer.alloc(4091) }],
    });
    reader.push(pdu.subarray(0, 6));
    expect(() => reader.next()).toThrow(/4097 bytes, more than the 4096 accepted/);
  });

  it('refuses unknown PDU types and release PDUs of the wrong length', () => {
    const reader = new PduReader({ pData: 4096 });
    reader.push(Buffer.from('GET / HTTP/1.1\r\n'));
    expect(reasonOf(() => reader.next())).toBe(ABORT_REASON.unrecognizedPdu);
    const r2 = new PduReader({ pData: 4096 });
    r2.push(Buffer.from([0x05, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0]));
    expect(() => r2.next()).toThrow(PduError);
  });

  it('refuses malformed bodies: overrunning items, bad PDV lengths, even context IDs', () => {
    expect(() => decodePdu(0x04, Buffer.from([0, 0, 0, 9, 1, 3, 0]))).toThrow(/does not fit/);
    expect(() => decodePdu(0x04, Buffer.from([0, 0, 0, 1, 1]))).toThrow(PduError);
    expect(() => decodePdu(0x04, Buffer.alloc(0))).toThrow(/without a PDV/);
    const rq = encodePdu(makeRq()).subarray(6);
    expect(() => decodePdu(0x01, rq.subarray(0, 40))).toThrow(/68 fixed bytes/);
    expect(() => decodePdu(0x01, rq.subarray(0, rq.length - 3))).toThrow(/overruns/);
    const even = encodePdu(
      makeRq({ contexts: [{ id: 2, abstractSyntax: '1.2', transferSyntaxes: ['1.2'] }] }),
    );
    expect(() => decodePdu(0x01, even.subarray(6))).toThrow(/odd and unique/);
  });
});
