import { isTesseraError } from '@tessera/protocol';
import type { Logger } from 'pino';
import { NODE_AUDIT_ACTIONS, type AuditLog } from '../../store/audit-log.js';
import type { NodePaths } from '../../store/layout.js';
import type { DicomSource } from '../contracts.js';
import { dicomIndexReader } from './dicom-index.js';
import { materialiseImagingDataset } from './imaging-dataset.js';

/*
 * After instances are stored, the imaging dataset is rebuilt from the index and the audit log
 * records what was stored — both debounced, so a study of 500 instances gives one rebuild and
 * one audit entry per source, not 500. The audit entry carries counts and the calling AE title
 * or source kind, never a UID or value.
 */

export interface DatasetUpdater {
  /** Counts one instance and schedules a flush. */
  count(source: DicomSource, result: 'stored' | 'duplicate'): void;
  /**
   * Audits the counts and rebuilds the dataset now when anything was stored since the last
   * flush, or always with `force` (a rebuild of an unchanged table writes nothing).
   */
  flush(force?: boolean): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

interface Tally {
  source: { kind: DicomSource['kind']; callingAe?: string };
  stored: number;
  duplicates: number;
}

/** The store's dataset updater. */
export function createDatasetUpdater(o: {
  paths: NodePaths;
  logger: Logger;
  audit: AuditLog;
  actor: 'operator' | 'system';
  dataset: () => Promise<string>;
  debounceMs: number;
}): DatasetUpdater {
  const reader = dicomIndexReader(o.paths);
  let tallies = new Map<string, Tally>();
  let dirty = false;
  let timer: NodeJS.Timeout | null = null;
  let firstPendingAt = 0;
  let chain: Promise<void> = Promise.resolve();

  const run = async (force: boolean): Promise<void> => {
    const counts = [...tallies.values()];
    tallies = new Map();
    const rebuild = dirty || force;
    dirty = false;
    for (const t of counts) {
      await o.audit.append({
        action: NODE_AUDIT_ACTIONS.dicomStored,
        actor: o.actor,
        target: `dicom:${t.source.kind}`,
        details: { source: t.source, stored: t.stored, duplicates: t.duplicates },
      });
    }
    if (!rebuild) return;
    const name = await o.dataset();
    const index = await reader.load();
    try {
      const r = await materialiseImagingDataset(o.paths, name, index);
      if (r.changed) {
        await o.audit.append({
          action: NODE_AUDIT_ACTIONS.dicomDatasetUpdated,
          actor: o.actor,
          target: `dataset:${name}`,
          details: { series: r.rows, instances: index.instances.size },
        });
        o.logger.info({ dataset: name, series: r.rows }, 'imaging dataset updated');
      }
    } catch (e) {
      if (isTesseraError(e) && e.code === 'CONFLICT') o.logger.warn({ dataset: name }, e.message);
      else throw e;
    }
  };

  const flush = (force = false): Promise<void> => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    firstPendingAt = 0;
    const next = chain.then(() => run(force));
    chain = next.catch((e: unknown) => {
      o.logger.error(
        { error: e instanceof Error ? e.name : typeof e },
        'imaging dataset update failed',
      );
    });
    return next;
  };

  // Debounced, but never later than 5 debounce periods after the first pending change, so a
  // steady stream of instances still shows up in the dataset.
  const schedule = (): void => {
    const t = Date.now();
    if (firstPendingAt === 0) firstPendingAt = t;
    if (timer !== null) clearTimeout(timer);
    const wait = Math.max(0, Math.min(o.debounceMs, firstPendingAt + 5 * o.debounceMs - t));
    timer = setTimeout(() => {
      void flush().catch(() => undefined);
    }, wait);
    timer.unref();
  };

  return {
    count(source, result) {
      const key = source.kind === 'c-store' ? `c-store:${source.callingAe}` : source.kind;
      const t = tallies.get(key) ?? {
        source:
          source.kind === 'c-store'
            ? { kind: source.kind, callingAe: source.callingAe }
            : { kind: source.kind },
        stored: 0,
        duplicates: 0,
      };
      if (result === 'stored') {
        t.stored++;
        dirty = true;
      } else t.duplicates++;
      tallies.set(key, t);
      schedule();
    },
    flush,
    async close() {
      await flush().catch(() => undefined);
    },
  };
}
