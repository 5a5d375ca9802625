import { createServer } from 'node:net';

/**
 * A TCP port that is free on 127.0.0.1 right now: bind port 0, read the port, close. Another
 * process could take it before it is used; on a demo machine that risk is accepted.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      server.close(() => {
        if (port === 0) reject(new Error('no free port found'));
        else resolve(port);
      });
    });
  });
}
