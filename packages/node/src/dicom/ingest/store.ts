import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { cachedFile } from '../../store/cached-file.js';
import { NODE_AUDIT_ACTIONS, createAuditLog, type AuditLog } from '../../store/audit-log.js';
import type { NodePaths } from '../../store/layout.js';
import { dicomConfigOf, loadNodeConfig, type DicomConfig } from '../../store/node-config.js';
import {
  DIMSE_STATUS,
  type DicomSource,
  type StoreInstance,
  type StoreOutcome,
} from '../contracts.js';
import { createCommitter } from './committer.js';
import { createDatasetUpdater, type DatasetUpdater } from './dataset-updater.js';
import { loadDicomKeys, type DicomKeys } from './keys.js';
import { keyedDeidentifier, type Deidentify, type Expected } from './process.js';
import {
  inThreadProcessor,
  type ProcessJob,
  type ProcessResult,
  type Processor,
} from './process-job.js';
import { createProcessPool } from './process-pool.js';
import type { InstanceKey } from './record.js';
import { sourceFields, vaultFolder, type VaultEntry, type VaultFolder } from './vault-folder.js';

/*
 * The node's imaging store (issue 7): every instance, whether received by C-STORE, uploaded by
 * STOW-RS or imported from a folder or zip, goes through `ingest`: parse → de-identify → held
 * when flagged with burned-in annotation (unless allowed) → written under a path made of its
 * remapped UIDs → indexed. What cannot be parsed or de-identified is quarantined, encrypted.
 * Nothing identifying is logged: logs and the audit name sources, sizes, statuses and reasons.
 */

/** What happened to one input. */
export type IngestOutcome =
  | (StoreOutcome & { readonly result: 'stored' | 'duplicate'; readonly key: InstanceKey })
  | (StoreOutcome & { readonly result: 'held'; readonly key: InstanceKey; readonly id: string })
  | (StoreOutcome & {
      readonly result: 'quarantined';
      readonly id: string;
      readonly reason: string;
    })
  /** Not taken, nothing kept (an import file over the size limit stays where it is). */
  | {
      readonly result: 'refused';
      readonly status: number;
      readonly comment: string;
      readonly reason: string;
    };

export interface IngestOptions {
  /** The input is a bare dataset in this transfer syntax (C-STORE); else a Part 10 file. */
  readonly transferSyntax?: string;
  /** UIDs the dataset must carry (the C-STORE request's). */
  readonly expected?: Expected;
}

export interface DicomStore {
  /** Ingests the file `file` (left in place: the caller removes its own temp files). Never throws. */
  ingest(file: string, source: DicomSource, o?: IngestOptions): Promise<IngestOutcome>;
  /** For the receiver: ingests and removes the received temp file. */
  readonly storeInstance: StoreInstance;
  readonly quarantine: VaultFolder;
  readonly held: VaultFolder;
  /**
   * Decrypts a quarantined input and ingests it again with the current policy; on success the
   * quarantine entry is removed, on failure it stays (with its new reason returned).
   * @throws TesseraError NOT_FOUND for an unknown id.
   */
  retry(id: string): Promise<IngestOutcome>;
  /**
   * Stores a held (already de-identified) image and removes it from the held folder.
   * @throws TesseraError NOT_FOUND for an unknown id.
   */
  release(id: string): Promise<IngestOutcome>;
  /**
   * Brings the audit's stored counts and the imaging dataset up to date now; `force` rebuilds
   * the dataset even when this process stored nothing (another process may have).
   */
  flush(force?: boolean): Promise<void>;
  /** Waits for running work, flushes, stops the timer. */
  close(): Promise<void>;
}

