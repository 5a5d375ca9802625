import { closeSync, fstatSync, fsyncSync, openSync, statSync, writeSync } from 'node:fs';
import { mkdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirSync } from '../store/atomic-file.js';
import type { NodePaths } from '../store/layout.js';
import { withLock } from '../store/lock.js';
import { decodeRecords, encodeRecord } from './guard-file.js';
import { checkCohort, type CohortRows, type GuardDecision } from './row-set.js';

/** The node's memory of released cohorts, per project (DESIGN "Disclosure control at the node"). */
export interface DifferencingGuard {
  /**
   * Checks a cohort about to be released in `projectId` against every one released there before
   * and, when it passes and is new, records it (durably) before returning. New cohorts are checked
   * and recorded under the node's state lock, so two tasks checked at once are checked one after
   * the other; a cohort already remembered (the rounds of one job) is admitted without it.
   * @throws when the guard file cannot be read or written (the task then fails, releasing nothing).
   */
  admit(projectId: string, candidate: CohortRows, minCount: number): Promise<GuardDecision>;
}

/** `<dir>/guard/<projectId>.bin`. */
export function guardFile(paths: NodePaths, projectId: string): string {
  return join(paths.dir, 'guard', `${projectId}.bin`);
}

/** One project's remembered cohorts, and the identity of the file they were read from. */
interface Memory {
  /** `ino:size:mtime` of the file as this process last read or wrote it; '' when there is none. */
  readonly key: string;
  readonly bytes: number;
  readonly cohorts: readonly CohortRows[];
  /** The cohorts' hashes: equal row sets have equal hashes, so a repeat is found in O(1). */
  readonly hashes: ReadonlySet<string>;
}

const EMPTY: Memory = { key: '', bytes: 0, cohorts: [], hashes: new Set() };

// Plain system calls (see replaceFileSync): this runs for every released step.
function fileKey(file: string): { key: string; size: number } {
  const s = statSync(file, { throwIfNoEntry: false });
  if (s === undefined) return { key: '', size: 0 };
  return { key: `${String(s.ino)}:${String(s.size)}:${String(s.mtimeMs)}`, size: s.size };
}

/**
 * The guard over the node folder's guard files. Each project's cohorts are kept in memory after
 * the first read and re-read only when the file is not the one this process left (same inode,
 * size and modification time): the operator removed or replaced it.
 *
 * A candidate whose row set is already remembered (every round of a job after the first, a
 * repeated job) is admitted from memory after one stat, without the lock: memory only grows
 * (only this process writes guard files, by appending), an equal row set is admitted whatever
 * else is remembered (checkCohort), and the stat shows the file is still the one remembered, as
 * the locked path checks it. Anything else is checked, and recorded, under the lock.
 */
export function createDifferencingGuard(paths: NodePaths): DifferencingGuard {
  const cache = new Map<string, Memory>();

  async function load(file: string): Promise<Memory> {
    const now = fileKey(file);
    const hit = cache.get(file);
    if (hit !== undefined && hit.key === now.key) return hit;
    if (now.size === 0) return EMPTY;
    const { cohorts, validBytes } = decodeRecords(await readFile(file));
    // A torn tail (a crash mid-append) is cut off, so the next record follows a whole one.
    if (validBytes < now.size) await truncate(file, validBytes);
    const key = validBytes < now.size ? fileKey(file).key : now.key;
    return { key, bytes: validBytes, cohorts, hashes: new Set(cohorts.map((c) => c.hash)) };
  }

  function append(file: string, mem: Memory, candidate: CohortRows): Memory {
    const rec = encodeRecord(candidate);
    const fd = openSync(file, 'a', 0o600);
    let key: string;
    try {
      writeSync(fd, rec);
      // Durable before the result it covers leaves the node.
      fsyncSync(fd);
      const s = fstatSync(fd);
      key = `${String(s.ino)}:${String(s.size)}:${String(s.mtimeMs)}`;
    } finally {
      closeSync(fd);
    }
    return {
      key,
      bytes: mem.bytes + rec.length,
      cohorts: [...mem.cohorts, candidate],
      hashes: new Set([...mem.hashes, candidate.hash]),
    };
  }

  return {
    admit(projectId, candidate, minCount) {
      const file = guardFile(paths, projectId);
      const known = cache.get(file);
      if (known?.hashes.has(candidate.hash) === true && fileKey(file).key === known.key)
        return Promise.resolve({ ok: true, seen: true });
      return withLock(paths.lock, async () => {
        const mem = await load(file);
        const decision = checkCohort(mem.cohorts, candidate, minCount);
        if (!decision.ok || decision.seen) {
          cache.set(file, mem);
          return decision;
        }
        const dir = join(paths.dir, 'guard');
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const created = mem.bytes === 0;
        const next = append(file, mem, candidate);
        if (created) fsyncDirSync(dir);
        cache.set(file, next);
        return decision;
      });
    },
  };
}
