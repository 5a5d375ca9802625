import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { getAlgorithm } from '@tessera/algorithms';
import type { ChainVerdict } from '@tessera/protocol';
import { createHub } from './app.js';
import { verifyAudit } from './audit/audit-log.js';
import { loadHubConfig } from './config.js';
import { hubPaths } from './hub-dir.js';
import { hubUrl } from './hub-url.js';
import { readHubKeys } from './keys-files.js';
import { createLogger } from './logging.js';
import { openHubDb } from './storage/open-db.js';
import { openPgliteDb } from './storage/pglite-db.js';
import { openPostgresDb } from './storage/pg-db.js';
import { acquireRunLock } from './run-lock.js';
import { certPin } from './tls.js';

export interface RunningHub {
  readonly url: string;
  readonly pin: string;
  /** Drains long-polls, closes the server, then the database. */
  close(): Promise<void>;
}

/**
 * Runs the hub in `dir` over HTTPS until close(): loads and validates hub.json, keys and TLS
 * files, opens and migrates the database, resumes unfinished jobs, listens (an ephemeral port when
 * the configured port is 0) and writes the actual URL to `<dir>/run/hub.url`.
 * @throws TesseraError BAD_REQUEST for a missing or invalid configuration; the driver's or the
 *   socket's error when the database or the port cannot be opened.
 */
export async function startHub(o: { dir: string }): Promise<RunningHub> {
  const config = loadHubConfig(o.dir);
  const paths = hubPaths(o.dir);
  const logger = createLogger({ level: config.logLevel });
  const keys = readHubKeys(o.dir);
  const cert = await readFile(config.tlsCertPath, 'utf8');
  const key = await readFile(config.tlsKeyPath, 'utf8');
  await mkdir(paths.runDir, { recursive: true, mode: 0o700 });
  const release = acquireRunLock(paths.pid);
  let db;
  try {
    db = await openHubDb({ databaseUrl: config.databaseUrl, pgliteDir: paths.db });
  } catch (e) {
    release();
    throw e;
  }
  let hub;
  try {
    hub = await createHub({
      config: config.settings,
      db,
      logger,
      keys,
      algorithms: { get: getAlgorithm },
      https: { key, cert },
    });
    await hub.app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await hub?.close();
    await db.close();
    release();
    throw e;
  }
  const port = (hub.app.server.address() as AddressInfo).port;
  const url = hubUrl(config.host, port);
  await writeFile(paths.url, `${url}\n`, { mode: 0o644 });
  logger.info({ port }, 'hub listening');
  const h = hub;
  let closing: Promise<void> | undefined;
  return {
    url,
    pin: certPin(cert),
    close() {
      closing ??= (async () => {
        await h.close();
        await db.close();
        await rm(paths.url, { force: true });
        release();
        logger.info('hub stopped');
      })();
      return closing;
    },
  };
}

/**
 * Verifies the audit chain of the hub in `dir` (`tessera audit verify`). The embedded database
 * is verified on a copy, so this never writes to a hub's folder, running or not (PGlite allows one
 * process per folder; a running hub's copy is recovered from its write-ahead log).
 * @throws TesseraError BAD_REQUEST when `dir` holds no hub; the driver's error otherwise.
 */
export async function verifyHubAudit(dir: string): Promise<ChainVerdict> {
  const config = loadHubConfig(dir);
  if (config.databaseUrl !== null) {
    const db = await openPostgresDb(config.databaseUrl, 1);
    try {
      return await verifyAudit(db);
    } finally {
      await db.close();
    }
  }
  const copy = await mkdtemp(join(tmpdir(), 'tessera-audit-'));
  try {
    await cp(hubPaths(dir).db, join(copy, 'db'), { recursive: true });
    const db = await openPgliteDb(join(copy, 'db'));
    try {
      return await verifyAudit(db);
    } finally {
      await db.close();
    }
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}
