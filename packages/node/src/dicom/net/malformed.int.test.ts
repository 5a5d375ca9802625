import { once } from 'node:events';
import { mkdir, readdir } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../testing/helpers.js';
import { encodeCommand, decodeCommand, NO_DATA_SET } from './dimse.js';
import { type AssociateRq, type Pdu } from './pdu.js';
import { encodePdu } from './pdu-encode.js';
import { decodePdu } from './pdu-decode.js';
import { PduReader, type RawPdu } from './pdu-reader.js';
import type { DicomServer, DicomServerOptions } from './server.js';
import {
  captureLogger,
  loggedAtLeast,
  runTool,
  startRecordingServer,
  type LogLines,
  type Stored,
} from './test-support.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';

let base: string;
let cleanupBase: () => Promise<void>;
let running: DicomServer | undefined;
let n = 0;
/** Raw connections made since the last setup(). */
let connections = 0;

beforeAll(async () => {
  ({ dir: base, cleanup: cleanupBase } = await makeTempDir());
});
afterAll(() => cleanupBase());
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function setup(overrides: Partial<DicomServerOptions> = {}): Promise<{
  port: number;
  stored: Stored[];
  lines: LogLines;
  tmpDir: string;
}> {
  connections = 0;
  const dir = join(base, `run-${String(++n)}`);
  const tmpDir = join(dir, 'tmp');
  await mkdir(join(dir, 'kept'), { recursive: true });
  const { logger, lines } = captureLogger();
  const { server, stored } = await startRecordingServer({
    tmpDir,
    keptDir: join(dir, 'kept'),
    logger,
    overrides,
  });
  running = server;
  return { port: server.port, stored, lines, tmpDir };
}

/** A raw TCP peer: what it sends is up to the test; what it gets is decoded as PDUs. */
interface Raw {
  readonly socket: Socket;
  /** The next PDU from the server, or 'closed'. */
  next(): Promise<Pdu | 'closed'>;
  /** Resolves with every PDU received once the server closes the connection. */
  closed(): Promise<Pdu[]>;
}

