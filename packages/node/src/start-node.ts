import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TesseraError } from '@tessera/protocol';
import type { Logger } from 'pino';
import { createCataloguePublisher } from './catalogue/publisher.js';
import { startConsole } from './console.js';
import { DEFAULT_MULTIPART_LIMITS } from './dicom/ingest/multipart.js';
import { createDicomStore, type DicomStore } from './dicom/ingest/store.js';
import { startDicomServer, type DicomServer } from './dicom/net/server.js';
import { createExecutor } from './exec/executor.js';
import { createHubClient } from './hub/hub-client.js';
import { deliverResult, runNodeLoop } from './hub/node-loop.js';
import { createNodeLogger } from './logger.js';
import { nodeStatus } from './status.js';
import { writeFileAtomic } from './store/atomic-file.js';
import { nodePaths } from './store/layout.js';
import {
  dicomConfigOf,
  loadApiKey,
  loadNodeConfig,
  loadPartyKeys,
  type DicomConfig,
} from './store/node-config.js';
import { createTaskRunner, type TaskRunner } from './task/task-runner.js';

export interface RunningNode {
  /** http://127.0.0.1:<port> of the console. */
  readonly consoleUrl: string;
  /**
   * Settles when the node stops: resolves after close(), rejects when the node stopped itself
   * (the hub named another trust, its keys or TLS pin changed). The CLI exits non-zero on it.
   */
  readonly done: Promise<void>;
  /** The port of the DICOM receiver, or null when node.json configures none. */
  readonly dicomPort: number | null;
  /** Stops polling, waits briefly for running steps, closes the receiver and the console. */
  close(): Promise<void>;
}

export interface StartNodeOptions {
  dir: string;
  /** Defaults to JSON on stdout. */
  logger?: Logger;
  /** The compiled step worker (defaults to the sibling of the executor). */
  workerUrl?: URL;
  stepTimeoutMs?: number;
  stepMemoryMb?: number;
  /** How often the catalogue's inputs are checked for a change (default 2 s). */
  catalogueCheckMs?: number;
}

/**
 * Runs a node: console on 127.0.0.1 (with STOW-RS), the DICOM receiver when node.json gives it
 * a port, enrolment, the outbound long-poll loop, the executor. Writes the console URL to
 * `<dir>/run/console.url`.
 *
 * @throws TesseraError NOT_FOUND when `dir` holds no node, BAD_REQUEST when its files are
 *   invalid; the error of listen() when the console port is taken.
 */
