import { isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { TesseraError } from './errors.js';
import { spkiPin } from './keys.js';

/** The options undici passes to a custom connector (the subset we use). */
export interface ConnectorOptions {
  hostname: string;
  port: string | number;
  servername?: string | null;
}
/** Called once: with the socket when the pin matched, or with the error (the shape undici expects). */
export type ConnectorCallback = (...args: [null, TLSSocket] | [Error, null]) => void;

/** The pin of the certificate a TLS socket's peer presented. */
export function peerPin(socket: TLSSocket): string | null {
  const cert = socket.getPeerX509Certificate();
  if (cert === undefined) return null;
  return spkiPin(cert.publicKey.export({ type: 'spki', format: 'der' }));
}

/**
 * A connector for undici's `Agent({ connect })` that trusts exactly one server key: the one whose
 * SPKI SHA-256 equals `pin` (DESIGN "Transport"). The certificate chain is not used, so a
 * self-signed hub certificate works, and a CA-issued one does not help an impostor. The socket
 * is handed to the HTTP client only after the pin matched, so no request byte (and no API key)
 * reaches a server with another key.
 */
export function pinnedConnector(
  pin: string,
): (opts: ConnectorOptions, cb: ConnectorCallback) => void {
  return (opts, cb) => {
    const host = opts.hostname.replace(/^\[|\]$/g, '');
    const servername = opts.servername ?? (isIP(host) === 0 ? host : undefined);
    const socket = tlsConnect({
      host,
      port: Number(opts.port),
      ...(servername === undefined ? {} : { servername }),
      // The chain is deliberately not checked: the pin below is the trust anchor.
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    let done = false;
    const finish = (...args: [null, TLSSocket] | [Error, null]): void => {
      if (done) return;
      done = true;
      cb(...args);
    };
    socket.once('secureConnect', () => {
      const got = peerPin(socket);
      if (got !== pin) {
        socket.destroy();
        finish(
          new TesseraError(
            'PIN_MISMATCH',
            `the server's TLS key does not match the pinned fingerprint`,
            {
              details: { expected: pin, got },
            },
          ),
          null,
        );
        return;
      }
      finish(null, socket);
    });
    socket.once('error', (err: Error) => {
      finish(err, null);
    });
  };
}
