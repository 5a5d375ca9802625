import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirSync } from '../store/atomic-file.js';
import type { NodePaths } from '../store/layout.js';
import { withLock } from '../store/lock.js';
import { decodeRecords, encodeRecord } from './guard-file.js';
import { checkCohort, type CohortRows, type GuardDecision } from './row-set.js';

/** The node's memory of released cohorts, per project (DESIGN "Disclosure control at the node"). */
export interface DifferencingGuard {
  /**
   * Under the node's state lock: checks a cohort about to be released in `projectId` against
   * every one released there before and, when it passes and is new, records it before returning,
   * so two tasks checked at once are checked one after the other.
   * @throws when the guard file cannot be read or written (the task then fails, releasing nothing).
   */
  admit(projectId: string, candidate: CohortRows, minCount: number): Promise<GuardDecision>;
}

/** `<dir>/guard/<projectId>.bin`. */
export function guardFile(paths: NodePaths, projectId: string): string {
  return join(paths.dir, 'guard', `${projectId}.bin`);
}

/**
 * The guard over the node folder's guard files. Each project's cohorts are kept in memory after
 * the first read and re-read only when the file's size is not the one this process left (the
 * operator removed or replaced it).
 */
export function createDifferencingGuard(paths: NodePaths): DifferencingGuard {
  const cache = new Map<string, { bytes: number; cohorts: CohortRows[] }>();

  async function load(file: string): Promise<{ bytes: number; cohorts: CohortRows[] }> {
    const size = await stat(file).then(
      (s) => s.size,
      (e: unknown) => {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw e;
      },
    );
    const hit = cache.get(file);
    if (hit?.bytes === size) return hit;
    if (size === 0) return { bytes: 0, cohorts: [] };
    const { cohorts, validBytes } = decodeRecords(await readFile(file));
    // A torn tail (a crash mid-append) is cut off, so the next record follows a whole one.
    if (validBytes < size) await truncate(file, validBytes);
    return { bytes: validBytes, cohorts };
  }

  return {
    admit(projectId, candidate, minCount) {
      const file = guardFile(paths, projectId);
      return withLock(paths.lock, async () => {
        const mem = await load(file);
        const decision = checkCohort(mem.cohorts, candidate, minCount);
        if (decision.ok && !decision.seen) {
          await mkdir(join(paths.dir, 'guard'), { recursive: true, mode: 0o700 });
          const rec = encodeRecord(candidate);
          const created = mem.bytes === 0;
          const fd = openSync(file, 'a', 0o600);
          try {
            writeSync(fd, rec);
            // Durable before the result it covers leaves the node.
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
          if (created) fsyncDirSync(join(paths.dir, 'guard'));
          cache.set(file, { bytes: mem.bytes + rec.length, cohorts: [...mem.cohorts, candidate] });
        } else {
          cache.set(file, mem);
        }
        return decision;
      });
    },
  };
}
