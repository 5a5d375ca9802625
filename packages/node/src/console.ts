import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TesseraError } from '@tessera/protocol';
import type { Logger } from 'pino';
import { handleStow, isLocalHost, type StowDeps } from './dicom/ingest/stow.js';

export interface NodeConsole {
  readonly url: string;
  close(): Promise<void>;
}

/** How long one request may take to arrive: STOW-RS uploads of whole studies need minutes. */
const REQUEST_TIMEOUT_MS = 10_000;
const UPLOAD_TIMEOUT_MS = 30 * 60_000;

/**
 * The node's console (DESIGN "Node": listens on 127.0.0.1 only). GET /health, GET /status, and
 * with `stow` the local operator's STOW-RS upload, POST /dicomweb/studies (dicom/ingest/stow.ts);
 * `status` must never return a secret.
 *
 * @throws when the port is taken.
 */
export async function startConsole(o: {
  port: number;
  status: () => Promise<unknown>;
  logger: Logger;
  stow?: StowDeps;
}): Promise<NodeConsole> {
  let boundPort = o.port;
  const server: Server = createServer((req, res) => {
    const send = (code: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(code, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(text);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (o.stow !== undefined && req.method === 'POST' && path === '/dicomweb/studies') {
      if (!isLocalHost(req.headers.host, boundPort)) {
        send(403, new TesseraError('FORBIDDEN', 'the console answers only to 127.0.0.1').toBody());
        return;
      }
      void handleStow(req, res, o.stow);
      return;
    }
    if (req.method !== 'GET') {
      send(405, new TesseraError('BAD_REQUEST', 'only GET').toBody());
      return;
    }
    if (path === '/health') {
      send(200, { status: 'ok' });
      return;
    }
    if (path === '/status') {
      o.status().then(
        (s) => {
          send(200, s);
        },
        () => {
          send(500, new TesseraError('INTERNAL', 'status unavailable').toBody());
        },
      );
      return;
    }
    send(404, new TesseraError('NOT_FOUND', 'no such page').toBody());
  });
  server.requestTimeout = o.stow === undefined ? REQUEST_TIMEOUT_MS : UPLOAD_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: o.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  boundPort = port;
  const url = `http://127.0.0.1:${port}`;
  o.logger.info({ url }, 'console listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