export async function startNode(o: StartNodeOptions): Promise<RunningNode> {
  const paths = nodePaths(o.dir);
  const config = await loadNodeConfig(paths);
  const [apiKey, keys] = await Promise.all([loadApiKey(paths), loadPartyKeys(paths)]);
  const logger = o.logger ?? createNodeLogger(config.name);
  let loopState: Record<string, unknown> = { enrolled: false, lastPollAt: null, lastError: null };
  const dicom = dicomConfigOf(config);
  // The receiver's and the uploads' temp files are the running node's own: left over from a
  // crash, they are removed (imports by other processes use the store's folder, not these).
  const rxTmp = join(paths.dicom.tmp, 'rx');
  const stowTmp = join(paths.dicom.tmp, 'stow');
  await Promise.all([rxTmp, stowTmp].map((d) => rm(d, { recursive: true, force: true })));
  await mkdir(stowTmp, { recursive: true, mode: 0o700 });
  const store = await createDicomStore({ paths, logger });
  // The imaging dataset is brought up to date (and to the current schema, e.g. its identifier
  // columns) before any task can read it: the poll loop starts only after this.
  await store.flush(true).catch((e: unknown) => {
    logger.warn({ errName: e instanceof Error ? e.name : typeof e }, 'imaging dataset not rebuilt');
  });
  const receiver = await startReceiver(dicom, rxTmp, store, logger).catch(async (e: unknown) => {
    await store.close();
    throw e;
  });
  const consoleServer = await startConsole({
    port: config.consolePort,
    logger,
    status: async () => ({ ...(await nodeStatus(o.dir)), connection: loopState }),
    stow: {
      store,
      tmpDir: stowTmp,
      logger,
      limits: { ...DEFAULT_MULTIPART_LIMITS, maxBodyBytes: dicom.maxUploadBytes },
    },
  }).catch(async (e: unknown) => {
    await receiver?.close();
    await store.close();
    throw e;
  });
  await writeFileAtomic(paths.consoleUrl, `${consoleServer.url}\n`, 0o644);
  const client = createHubClient({ hubUrl: config.hubUrl, pin: config.pin, apiKey });
  const executor = createExecutor({
    logger,
    ...(o.workerUrl === undefined ? {} : { workerUrl: o.workerUrl }),
    ...(o.stepTimeoutMs === undefined ? {} : { timeoutMs: o.stepTimeoutMs }),
    ...(o.stepMemoryMb === undefined ? {} : { memoryMb: o.stepMemoryMb }),
  });
  const polling = new AbortController();
  const stopping = new AbortController();
  const catalogue = createCataloguePublisher({
    paths,
    trust: config.name,
    client,
    signPrivate: keys.signPrivate,
    logger,
    signal: polling.signal,
    ...(o.catalogueCheckMs === undefined ? {} : { checkMs: o.catalogueCheckMs }),
  });
  let runner: TaskRunner | null = null;
  let settle!: { resolve: () => void; reject: (e: Error) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined); // the CLI awaits it; an unobserved fatal must not crash a test
  let shutdown: Promise<void> | null = null;

  const stop = (fatal: TesseraError | null): Promise<void> => {
    shutdown ??= (async () => {
      polling.abort();
      await loop.catch(() => undefined);
      await catalogue.stopped();
      await executor.close(fatal === null ? 5_000 : 0);
      if (runner !== null && fatal === null) await Promise.race([runner.idle(), delay(2_000)]);
      stopping.abort();
      await client.close().catch(() => undefined);
      await receiver?.close();
      await consoleServer.close();
      await store.close();
      await rm(paths.consoleUrl, { force: true });
      logger.info({ fatal: fatal?.code ?? null }, 'node stopped');
      if (fatal === null) settle.resolve();
      else settle.reject(fatal);
    })();
    return shutdown;
  };
  const fatal = (e: TesseraError): void => {
    logger.error({ code: e.code, msg: e.message }, 'node stopping');
    void stop(e);
  };
  const loop = runNodeLoop({
    paths,
    config,
    client,
    keys,
    logger,
    signal: polling.signal,
    fatal,
    onEnrolled: () => {
      catalogue.onEnrolled();
    },
    onState: (s) => {
      loopState = s;
    },
    makeRunner: (me) => {
      runner = createTaskRunner({
        paths,
        me,
        executor,
        logger,
        ...(o.stepTimeoutMs === undefined ? {} : { stepTimeoutMs: o.stepTimeoutMs }),
        deliver: (s) => deliverResult({ client, logger, signal: stopping.signal, fatal }, s),
      });
      return runner;
    },
  });
  return {
    consoleUrl: consoleServer.url,
    dicomPort: receiver?.port ?? null,
    done,
    close: () => stop(null),
  };
}

/**
 * Starts the C-STORE receiver when node.json gives it a port (issue 7); TLS files are read now.
 * @throws TesseraError BAD_REQUEST for invalid options; the error of listen() or of a TLS file.
 */
async function startReceiver(
  dicom: DicomConfig,
  tmpDir: string,
  store: DicomStore,
  logger: Logger,
): Promise<DicomServer | null> {
  if (dicom.port === undefined) return null;
  const tls =
    dicom.tls === undefined
      ? undefined
      : {
          key: await readFile(dicom.tls.key),
          cert: await readFile(dicom.tls.cert),
          ...(dicom.tls.ca === undefined ? {} : { ca: await readFile(dicom.tls.ca) }),
          requireClientCert: dicom.tls.requireClientCert,
        };
  return startDicomServer({
    port: dicom.port,
    host: dicom.host,
    aeTitle: dicom.aeTitle,
    allow: dicom.allow,
    maxAssociations: dicom.maxAssociations,
    maxInstanceBytes: dicom.maxInstanceBytes,
    tmpDir,
    logger,
    onStore: store.storeInstance,
    ...(tls === undefined ? {} : { tls }),
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
