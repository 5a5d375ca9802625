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
  lease_until: unknown;
  created_at: unknown;
}

/**
 * Leases up to `max` deliverable tasks of a trust: queued ones, and leased ones whose lease has
 * expired (redelivery). Rows are locked with SKIP LOCKED so concurrent polls never share a task.
 */
export async function claimTasks(
  deps: Pick<HubDeps, 'db' | 'clock' | 'config'>,
  trustId: string,
  max: number,
): Promise<ClaimedTask[]> {
  const now = deps.clock.now();
  const lease = new Date(now.getTime() + deps.config.leaseMs).toISOString();
  // One statement: pick (SKIP LOCKED, so concurrent polls never share a task) and lease.
  const rows = await deps.db.query<ClaimRow>(
    `UPDATE tasks t SET status = 'leased', attempt = t.attempt + 1, lease_until = $4
       FROM jobs j
      WHERE j.id = t.job_id AND t.id IN (
        SELECT c.id FROM tasks c JOIN jobs cj ON cj.id = c.job_id
         WHERE c.trust_id = $1 AND cj.status = 'running' AND c.round = cj.round
           AND (c.status = 'queued' OR (c.status = 'leased' AND c.lease_until <= $2))
         ORDER BY c.created_at, c.id LIMIT $3
         FOR UPDATE OF c SKIP LOCKED)
      RETURNING t.id, t.job_id, j.project_id, t.round, t.attempt, t.sealed, t.lease_until, t.created_at`,
    [trustId, now.toISOString(), max, lease],
  );
  return rows
    .sort(
      (x, y) => isoOf(x.created_at).localeCompare(isoOf(y.created_at)) || x.id.localeCompare(y.id),
    )
    .map((r) => ({
      id: r.id,
      jobId: r.job_id,
      projectId: r.project_id,
      round: r.round,
      attempt: r.attempt,
      sealed: r.sealed,
      issuedAt: now.toISOString(),
      leaseUntil: isoOf(r.lease_until),
    }));
}

/** Milliseconds until the earliest lease of the trust's undelivered-result tasks expires. */
export async function msUntilNextLeaseExpiry(
  deps: Pick<HubDeps, 'db' | 'clock'>,
  trustId: string,
): Promise<number | null> {
  const rows = await deps.db.query<{ at: unknown }>(
    `SELECT min(lease_until) AS at FROM tasks WHERE trust_id = $1 AND status = 'leased'`,
    [trustId],
  );
  const at = rows[0]?.at;
  if (at === null || at === undefined) return null;
  return Math.max(0, new Date(isoOf(at)).getTime() - deps.clock.now().getTime()) + 5;
}
