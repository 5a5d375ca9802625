import {
  TesseraError,
  signJson,
  type EnrolRequest,
  type EnrolResponse,
  type PollRequest,
  type PollResponse,
  type TaskEnvelope,
} from '@tessera/protocol';
import { appendAudit } from '../audit/audit-log.js';
import type { HubDeps, RequestCtx } from '../deps.js';
import { topics } from '../events.js';
import { claimTasks, type ClaimedTask } from '../queue/task-queue.js';
import type { TrustRow } from './trusts.js';

/** How a trust appears in audit entries. */
export const trustActor = (t: { name: string }) => `trust:${t.name}`;

/**
 * First enrolment pins the node's public keys; the same keys again are accepted; other keys are
 * refused until an admin resets the trust's keys (DESIGN "Payloads").
 * @throws TesseraError CONFLICT when other keys are pinned.
 */
export async function enrol(
  deps: HubDeps,
  ctx: RequestCtx,
  trust: TrustRow,
  req: EnrolRequest,
): Promise<EnrolResponse> {
  const answer: EnrolResponse = {
    type: 'enrolled',
    trust: { id: trust.id, name: trust.name },
    hubKeys: deps.keys.public,
  };
  const outcome = await deps.db.transaction(async (tx) => {
    const rows = await tx.query<TrustRow>('SELECT * FROM trusts WHERE id = $1 FOR NO KEY UPDATE', [
      trust.id,
    ]);
    const t = rows[0] ?? trust;
    const pinned = t.node_seal_public !== null || t.node_sign_public !== null;
    const same = t.node_seal_public === req.keys.seal && t.node_sign_public === req.keys.sign;
    if (pinned && same) return 'same' as const;
    if (!pinned) {
      await tx.query(
        `UPDATE trusts SET node_seal_public = $2, node_sign_public = $3, enrolled_at = $4
          WHERE id = $1`,
        [t.id, req.keys.seal, req.keys.sign, deps.clock.now().toISOString()],
      );
    }
    await appendAudit(tx, deps.clock, {
      actor: trustActor(t),
      action: pinned ? 'node.enrol.refused' : 'node.enrol',
      target: `trust:${t.id}`,
      details: pinned
        ? { reason: 'other keys are pinned', offered: req.keys }
        : { keys: req.keys, software: req.software },
      traceId: ctx.traceId,
    });
    return pinned ? ('conflict' as const) : ('pinned' as const);
  });
  if (outcome === 'conflict') {
    throw new TesseraError(
      'CONFLICT',
      'this trust is enrolled with other keys; ask an admin to reset them',
    );
  }
  return answer;
}

/**
 * Hands out the trust's waiting tasks, holding the request up to `waitMs` (capped by config) when
 * none is waiting; wakes at once when a task is queued, or when a lease expires.
 * @throws TesseraError CONFLICT before enrolment.
 */
export async function poll(
  deps: HubDeps,
  trust: TrustRow,
  req: PollRequest,
): Promise<PollResponse> {
  if (trust.node_seal_public === null) throw new TesseraError('CONFLICT', 'enrol first');
  const until = Date.now() + Math.min(req.waitMs, deps.config.maxPollWaitMs);
  const answer = (tasks: TaskEnvelope[]): PollResponse => ({
    type: 'tasks',
    trust: { id: trust.id, name: trust.name },
    tasks,
  });
  for (;;) {
    const claim = await claimTasks(deps, trust.id, req.max);
    const left = until - Date.now();
    if (claim.tasks.length > 0 || left <= 0 || deps.events.closed) {
      return answer(claim.tasks.map((c) => signTask(deps, trust, c)));
    }
    await deps.events.wait(topics.trust(trust.id), Math.min(left, claim.msToNextExpiry ?? left));
  }
}

function signTask(deps: HubDeps, trust: TrustRow, c: ClaimedTask): TaskEnvelope {
  const header = {
    taskId: c.id,
    jobId: c.jobId,
    projectId: c.projectId,
    trust: trust.name,
    round: c.round,
    attempt: c.attempt,
    issuedAt: c.issuedAt,
    leaseExpiresAt: c.leaseUntil,
  };
  return {
    type: 'task',
    header,
    sealed: c.sealed,
    sig: signJson({ header, sealed: c.sealed }, deps.keys.signPrivate),
  };
}
