import { describe, expect, it } from 'vitest';
import { cleanComment, decodeCommand, DimseError, encodeCommand, NO_DATA_SET } from './dimse.js';

describe('DIMSE command sets', () => {
  it('encodes a C-ECHO-RSP in Implicit VR LE with its group length (PS3.7 E.1)', () => {
    const b = encodeCommand({
      commandField: 0x8030,
      messageIdBeingRespondedTo: 7,
      affectedSopClassUid: '1.2.840.10008.1.1',
      dataSetType: NO_DATA_SET,
      status: 0,
    });
    const expected = Buffer.concat([
      Buffer.from('0000000004000000', 'hex'), // (0000,0000) UL, 4 bytes
      Buffer.from([b.length - 12, 0, 0, 0]),
      Buffer.from('0000020012000000', 'hex'), // (0000,0002) UI, 18 bytes incl. NUL pad
      Buffer.from('1.2.840.10008.1.1\0', 'latin1'),
      Buffer.from('00000001020000003080', 'hex'), // (0000,0100) US 0x8030
      Buffer.from('00002001020000000700', 'hex'), // (0000,0120) US 7
      Buffer.from('00000008020000000101', 'hex'), // (0000,0800) US 0x0101
      Buffer.from('00000009020000000000', 'hex'), // (0000,0900) US 0
    ]);
    expect(b.toString('hex')).toBe(expected.toString('hex'));
  });

  it('round-trips a C-STORE-RQ and a C-STORE-RSP with an error comment', () => {
    const rq = {
      commandField: 0x0001,
      messageId: 3,
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      affectedSopInstanceUid: '1.2.3.44',
      priority: 0,
      dataSetType: 0,
    };
    expect(decodeCommand(encodeCommand(rq))).toEqual(rq);
    const rsp = { ...rq, commandField: 0x8001, status: 0xc000, errorComment: 'cannot parse' };
    expect(decodeCommand(encodeCommand(rsp))).toEqual(rsp);
  });

  it('keeps an Error Comment within LO: 64 printable characters, no backslash', () => {
    expect(cleanComment('a\\b\nc')).toBe('a?b?c');
    expect(cleanComment('x'.repeat(100))).toHaveLength(64);
  });

  it('refuses elements outside group 0000, overruns and missing mandatory fields', () => {
    const good = encodeCommand({ commandField: 0x30, messageId: 1, dataSetType: NO_DATA_SET });
    const alien = Buffer.from(good);
    alien.writeUInt16LE(0x0008, 0);
    expect(() => decodeCommand(alien)).toThrow(/not in group 0000/);
    expect(() => decodeCommand(good.subarray(0, good.length - 1))).toThrow(/overruns/);
    expect(() => decodeCommand(good.subarray(0, 5))).toThrow(/truncated/);
    const noField = Buffer.from('00000008020000000101', 'hex');
    expect(() => decodeCommand(noField)).toThrow(DimseError);
    const badUs = Buffer.from('0000000103000000300000', 'hex');
    expect(() => decodeCommand(badUs)).toThrow(/not 2 bytes/);
  });
});
