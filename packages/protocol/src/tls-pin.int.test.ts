import { webcrypto, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { Agent, request } from 'undici';
import type * as X509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TesseraError } from './errors.js';
import { spkiPin } from './keys.js';
import { pinnedConnector } from './tls-pin.js';

/*
 * The pin connector against a real TLS server on port 0 with a self-signed certificate made here.
 * The server records every byte it receives, so "nothing is sent to a server with another key"
 * is checked on the wire, not assumed.
 */

type X509Module = typeof X509;

interface TestServer {
  server: Server;
  sockets: Set<TLSSocket>;
  /** TCP connections accepted: proves the client reached the server when no byte arrived. */
  connections: { count: number };
  port: number;
  pin: string;
  received: Buffer[];
}

/**
 * @peculiar/x509 loads tsyringe, which insists on a Reflect metadata polyfill at import time.
 * It uses three functions of it; a WeakMap-backed shim of those avoids a dependency on
 * reflect-metadata for one test.
 */
async function loadX509(): Promise<X509Module> {
  const store = new WeakMap<object, Map<unknown, unknown>>();
  const r = Reflect as unknown as Record<string, unknown>;
  const get = (key: unknown, target: object): unknown => store.get(target)?.get(key);
  r.getMetadata ??= get;
  r.getOwnMetadata ??= get;
  r.defineMetadata ??= (key: unknown, value: unknown, target: object): void => {
    const m = store.get(target) ?? new Map<unknown, unknown>();
    m.set(key, value);
    store.set(target, m);
  };
  return import('@peculiar/x509');
}

async function makeCertificate(): Promise<{ cert: string; key: string }> {
  const x509 = await loadX509();
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=127.0.0.1',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: alg,
    keys,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64')}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem'), key };
}

async function startServer(): Promise<TestServer> {
  const { cert, key } = await makeCertificate();
  const received: Buffer[] = [];
  const sockets = new Set<TLSSocket>();
  const connections = { count: 0 };
  const server = createServer({ cert, key, ALPNProtocols: ['http/1.1'] }, (socket: TLSSocket) => {
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      if (Buffer.concat(received).includes('\r\n\r\n')) {
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
      }
    });
    socket.on('error', () => {
      // A client that drops the connection after the handshake (a pin mismatch) is expected.
    });
  });
  // Counted at TCP accept: a client that drops right after its side of the TLS handshake may
  // never complete the server's side, so the secure-connection callback is not a reliable count.
  server.on('connection', () => {
    connections.count++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pin = spkiPin(new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' }));
  return {
    server,
    sockets,
    connections,
    port: (server.address() as AddressInfo).port,
    pin,
    received,
  };
}

async function closeServer(s: TestServer): Promise<void> {
  for (const socket of s.sockets) socket.destroy();
  await new Promise((r) => s.server.close(r));
}

function connectWith(pin: string, port: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    pinnedConnector(pin)({ hostname: '127.0.0.1', port }, (...args) => {
      if (args[0] === null) resolve(args[1]);
      else reject(args[0]);
    });
  });
}

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('pinnedConnector', () => {
  let srv: TestServer;
  let impostor: TestServer;

  beforeAll(async () => {
    srv = await startServer();
    impostor = await startServer();
  });

  afterAll(async () => {
    for (const s of [srv, impostor]) await closeServer(s);
  });

  it('connects when the pin matches and hands over a usable socket', async () => {
    const socket = await connectWith(srv.pin, srv.port);
    // peerPin is read in the connector at secureConnect; Node may release the peer certificate
    // after the TLS 1.3 session tickets arrive, so it is not read again here.
    socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (c: Buffer) => (text += c.toString()));
      socket.on('end', () => {
        resolve(text);
      });
    });
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it('refuses a server with another key with PIN_MISMATCH', async () => {
    const err = await connectWith(srv.pin, impostor.port).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TesseraError);
    expect((err as TesseraError).code).toBe('PIN_MISMATCH');
    expect((err as TesseraError).details).toEqual({ expected: srv.pin, got: impostor.pin });
  });

  it('serves an undici request with the right pin, and sends no byte to an impostor', async () => {
    const good = new Agent({ connect: pinnedConnector(srv.pin) });
    const res = await request(`https://127.0.0.1:${srv.port}/api/v1/node/poll`, {
      method: 'POST',
      headers: { authorization: 'Bearer tsk_secretsecret_KEY' },
      body: '{}',
      dispatcher: good,
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('ok');
    await good.close();

    impostor.received.length = 0;
    const connectionsBefore = impostor.connections.count;
    const bad = new Agent({ connect: pinnedConnector(srv.pin) });
    const err = await request(`https://127.0.0.1:${impostor.port}/api/v1/node/poll`, {
      method: 'POST',
      headers: { authorization: 'Bearer tsk_secretsecret_KEY' },
      body: '{}',
      dispatcher: bad,
    }).catch((e: unknown) => e);
    expect((err as TesseraError).code).toBe('PIN_MISMATCH');
    await settle(100);
    // The client reached the server, but not one application byte (no request, no API key) did.
    expect(impostor.connections.count).toBeGreaterThan(connectionsBefore);
    expect(Buffer.concat(impostor.received).length).toBe(0);
    await bad.close();
  });

  it('reports a refused connection as an error, not a socket', async () => {
    const closed = await startServer();
    await closeServer(closed);
    const err = await connectWith(closed.pin, closed.port).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });
});
