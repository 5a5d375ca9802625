import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SecureNodeMemory } from '@tessera/algorithms';
import { readJsonFile, replaceFileSync } from '../store/atomic-file.js';
import type { NodePaths } from '../store/layout.js';

/*
 * The node's secure-aggregation memory (issue 5): per job, the round's X25519 private keys, the
 * self-mask seed, the shares held for the other nodes and the step output awaiting masking. One
 * file `<node dir>/secure/<jobId>.json`, mode 0600 in a 0700 folder, replaced atomically and
 * synced before the phase's result leaves, deleted once the unmask phase is answered. Never logged.
 */

/** What one job's file holds. */
export interface SecureRecord {
  readonly jobId: string;
  readonly memory: SecureNodeMemory | null;
  /** The last phase task answered ok and its output: a resumed task gets the same answer back. */
  readonly last: { readonly taskId: string; readonly output: unknown } | null;
}

export interface SecureStore {
  read(jobId: string): Promise<SecureRecord | null>;
  /** Replaces the job's record, synced with its folder (durability `full`) before returning. */
  write(record: SecureRecord): void;
  remove(jobId: string): void;
  /** Removes records older than `maxAgeMs` (jobs that ended without an unmask phase here). */
  sweep(now: Date, maxAgeMs: number): number;
}

// Job ids are UUIDs (idSchema); anything else never becomes a file name.
const JOB_ID = /^[0-9a-zA-Z-]{1,64}$/;

/**
 * The store under `paths.dir/secure`.
 * @throws Error from read/write/remove when a job id is not a plain id (never a path).
 */
export function createSecureStore(paths: NodePaths): SecureStore {
  const dir = join(paths.dir, 'secure');
  const file = (jobId: string): string => {
    if (!JOB_ID.test(jobId)) throw new Error('secure store: job id is not a plain id');
    return join(dir, `${jobId}.json`);
  };
  return {
    async read(jobId) {
      const v = (await readJsonFile(file(jobId))) as SecureRecord | undefined;
      return v ?? null;
    },
    write(record) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      replaceFileSync(file(record.jobId), JSON.stringify(record), {
        mode: 0o600,
        durability: 'full',
      });
    },
    remove(jobId) {
      rmSync(file(jobId), { force: true });
    },
    sweep(now, maxAgeMs) {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return 0;
      }
      let removed = 0;
      for (const name of names) {
        const p = join(dir, name);
        if (now.getTime() - statSync(p).mtimeMs > maxAgeMs) {
          rmSync(p, { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}
