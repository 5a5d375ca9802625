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
  return deps.db.transaction(async (tx) => {
    const ids = await tx.query<{ id: string }>(
      `SELECT t.id FROM tasks t JOIN jobs j ON j.id = t.job_id
        WHERE t.trust_id = $1 AND j.status = 'running' AND t.round = j.round
          AND (t.status = 'queued' OR (t.status = 'leased' AND t.lease_until <= $2))
        ORDER BY t.created_at, t.id LIMIT $3
        FOR UPDATE OF t SKIP LOCKED`,
      [trustId, now.toISOString(), max],
    );
    const out: ClaimedTask[] = [];
    for (const { id } of ids) {
      const rows = await tx.query<ClaimRow>(
        `UPDATE tasks t SET status = 'leased', attempt = t.attempt + 1, lease_until = $2
           FROM jobs j WHERE t.id = $1 AND j.id = t.job_id
         RETURNING t.id, t.job_id, j.project_id, t.round, t.attempt, t.sealed, t.lease_until`,
        [id, lease],
      );
      const r = rows[0];
      if (r === undefined) continue;
      out.push({
        id: r.id,
        jobId: r.job_id,
        projectId: r.project_id,
        round: r.round,
        attempt: r.attempt,
        sealed: r.sealed,
        issuedAt: now.toISOString(),
        leaseUntil: isoOf(r.lease_until),
      });
    }
    return out;
  });
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
