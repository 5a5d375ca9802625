import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TesseraError } from '@tessera/protocol';
import type { Logger } from 'pino';

export interface NodeConsole {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The node's console (DESIGN "Node": listens on 127.0.0.1 only, the node's one listening socket).
 * GET /health and GET /status for now; `status` must never return a secret.
 *
 * @throws when the port is taken.
 */
export async function startConsole(o: {
  port: number;
  status: () => Promise<unknown>;
  logger: Logger;
}): Promise<NodeConsole> {
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
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: o.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
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
