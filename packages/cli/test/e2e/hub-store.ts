import { hubPaths, openPgliteDb } from '@tessera/hub';

/*
 * What a stopped hub stored, read back from its embedded database (the instrumented side of the
 * secure-aggregation tests: everything the hub kept per task, after decryption).
 */

export interface StoredTask {
  readonly jobId: string;
  readonly trust: string;
  readonly step: string;
  readonly round: number;
  /** The decrypted result payload the hub kept ({taskId, status, output, …}), or null. */
  readonly result: { status?: string; output?: unknown } | null;
}

export interface StoredJob {
  readonly id: string;
  readonly state: unknown;
  readonly result: unknown;
}

/** Every task and job row of a stopped hub (PGlite in `<hubDir>/db`). */
export async function readHubStore(
  hubDir: string,
): Promise<{ tasks: StoredTask[]; jobs: StoredJob[] }> {
  const db = await openPgliteDb(hubPaths(hubDir).db);
  try {
    const tasks = await db.query<StoredTask>(
      `SELECT t.job_id AS "jobId", tr.name AS trust, t.step, t.round, t.result
         FROM tasks t JOIN trusts tr ON tr.id = t.trust_id ORDER BY t.round, tr.name`,
    );
    const jobs = await db.query<StoredJob>('SELECT id, state, result FROM jobs');
    return { tasks, jobs };
  } finally {
    await db.close();
  }
}