export interface DicomStoreOptions {
  readonly paths: NodePaths;
  readonly logger: Logger;
  /**
   * Default: the PS3.15 de-identifier with the node's keys, in worker threads. A de-identifier
   * given here runs on this thread instead (a function cannot be sent to a worker).
   */
  readonly deidentify?: (keys: DicomKeys) => Deidentify;
  /** The dicom section of node.json, re-read when the file changes (policy edits apply at once). */
  readonly config?: () => Promise<DicomConfig>;
  /**
   * Worker threads reading, parsing, de-identifying, encoding and writing instances (default:
   * available parallelism, at least 1); 0 runs that on this thread with blocking system calls,
   * `concurrency` at once (for tests).
   */
  readonly workers?: number;
  /** The compiled process-worker.js (default: beside this module, or in dist from sources). */
  readonly workerUrl?: URL;
  /** Instances processed at once on this thread when there are no workers (default 2). */
  readonly concurrency?: number;
  /** Quiet time before the imaging dataset is rebuilt after an ingest (default 2 s). */
  readonly datasetDebounceMs?: number;
  readonly actor?: 'operator' | 'system';
  readonly now?: () => Date;
}

/** Builds the store of the node at `paths` (loading or creating its DICOM key). */
export async function createDicomStore(o: DicomStoreOptions): Promise<DicomStore> {
  const { paths, logger } = o;
  const keys = await loadDicomKeys(paths);
  const configFile = cachedFile(paths.config, async () =>
    dicomConfigOf(await loadNodeConfig(paths)),
  );
  const config = o.config ?? (() => configFile.get());
  const now = o.now ?? (() => new Date());
  const audit = createAuditLog(paths);
  const actor = o.actor ?? 'system';
  const committer = createCommitter(paths);
  const quarantine = vaultFolder('quarantine', paths.dicom.quarantine, keys.vaultKey);
  const held = vaultFolder('held', paths.dicom.held, keys.vaultKey);
  const updater: DatasetUpdater = createDatasetUpdater({
    paths,
    logger,
    audit,
    actor,
    dataset: async () => (await config()).dataset,
    debounceMs: o.datasetDebounceMs ?? 2000,
  });
  await mkdir(paths.dicom.tmp, { recursive: true, mode: 0o700 });
  const processor = createProcessor(o, keys);
  // The store is ready when its workers are: the first instances do not wait for them to load.
  await processor.ready();
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };

  const toQuarantine = async (
    file: string,
    source: DicomSource,
    reason: string,
    status: number,
    o2: IngestOptions,
  ): Promise<IngestOutcome> => {
    const entry = await quarantine.put(file, {
      reason,
      receivedAt: now().toISOString(),
      source: sourceFields(source),
      format: o2.transferSyntax === undefined ? 'part10' : 'dataset',
      ...(o2.transferSyntax === undefined ? {} : { transferSyntax: o2.transferSyntax }),
    });
    await auditVault(audit, actor, NODE_AUDIT_ACTIONS.dicomQuarantined, entry);
    logger.warn(
      { id: entry.id, source: entry.source, bytes: entry.bytes },
      'dicom instance quarantined',
    );
    return {
      result: 'quarantined',
      status,
      comment: comment(`quarantined: ${reason}`),
      id: entry.id,
      reason,
    };
  };

  const tempFile = (): string => join(paths.dicom.tmp, `in-${randomUUID()}.dcm`);

  /**
   * Runs one job; a file system error is thrown (as by the store's own I/O: see `safely`), and
   * a temp file a stopped worker may have left is removed.
   */
  const run = async (job: ProcessJob): Promise<Exclude<ProcessResult, { kind: 'io-error' }>> => {
    const r = await processor.run(job);
    if (r.kind === 'io-error')
      throw Object.assign(new Error('the store failed'), { name: 'StoreIoError', code: r.code });
    if (r.kind === 'failed' && r.stage === 'worker') await removeFile(job.output);
    return r;
  };

  const ingestNow = async (
    file: string,
    source: DicomSource,
    o2: IngestOptions,
    failTo: 'quarantine' | 'report',
    removeInput = false,
  ): Promise<IngestOutcome> => {
    const cfg = await config();
    const tmp = tempFile();
    const done = await run({
      input: file,
      removeInput,
      maxBytes: cfg.maxInstanceBytes,
      output: tmp,
      storeRoot: paths.dicom.store,
      options: cfg.deid,
      now: now(),
      ...(o2.transferSyntax === undefined ? {} : { transferSyntax: o2.transferSyntax }),
      ...(o2.expected === undefined ? {} : { expected: o2.expected }),
    });
    switch (done.kind) {
      case 'unreadable':
        return {
          result: 'refused',
          status: DIMSE_STATUS.cannotUnderstand,
          comment: comment(done.reason),
          reason: done.reason,
        };
      case 'too-large': {
        const reason = `the instance has ${done.size} bytes, more than the limit of ${cfg.maxInstanceBytes}`;
        if (source.kind === 'import' || failTo === 'report')
          return {
            result: 'refused',
            status: DIMSE_STATUS.outOfResources,
            comment: 'instance too large',
            reason,
          };
        return toQuarantine(file, source, reason, DIMSE_STATUS.outOfResources, o2);
      }
      case 'failed':
        logger.info({ stage: done.stage, source: source.kind }, 'dicom instance not understood');
        if (failTo === 'report')
          return {
            result: 'refused',
            status: done.status,
            comment: comment(done.reason),
            reason: done.reason,
          };
        return toQuarantine(file, source, done.reason, done.status, o2);
      case 'duplicate':
        updater.count(source, 'duplicate');
        return { result: 'duplicate', status: DIMSE_STATUS.success, key: done.key };
      case 'written':
        break;
    }
    if (done.burnedIn && !cfg.deid.allowBurnedIn) {
      try {
        // Sent again while held: the one held copy answers for it.
        const already = (await held.list()).find((e) => e.sop === done.key.sop);
        if (already !== undefined)
          return { result: 'held', status: DIMSE_STATUS.success, key: done.key, id: already.id };
        const entry = await held.put(tmp, {
          reason: 'Burned In Annotation (0028,0301) is YES: held for the operator',
          receivedAt: now().toISOString(),
          source: sourceFields(source),
          format: 'part10',
          study: done.key.study,
          series: done.key.series,
          sop: done.key.sop,
          ...(done.record.modality === null ? {} : { modality: done.record.modality }),
        });
        await auditVault(audit, actor, NODE_AUDIT_ACTIONS.dicomHeld, entry);
        return { result: 'held', status: DIMSE_STATUS.success, key: done.key, id: entry.id };
      } finally {
        await removeFile(tmp);
      }
    }
    const result = await committer.commit({ tmp, record: done.record });
    updater.count(source, result);
    return { result, status: DIMSE_STATUS.success, key: done.key };
  };

  const safely = async (work: () => Promise<IngestOutcome>): Promise<IngestOutcome> => {
    try {
      return await work();
    } catch (e) {
      // Disk full, permissions: nothing could be kept. Only the error's class is logged.
      logger.error(
        { error: e instanceof Error ? e.name : typeof e, code: (e as NodeJS.ErrnoException).code },
        'dicom store failed',
      );
      return {
        result: 'refused',
        status: DIMSE_STATUS.outOfResources,
        comment: 'the store failed',
        reason: `the store failed (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      };
    }
  };

  const store: DicomStore = {
    quarantine,
    held,
    ingest(file, source, o2 = {}) {
      return track(safely(() => ingestNow(file, source, o2, 'quarantine')));
    },
    storeInstance: async (r) => {
      let kept = false;
      try {
        const o2 = {
          transferSyntax: r.transferSyntax,
          expected: { sopClassUid: r.sopClassUid, sopInstanceUid: r.sopInstanceUid },
        };
        // The received file is removed by the worker once the instance is kept.
        const out = await track(safely(() => ingestNow(r.file, r.source, o2, 'quarantine', true)));
        kept = out.result === 'stored' || out.result === 'duplicate' || out.result === 'held';
        // The receiver's contract has no 'refused': nothing was kept, as for a quarantine
        // that failed; the status (out of resources) tells the sender to try again later.
        return {
          status: out.status,
          result: out.result === 'refused' ? 'quarantined' : out.result,
          ...(out.comment === undefined ? {} : { comment: out.comment }),
        };
      } finally {
        if (!kept) await removeFile(r.file);
      }
    },
    async retry(id) {
      const entry = await quarantine.get(id);
      const tmp = join(paths.dicom.tmp, `retry-${randomBytes(8).toString('hex')}`);
      await quarantine.open(id, tmp);
      try {
        const opts =
          entry.transferSyntax === undefined ? {} : { transferSyntax: entry.transferSyntax };
        const out = await track(safely(() => ingestNow(tmp, sourceOf(entry), opts, 'report')));
        if (out.result !== 'refused') await quarantine.remove(id);
        await audit.append({
          action: NODE_AUDIT_ACTIONS.dicomRetried,
          actor: 'operator',
          target: `dicom:quarantine:${id}`,
          details: {
            id,
            result: out.result,
            ...(out.result === 'refused' ? { reason: out.reason } : {}),
          },
        });
        return out;
      } finally {
        await removeFile(tmp);
      }
    },
    async release(id) {
      await held.get(id);
      const tmp = join(paths.dicom.tmp, `release-${randomBytes(8).toString('hex')}`);
      await held.open(id, tmp);
      try {
        const out = await track(safely(() => releaseNow(tmp)));
        if (out.result === 'stored' || out.result === 'duplicate') await held.remove(id);
        await audit.append({
          action: NODE_AUDIT_ACTIONS.dicomReleased,
          actor: 'operator',
          target: `dicom:held:${id}`,
          details: { id, result: out.result },
        });
        return out;
      } finally {
        await removeFile(tmp);
      }
    },
    flush: (force) => updater.flush(force),
    async close() {
      await Promise.allSettled([...inFlight]);
      await updater.close();
      await processor.close();
    },
  };

  // A held file is the de-identifier's own output: it is stored as it is, never de-identified
  // again (that would remap its already remapped UIDs).
  const releaseNow = async (file: string): Promise<IngestOutcome> => {
    const { deid } = await config();
    const tmp = tempFile();
    const done = await run({
      input: file,
      maxBytes: Number.MAX_SAFE_INTEGER,
      output: tmp,
      storeRoot: paths.dicom.store,
      options: deid,
      now: now(),
      asIs: true,
    });
    switch (done.kind) {
      case 'unreadable':
      case 'too-large':
        throw new Error('a decrypted held file is a regular file of no limit');
      case 'failed':
        return {
          result: 'refused',
          status: done.status,
          comment: comment(done.reason),
          reason: done.reason,
        };
      case 'duplicate':
        updater.count({ kind: 'import', entry: 'released' }, 'duplicate');
        return { result: 'duplicate', status: DIMSE_STATUS.success, key: done.key };
      case 'written': {
        const result = await committer.commit({ tmp, record: done.record });
        updater.count({ kind: 'import', entry: 'released' }, result);
        return { result, status: DIMSE_STATUS.success, key: done.key };
      }
    }
  };

  return store;
}

/** Removes a temp file; one already gone is fine. */
async function removeFile(file: string): Promise<void> {
  await unlink(file).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  });
}

/** The node's processor: worker threads, or this thread for a given de-identifier. */
function createProcessor(o: DicomStoreOptions, keys: DicomKeys): Processor {
  if (o.deidentify !== undefined || o.workers === 0)
    return inThreadProcessor((o.deidentify ?? keyedDeidentifier)(keys), o.concurrency ?? 2);
  return createProcessPool({
    keys,
    logger: o.logger,
    ...(o.workers === undefined ? {} : { size: o.workers }),
    ...(o.workerUrl === undefined ? {} : { workerUrl: o.workerUrl }),
  });
}

/** A DIMSE Error Comment: at most 64 characters (PS3.7 C.4.2.1.13). */
function comment(text: string): string {
  return text.length <= 64 ? text : `${text.slice(0, 61)}...`;
}

function sourceOf(e: VaultEntry): DicomSource {
  switch (e.source.kind) {
    case 'c-store':
      return {
        kind: 'c-store',
        callingAe: e.source.callingAe ?? '',
        address: e.source.address ?? '',
      };
    case 'stow-rs':
      return { kind: 'stow-rs', address: e.source.address ?? '' };
    case 'import':
      return { kind: 'import', entry: e.source.entry ?? '' };
  }
}

async function auditVault(
  audit: AuditLog,
  actor: 'operator' | 'system',
  action: (typeof NODE_AUDIT_ACTIONS)['dicomQuarantined' | 'dicomHeld'],
  e: VaultEntry,
): Promise<void> {
  await audit.append({
    action,
    actor,
    target: `dicom:${e.kind}:${e.id}`,
    details: { id: e.id, reason: e.reason, source: e.source, bytes: e.bytes, format: e.format },
  });
}
