import {
  TesseraError,
  isTesseraError,
  openJson,
  resultPayloadSchema,
  taskAd,
  verifyJson,
  type ErrorCode,
  type ResultAccepted,
  type ResultPayload,
  type ResultSubmission,
} from '@tessera/protocol';
import { appendAudit } from '../audit/audit-log.js';
import type { HubDeps, RequestCtx } from '../deps.js';
import type { Queryable } from '../storage/db.js';
import { closeStepIfComplete } from '../orchestrator/orchestrator.js';
import type { TrustRow } from './trusts.js';

interface TaskRow {
  id: string;
  job_id: string;
  round: number;
  status: 'queued' | 'leased' | 'done' | 'closed';
  job_status: string;
  job_round: number;
}

const actor = (t: TrustRow) => `trust:${t.name}`;

/**
 * Accepts a node's sealed, signed result (agreements "Result"): the signature must verify with the
 * node's pinned key and the envelope must open under the task's associated data, else 400 with an
 * audit entry and nothing stored. The first result wins; later ones answer duplicate: true.
 * @throws TesseraError NOT_FOUND (not this trust's task), BAD_SIGNATURE, CRYPTO_FAILED,
 *   BAD_REQUEST (payload), CONFLICT (the step is closed).
 */
export async function submitResult(
  deps: HubDeps,
  ctx: RequestCtx,
  trust: TrustRow,
  sub: ResultSubmission,
): Promise<ResultAccepted> {
  const h = sub.header;
  const rows = await deps.db.query<TaskRow>(
    `SELECT t.id, t.job_id, t.round, t.status, j.status AS job_status, j.round AS job_round
       FROM tasks t JOIN jobs j ON j.id = t.job_id WHERE t.id = $1 AND t.trust_id = $2`,
    [h.taskId, trust.id],
  );
  const task = rows[0];
  if (task === undefined || h.trust !== trust.name || h.jobId !== task.job_id) {
    throw new TesseraError('NOT_FOUND', 'no such task for this trust');
  }
  const payload = await openResult(deps, ctx, trust, task, sub);
  const accepted = await deps.db.transaction(async (tx) => {
    if (!(await storeResult(deps, tx, task, payload))) return { duplicate: await isDone(tx, task) };
    await appendAudit(tx, deps.clock, {
      actor: actor(trust),
      action: 'task.result',
      target: `task:${task.id}`,
      details: {
        jobId: task.job_id,
        round: task.round,
        trust: trust.name,
        status: payload.status,
        code: payload.status === 'ok' ? null : payload.code,
      },
      traceId: ctx.traceId,
    });
    return { duplicate: false };
  });
  if (!accepted.duplicate) await closeStepIfComplete(deps, task.job_id, task.round);
  return { type: 'result-accepted', taskId: task.id, duplicate: accepted.duplicate };
}

/**
 * Stores the result when the task still waits for one: open, and of its job's current round while
 * the job runs. False when it does not (a concurrent writer changed it first: row lock, re-check).
 */
async function storeResult(
  deps: Pick<HubDeps, 'clock'>,
  tx: Queryable,
  task: TaskRow,
  payload: ResultPayload,
): Promise<boolean> {
  const failed = payload.status === 'ok' ? null : payload;
  const rows = await tx.query(
    `UPDATE tasks t SET status = 'done', result = $2::jsonb, site_status = $3, site_code = $4,
            site_reason = $5, done_at = $6, lease_until = NULL
       FROM jobs j
      WHERE t.id = $1 AND j.id = t.job_id AND t.status IN ('queued', 'leased')
        AND j.status = 'running' AND j.round = t.round
      RETURNING t.id`,
    [
      task.id,
      JSON.stringify(payload),
      payload.status,
      failed?.code ?? null,
      failed?.reason ?? null,
      deps.clock.now().toISOString(),
    ],
  );
  return rows.length > 0;
}

/**
 * Whether a task whose result was not stored already has one (a duplicate).
 * @throws TesseraError CONFLICT when it has none: its step is closed.
 */
async function isDone(tx: Queryable, task: TaskRow): Promise<true> {
  const rows = await tx.query<{ status: string }>('SELECT status FROM tasks WHERE id = $1', [
    task.id,
  ]);
  if (rows[0]?.status === 'done') return true;
  throw new TesseraError('CONFLICT', 'the step of this task is closed');
}

async function openResult(
  deps: HubDeps,
  ctx: RequestCtx,
  trust: TrustRow,
  task: TaskRow,
  sub: ResultSubmission,
): Promise<ResultPayload> {
  const reject = async (code: ErrorCode, message: string): Promise<never> => {
    await deps.db.transaction((tx) =>
      appendAudit(tx, deps.clock, {
        actor: actor(trust),
        action: 'result.rejected',
        target: `task:${task.id}`,
        details: { jobId: task.job_id, round: task.round, trust: trust.name, code },
        traceId: ctx.traceId,
      }),
    );
    throw new TesseraError(code, message);
  };
  if (trust.node_sign_public === null) throw new TesseraError('CONFLICT', 'enrol first');
  if (sub.header.round !== task.round)
    return reject('BAD_REQUEST', 'result header does not match the task');
  if (!verifyJson({ header: sub.header, sealed: sub.sealed }, sub.sig, trust.node_sign_public)) {
    return reject('BAD_SIGNATURE', 'result signature does not verify');
  }
  let opened: unknown;
  try {
    // Expected AD from the task as the hub knows it, never from what the node claims.
    const ad = taskAd({ taskId: task.id, trust: trust.name, round: task.round }, 'result');
    opened = openJson(sub.sealed, deps.keys.sealPrivate, ad);
  } catch (e) {
    if (!isTesseraError(e)) throw e;
    return reject('CRYPTO_FAILED', 'result envelope could not be opened');
  }
  const parsed = resultPayloadSchema.safeParse(opened);
  if (!parsed.success || parsed.data.taskId !== task.id) {
    return reject('BAD_REQUEST', 'result payload does not fit the task');
  }
  return parsed.data;
}
