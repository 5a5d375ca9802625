import type { SealedEnvelope } from '@tessera/protocol';
import type { HubDeps } from '../deps.js';
import { isoOf } from '../storage/db.js';

/*
 * The task queue (DESIGN "A job, end to end", step 3; delivery at least once). A task is queued
 * when its step opens, leased to its node on delivery, and offered again with attempt + 1 once the
 * lease expires without a result. Only tasks of a job's current round are deliverable.
 */

export interface ClaimedTask {
  readonly id: string;
  readonly jobId: string;
  readonly projectId: string;
  readonly round: number;
  readonly attempt: number;
  readonly sealed: SealedEnvelope;
  readonly issuedAt: string;
  readonly leaseUntil: string;
}

interface ClaimRow {
  id: string;
  job_id: string;
  project_id: string;
  round: number;
  attempt: number;
  sealed: SealedEnvelope;
  lease_until: string;
}

/** What a poll finds: the tasks it leased, and when it should look again if there were none. */
export interface Claim {
  readonly tasks: ClaimedTask[];
  /** Milliseconds until the earliest lease of the trust's other tasks expires; null: none. */
  readonly msToNextExpiry: number | null;
}

/**
 * Leases up to `max` deliverable tasks of a trust: queued ones, and leased ones whose lease has
 * expired (redelivery), oldest first. One statement picks, leases and reads the earliest lease
 * still running; rows are locked with SKIP LOCKED so concurrent polls never share a task.
 */
export async function claimTasks(
  deps: Pick<HubDeps, 'db' | 'clock' | 'config'>,
  trustId: string,
  max: number,
): Promise<Claim> {
  const now = deps.clock.now();
  const lease = new Date(now.getTime() + deps.config.leaseMs).toISOString();
  const rows = await deps.db.query<{ tasks: ClaimRow[]; next_expiry: unknown }>(
    `WITH claimed AS (
       UPDATE tasks t SET status = 'leased', attempt = t.attempt + 1, lease_until = $4
         FROM jobs j
        WHERE j.id = t.job_id AND t.id IN (
          SELECT c.id FROM tasks c JOIN jobs cj ON cj.id = c.job_id
           WHERE c.trust_id = $1 AND cj.status = 'running' AND c.round = cj.round
             AND (c.status = 'queued' OR (c.status = 'leased' AND c.lease_until <= $2))
           ORDER BY c.created_at, c.id LIMIT $3
           FOR UPDATE OF c SKIP LOCKED)
        RETURNING t.id, t.job_id, j.project_id, t.round, t.attempt, t.sealed, t.lease_until,
                  t.created_at)
     SELECT coalesce((SELECT json_agg(c ORDER BY c.created_at, c.id) FROM claimed c), '[]') AS tasks,
            (SELECT min(lease_until) FROM tasks WHERE trust_id = $1 AND status = 'leased')
              AS next_expiry`,
    [trustId, now.toISOString(), max, lease],
  );
  const row = rows[0];
  const tasks = (row?.tasks ?? []).map((r) => ({
    id: r.id,
    jobId: r.job_id,
    projectId: r.project_id,
    round: r.round,
    attempt: r.attempt,
    sealed: r.sealed,
    issuedAt: now.toISOString(),
    leaseUntil: isoOf(r.lease_until),
  }));
  const next = row?.next_expiry;
  const msToNextExpiry =
    next === null || next === undefined
      ? null
      : Math.max(0, new Date(isoOf(next)).getTime() - now.getTime()) + 5;
  return { tasks, msToNextExpiry };
}
