import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fsyncDirSync } from '../../store/atomic-file.js';
import type { NodePaths } from '../../store/layout.js';
import { withLock } from '../../store/lock.js';
import { appendIndexSync, type InstanceRecord } from './dicom-index.js';

/*
 * Puts de-identified instances into the store (issue 7, "a second send of the same study stores
 * nothing new"). Each instance arrives as a complete, fsynced temp file; under the node's state
 * lock it is renamed to its content-derived path unless that path exists (a duplicate), and its
 * index line is appended. Instances that arrive while a commit runs wait and go together in the
 * next one (group commit): one lock, one index write and fsync, one fsync per touched folder,
 * however many parallel associations feed the store.
 */

export interface Commit {
  /** A complete temp file on the store's file system; moved or removed by the commit. */
  readonly tmp: string;
  readonly record: InstanceRecord;
}

export interface Committer {
  /** 'stored', or 'duplicate' when the instance's path already exists (nothing new is written). */
  commit(c: Commit): Promise<'stored' | 'duplicate'>;
}

interface Waiting {
  readonly c: Commit;
  readonly resolve: (r: 'stored' | 'duplicate') => void;
  readonly reject: (e: unknown) => void;
}

/** The store's committer for the node at `paths`. */
export function createCommitter(paths: NodePaths): Committer {
  let queue: Waiting[] = [];
  let running = false;

  const drain = async (): Promise<void> => {
    running = true;
    try {
      while (queue.length > 0) {
        const batch = queue;
        queue = [];
        try {
          const results = await withLock(paths.lock, () =>
            Promise.resolve(commitBatch(paths, batch)),
          );
          batch.forEach((w, i) => {
            w.resolve(results[i] ?? 'duplicate');
          });
        } catch (e) {
          for (const w of batch) {
            rmSync(w.c.tmp, { force: true });
            w.reject(e);
          }
        }
      }
    } finally {
      running = false;
    }
  };

  return {
    commit(c) {
      return new Promise((resolve, reject) => {
        queue.push({ c, resolve, reject });
        if (!running) void drain();
      });
    },
  };
}

// Synchronous under the lock: renames and one append, held for milliseconds.
function commitBatch(paths: NodePaths, batch: readonly Waiting[]): ('stored' | 'duplicate')[] {
  const root = paths.dicom.store;
  const stored: InstanceRecord[] = [];
  const folders = new Set<string>();
  const seen = new Set<string>();
  const results = batch.map(({ c }) => {
    const target = join(root, ...c.record.file.split('/'));
    if (seen.has(target) || existsSync(target)) {
      rmSync(c.tmp, { force: true });
      return 'duplicate' as const;
    }
    seen.add(target);
    const folder = dirname(target);
    if (!existsSync(folder)) {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      // New series (and perhaps study) folders: their entries must be durable too.
      folders.add(dirname(folder)).add(dirname(dirname(folder)));
    }
    renameSync(c.tmp, target);
    folders.add(folder);
    stored.push(c.record);
    return 'stored' as const;
  });
  if (stored.length > 0) {
    // The renames are made durable before the index names them.
    for (const f of folders) fsyncDirSync(f);
    appendIndexSync(paths.dicom.index, stored);
  }
  return results;
}
