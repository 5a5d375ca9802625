import { access, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { NodePaths } from '../../store/layout.js';
import { withLock } from '../../store/lock.js';
import { appendIndex, type InstanceRecord } from './dicom-index.js';

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
          const results = await withLock(paths.lock, () => commitBatch(paths, batch));
          batch.forEach((w, i) => {
            w.resolve(results[i] ?? 'duplicate');
          });
        } catch (e) {
          await Promise.allSettled(batch.map((w) => removeFile(w.c.tmp)));
          for (const w of batch) w.reject(e);
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

// Under the lock, without blocking the event loop: the renames, then one fsync per touched
// folder, then one index append and fsync. Every step of the batch runs at once where order does
// not matter; a step that fails fails the batch once the others have settled.
async function commitBatch(
  paths: NodePaths,
  batch: readonly Waiting[],
): Promise<('stored' | 'duplicate')[]> {
  const root = paths.dicom.store;
  const seen = new Set<string>();
  const plans = batch.map(({ c }) => {
    const target = join(root, ...c.record.file.split('/'));
    const again = seen.has(target);
    seen.add(target);
    return { c, target, again };
  });
  const dup = await settled(plans.map((p) => p.again || pathExists(p.target)));
  const fresh = plans.filter((_, i) => dup[i] === false);
  const folders = new Set<string>();
  // One after the other: two new series of one new study share the study's folder.
  for (const folder of new Set(fresh.map((p) => dirname(p.target)))) {
    const made = await mkdir(folder, { recursive: true, mode: 0o700 });
    folders.add(folder);
    // New series (and perhaps study) folders: their entries must be durable too, up to the
    // folder that already existed.
    if (made !== undefined)
      for (let f = folder; f !== dirname(made); f = dirname(f)) folders.add(dirname(f));
  }
  await settled([
    ...fresh.map((p) => rename(p.c.tmp, p.target)),
    ...plans.filter((_, i) => dup[i] === true).map((p) => removeFile(p.c.tmp)),
  ]);
  if (fresh.length > 0) {
    // The renames are made durable before the index names them.
    await settled([...folders].map(fsyncDir));
    await appendIndex(
      paths.dicom.index,
      fresh.map((p) => p.c.record),
    );
  }
  return dup.map((d) => (d ? 'duplicate' : 'stored'));
}

/** Awaits every promise; rejects with the first failure once all have settled. */
async function settled<T>(work: readonly (T | Promise<T>)[]): Promise<T[]> {
  const out = await Promise.allSettled(work);
  const failure = out.find((r) => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return out.map((r) => (r as PromiseFulfilledResult<T>).value);
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

async function removeFile(file: string): Promise<void> {
  await unlink(file).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  });
}

/** Flushes a folder's entries (a rename is durable only once its folder is synced). */
async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