async function rawPeer(port: number): Promise<Raw> {
  connections++;
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  const reader = new PduReader({ pData: 1 << 20 });
  const got: Pdu[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  socket.on('data', (c: Buffer) => {
    reader.push(c);
    for (let r = reader.next(); r !== undefined; r = reader.next())
      got.push(decodePdu(r.type, r.body));
    wake?.();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    ended = true;
    wake?.();
  });
  let taken = 0;
  const waitFor = async (ok: () => boolean): Promise<void> => {
    while (!ok()) await new Promise<void>((r) => (wake = r));
  };
  return {
    socket,
    next: async () => {
      await waitFor(() => got.length > taken || ended);
      return got.length > taken ? got[taken++]! : 'closed';
    },
    closed: async () => {
      await waitFor(() => ended);
      return got;
    },
  };
}

function makeRq(overrides: Partial<AssociateRq> = {}): AssociateRq {
  return {
    type: 'associate-rq',
    protocolVersion: 1,
    calledAe: 'TESSERA',
    callingAe: 'MODALITY',
    applicationContext: '1.2.840.10008.3.1.1.1',
    contexts: [
      { id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: [EXPLICIT] },
      { id: 3, abstractSyntax: CT, transferSyntaxes: [EXPLICIT] },
    ],
    user: { maxPduLength: 16384, implementationClassUid: '1.2.3.4' },
    ...overrides,
  };
}

async function associated(port: number): Promise<Raw> {
  const peer = await rawPeer(port);
  peer.socket.write(encodePdu(makeRq()));
  expect((await peer.next()) as Pdu).toMatchObject({ type: 'associate-ac' });
  return peer;
}

const command = (contextId: number, c: Parameters<typeof encodeCommand>[0]): Buffer =>
  encodePdu({
    type: 'p-data',
    pdvs: [{ contextId, command: true, last: true, value: encodeCommand(c) }],
  });

const data = (contextId: number, value: Buffer, last: boolean): Buffer =>
  encodePdu({ type: 'p-data', pdvs: [{ contextId, command: false, last, value }] });

const storeRq = command(3, {
  commandField: 0x0001,
  messageId: 1,
  affectedSopClassUid: CT,
  affectedSopInstanceUid: '1.2.3.4.5',
  priority: 0,
  dataSetType: 0,
});

/** After the test's abuse: the server still answers echoscu and left no temporary file. */
async function stillServing(s: { port: number; tmpDir: string; lines: LogLines }): Promise<void> {
  // every connection the test made has been closed and cleaned up by the server
  await loggedAtLeast(s.lines, 'association closed', connections);
  const r = await runTool('echoscu', [
    '-aet',
    'MODALITY',
    '-aec',
    'TESSERA',
    '127.0.0.1',
    String(s.port),
  ]);
  expect(r.code).toBe(0);
  expect(await readdir(s.tmpDir)).toEqual([]);
}

describe('DICOM receiver under malformed input', () => {
  it('aborts on bytes that are not DICOM', async () => {
    const s = await setup();
    const peer = await rawPeer(s.port);
    peer.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await peer.closed()).toEqual([{ type: 'abort', source: 2, reason: 1 }]);
    expect(s.lines.some((l) => l.msg === 'protocol error, aborting association')).toBe(true);
    await stillServing(s);
  });

  it('aborts on an absurd PDU length without waiting for the bytes', async () => {
    const s = await setup();
    const before = await rawPeer(s.port);
    before.socket.write(Buffer.from([0x01, 0, 0xff, 0xff, 0xff, 0xf0]));
    expect(await before.closed()).toEqual([{ type: 'abort', source: 2, reason: 6 }]);
    const during = await associated(s.port);
    during.socket.write(storeRq);
    during.socket.write(Buffer.from([0x04, 0, 0x7f, 0xff, 0xff, 0xff, 0, 0]));
    expect((await during.closed()).at(-1)).toEqual({ type: 'abort', source: 2, reason: 6 });
    await stillServing(s);
  });

  it('drops the temporary file when the peer aborts mid-instance', async () => {
    const s = await setup();
    const peer = await associated(s.port);
    peer.socket.write(storeRq);
    peer.socket.write(data(3, Buffer.alloc(50_000, 1), false));
    peer.socket.write(data(3, Buffer.alloc(50_000, 2), false));
    // the partial instance is on disk before the abort
    while ((await readdir(s.tmpDir)).length === 0) await new Promise((r) => setTimeout(r, 10));
    peer.socket.write(encodePdu({ type: 'abort', source: 0, reason: 0 }));
    await peer.closed();
    expect(s.stored).toEqual([]);
    await stillServing(s);
  });

  it('drops the temporary file when the connection ends inside a PDV', async () => {
    const s = await setup();
    const peer = await associated(s.port);
    peer.socket.write(storeRq);
    peer.socket.write(data(3, Buffer.alloc(20_000, 1), false));
    const truncated = data(3, Buffer.alloc(10_000, 3), true).subarray(0, 4_000);
    peer.socket.end(truncated);
    await peer.closed();
    await loggedAtLeast(s.lines, 'association closed');
    expect(s.stored).toEqual([]);
    await stillServing(s);
  });

  it('aborts on a PDV whose length overruns its P-DATA-TF', async () => {
    const s = await setup();
    const peer = await associated(s.port);
    const bad = Buffer.from([0x04, 0, 0, 0, 0, 8, 0, 0, 0, 0x40, 3, 0, 1, 2]);
    peer.socket.write(bad);
    expect((await peer.closed()).at(-1)).toEqual({ type: 'abort', source: 2, reason: 6 });
    await stillServing(s);
  });

  it('aborts on a data fragment no command announced, and on an unaccepted context', async () => {
    const s = await setup();
    const a = await associated(s.port);
    a.socket.write(data(3, Buffer.alloc(10), true));
    expect((await a.closed()).at(-1)).toMatchObject({ type: 'abort', source: 2 });
    const b = await associated(s.port);
    b.socket.write(data(5, Buffer.alloc(10), true));
    expect((await b.closed()).at(-1)).toEqual({ type: 'abort', source: 2, reason: 5 });
    await stillServing(s);
  });

  it('answers an unsupported operation with 0x0211 and keeps the association', async () => {
    const s = await setup();
    const peer = await associated(s.port);
    peer.socket.write(command(1, { commandField: 0x0020, messageId: 9, dataSetType: NO_DATA_SET }));
    const rsp = await peer.next();
    if (rsp === 'closed' || rsp.type !== 'p-data') throw new Error('expected a response');
    expect(decodeCommand(rsp.pdvs[0]!.value)).toMatchObject({
      commandField: 0x8020,
      messageIdBeingRespondedTo: 9,
      status: 0x0211,
    });
    peer.socket.write(
      command(1, { commandField: 0x0030, messageId: 10, dataSetType: NO_DATA_SET }),
    );
    const echo = await peer.next();
    if (echo === 'closed' || echo.type !== 'p-data') throw new Error('expected a response');
    expect(decodeCommand(echo.pdvs[0]!.value)).toMatchObject({ commandField: 0x8030, status: 0 });
    peer.socket.write(encodePdu({ type: 'release-rq' }));
    expect(await peer.next()).toEqual({ type: 'release-rp' });
  });

  it('closes a connection that never asks for an association (ARTIM)', async () => {
    const s = await setup({ artimTimeoutMs: 200 });
    const peer = await rawPeer(s.port);
    expect(await peer.closed()).toEqual([]);
    expect(s.lines.find((l) => l.msg === 'association timed out')).toMatchObject({
      reason: 'no A-ASSOCIATE-RQ in time',
    });
    await stillServing(s);
  });

  it('aborts an association idle for longer than idleTimeoutMs', async () => {
    const s = await setup({ idleTimeoutMs: 200, artimTimeoutMs: 200 });
    const peer = await associated(s.port);
    expect((await peer.closed()).at(-1)).toEqual({ type: 'abort', source: 2, reason: 0 });
    await stillServing(s);
  });

  it('decodes the A-ASSOCIATE-RQ that echoscu sends', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const run = runTool('echoscu', [
      '-aet',
      'ECHOER',
      '-aec',
      'SOMEONE',
      '127.0.0.1',
      String(port),
    ]);
    const [socket] = (await once(server, 'connection')) as [Socket];
    const reader = new PduReader({ pData: 1 << 20 });
    const raw = await new Promise<RawPdu>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        reader.push(chunk);
        const r = reader.next();
        if (r !== undefined) resolve(r);
      });
    });
    socket.destroy();
    server.close();
    expect((await run).code).not.toBe(0);
    expect(decodePdu(raw.type, raw.body)).toMatchObject({
      type: 'associate-rq',
      protocolVersion: 1,
      calledAe: 'SOMEONE',
      callingAe: 'ECHOER',
      applicationContext: '1.2.840.10008.3.1.1.1',
      contexts: [
        {
          id: 1,
          abstractSyntax: '1.2.840.10008.1.1',
          transferSyntaxes: ['1.2.840.10008.1.2'],
        },
      ],
      user: { maxPduLength: 16384, implementationClassUid: '1.2.276.0.7230010.3.0.3.6.7' },
    });
  });
});
