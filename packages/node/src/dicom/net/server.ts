/*
 * The node's DICOM receiver (issue 7): a Verification and Storage SCP on TCP or DICOM TLS
 * (PS3.15 B.1), deny by default, streaming every instance to a temporary file and handing it to
 * the store, which decides the C-STORE status.
 */
import { mkdir } from 'node:fs/promises';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { TesseraError } from '@tessera/protocol';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { StoreInstance } from '../contracts.js';
import { ScpAssociation, type ScpSettings } from './scp-association.js';

/** DICOM TLS for the receiver; with `requireClientCert` peers must present a certificate `ca` signed. */
export interface DicomServerTls {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  /** CA certificate(s) that client certificates must chain to. */
  readonly ca?: string | Buffer;
  readonly requireClientCert?: boolean;
}

/** Options of {@link startDicomServer}. */
export interface DicomServerOptions {
  /** TCP port; default 11112 (the registered DICOM port), 0 for an ephemeral one. */
  readonly port?: number;
  /**
   * Address to listen on; default '0.0.0.0', because modalities and PACS reach the receiver
   * over the hospital network. The allow-list, not the address, keeps strangers out.
   */
  readonly host?: string;
  /** The receiver's AE title; an A-ASSOCIATE-RQ must call exactly this one. */
  readonly aeTitle: string;
  /** Calling AE titles allowed to associate; empty refuses everyone. */
  readonly allow: readonly string[];
  readonly tls?: DicomServerTls;
  /** Associations served at once; more are rejected as transient (local limit exceeded). Default 16. */
  readonly maxAssociations?: number;
  /** Largest data set accepted per instance; larger ones are answered 0xA700. Default 2 GiB. */
  readonly maxInstanceBytes?: number;
  /** Maximum P-DATA-TF length announced and accepted. Default 1 MiB. */
  readonly maxPduLength?: number;
  /** ARTIM timeout (PS3.8 9.1.5). Default 30 s. */
  readonly artimTimeoutMs?: number;
  /** An association with no incoming byte for this long is aborted. Default 120 s. */
  readonly idleTimeoutMs?: number;
  /** Folder for received instances (created, mode 0700); the store moves files out of it. */
  readonly tmpDir: string;
  /** Logs AE titles, addresses, statuses and sizes; never a value from a dataset. */
  readonly logger: Logger;
  readonly onStore: StoreInstance;
}

/** A running receiver. */
export interface DicomServer {
  /** The port listened on (the ephemeral one when 0 was asked). */
  readonly port: number;
  /** Stops listening, aborts open associations and waits until their work has settled. */
  close(): Promise<void>;
}

// AE titles: 1–16 characters of the default repertoire, no backslash or control character
// (PS3.5 6.2, VR AE); leading and trailing spaces are not significant.
const aeTitle = z
  .string()
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, 'an AE title must not be empty')
      .max(16, 'an AE title has at most 16 characters')
      .regex(
        /^[\x20-\x5b\x5d-\x7e]+$/,
        'an AE title may not hold a backslash or control character',
      ),
  );

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(11112),
  host: z.string().min(1).default('0.0.0.0'),
  aeTitle,
  allow: z.array(aeTitle),
  maxAssociations: z.number().int().min(1).max(1024).default(16),
  maxInstanceBytes: z
    .number()
    .int()
    .min(1)
    .default(2 * 1024 ** 3),
  maxPduLength: z
    .number()
    .int()
    .min(4096)
    .max(16 * 1024 * 1024)
    .default(1024 * 1024),
  artimTimeoutMs: z.number().int().min(1).default(30_000),
  idleTimeoutMs: z.number().int().min(1).default(120_000),
  tmpDir: z.string().min(1),
});

/**
 * Starts the DICOM receiver and resolves once it listens.
 * @throws TesseraError BAD_REQUEST when an option is invalid (every problem listed); the error of
 *   listen() when the port is taken.
 */
export async function startDicomServer(opts: DicomServerOptions): Promise<DicomServer> {
  const parsed = optionsSchema.safeParse(opts);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new TesseraError('BAD_REQUEST', `invalid DICOM receiver options: ${problems.join('; ')}`);
  }
  const o = parsed.data;
  await mkdir(o.tmpDir, { recursive: true, mode: 0o700 });
  const settings: ScpSettings = {
    policy: { aeTitle: o.aeTitle, allow: new Set(o.allow) },
    maxPduLength: o.maxPduLength,
    maxInstanceBytes: o.maxInstanceBytes,
    tmpDir: o.tmpDir,
    artimMs: o.artimTimeoutMs,
    idleMs: o.idleTimeoutMs,
  };
  const logger = opts.logger.child({ component: 'dicom-scp' });
  const live = new Set<ScpAssociation>();
  let inUse = 0;
  let nextId = 1;
  const onSocket = (socket: Socket): void => {
    const a = new ScpAssociation(
      socket,
      {
        settings,
        logger,
        onStore: opts.onStore,
        acquireSlot: () => {
          if (inUse >= o.maxAssociations) return false;
          inUse++;
          return true;
        },
        releaseSlot: () => {
          inUse--;
        },
      },
      nextId++,
    );
    live.add(a);
    void a.done.then(() => live.delete(a));
  };
  const server = makeServer(opts.tls, settings.artimMs, onSocket, logger);
  // Sockets still negotiating or being refused also cost memory: cap them too.
  server.maxConnections = o.maxAssociations * 2 + 8;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After listen, an accept error (e.g. EMFILE) must not crash the node: log it and go on.
  server.on('error', (e: NodeJS.ErrnoException) => {
    logger.error({ code: e.code }, 'DICOM receiver socket error');
  });
  const port = (server.address() as AddressInfo).port;
  logger.info(
    {
      port,
      host: o.host,
      aeTitle: o.aeTitle,
      tls: opts.tls !== undefined,
      allowed: o.allow.length,
    },
    'DICOM receiver listening',
  );
  return {
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      for (const a of live) a.abort();
      await Promise.all([...live].map((a) => a.done));
      await closed;
      logger.info({ port }, 'DICOM receiver stopped');
    },
  };
}

function makeServer(
  tls: DicomServerTls | undefined,
  handshakeTimeout: number,
  onSocket: (s: Socket) => void,
  logger: Logger,
): Server {
  if (tls === undefined) return createTcpServer(onSocket);
  const requireCert = tls.requireClientCert === true;
  const server = createTlsServer(
    {
      key: tls.key,
      cert: tls.cert,
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      requestCert: requireCert,
      rejectUnauthorized: requireCert,
      // BCP 195, which the DICOM TLS profiles of PS3.15 B.9 follow: TLS 1.2 or later.
      minVersion: 'TLSv1.2',
      handshakeTimeout,
    },
    onSocket,
  );
  server.on('tlsClientError', (e: NodeJS.ErrnoException, socket) => {
    logger.warn(
      { peer: `${socket.remoteAddress ?? '?'}:${String(socket.remotePort ?? 0)}`, code: e.code },
      'TLS handshake refused',
    );
  });
  return server;
}
