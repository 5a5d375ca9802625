import { TesseraError, type ArtifactSummary, type ArtifactView } from '@tessera/protocol';
import { appendAudit } from '../audit/audit-log.js';
import { userActor, type HubDeps, type RequestCtx, type UserPrincipal } from '../deps.js';
import { isoOf } from '../storage/db.js';
import { readableJob } from './jobs.js';

/*
 * A job's artifacts (issue 6): the JSON documents its decisions kept, e.g. the global model after
 * each training round. Readable as the job's result is: by the project's members only, admins
 * included only if members (DESIGN "Roles"); every body read is audited.
 */

interface SummaryRow {
  name: string;
  bytes: number;
  created_at: unknown;
}

/**
 * Names, sizes and times of a job's artifacts, sorted by name.
 * @throws TesseraError NOT_FOUND for unknown jobs and non-members alike.
 */
export async function listArtifacts(
  deps: Pick<HubDeps, 'db'>,
  actor: UserPrincipal,
  jobId: string,
): Promise<ArtifactSummary[]> {
  const job = await readableJob(deps, actor, jobId);
  const rows = await deps.db.query<SummaryRow>(
    `SELECT name, bytes, created_at FROM job_artifacts WHERE job_id = $1 ORDER BY name COLLATE "C"`,
    [job.id],
  );
  return rows.map((r) => ({ name: r.name, bytes: r.bytes, createdAt: isoOf(r.created_at) }));
}

/**
 * One artifact with its job and project, audited as `job.artifact.read` with the request's
 * trace id (in the same transaction as the read: no read goes unrecorded).
 * @throws TesseraError NOT_FOUND for unknown jobs, non-members and unknown names alike.
 */
export async function readArtifact(
  deps: Pick<HubDeps, 'db' | 'clock'>,
  ctx: RequestCtx,
  actor: UserPrincipal,
  jobId: string,
  name: string,
): Promise<ArtifactView> {
  const job = await readableJob(deps, actor, jobId);
  return deps.db.transaction(async (tx) => {
    const rows = await tx.query<SummaryRow & { body: unknown }>(
      'SELECT name, bytes, created_at, body FROM job_artifacts WHERE job_id = $1 AND name = $2',
      [job.id, name],
    );
    const row = rows[0];
    if (row === undefined) throw new TesseraError('NOT_FOUND', `job has no artifact ${name}`);
    await appendAudit(tx, deps.clock, {
      actor: userActor(actor),
      action: 'job.artifact.read',
      target: `job:${job.id}`,
      details: { name: row.name, bytes: row.bytes },
      traceId: ctx.traceId,
    });
    return {
      name: row.name,
      jobId: job.id,
      project: { id: job.project_id, name: job.project_name },
      bytes: row.bytes,
      createdAt: isoOf(row.created_at),
      body: row.body,
    };
  });
}
