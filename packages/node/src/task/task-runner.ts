import { getAlgorithm, type Algorithm, type VariableInfo } from '@tessera/algorithms';
import type { ResultPayload, ResultSubmission, TaskEnvelope, TaskPayload } from '@tessera/protocol';
import type { Logger } from 'pino';
import { readDatasetSchema } from '../data/dataset-format.js';
import type { Executor, ExecOutcome } from '../exec/executor.js';
import { NODE_AUDIT_ACTIONS, appendAudit, type NodeAuditAction } from '../store/audit-log.js';
import type { NodePaths } from '../store/layout.js';
import { withLock } from '../store/lock.js';
import { loadPolicy, savePolicy } from '../store/policy-store.js';
import { checkTask } from './policy-check.js';
import { buildSubmission, openTask, type NodeIdentity } from './task-crypto.js';
import { describe, toResultPayload } from './task-facts.js';
import { readTask, writeTask, type TaskRecord } from './task-store.js';

export interface TaskRunnerDeps {
  readonly paths: NodePaths;
  readonly me: NodeIdentity;
  readonly executor: Executor;
  readonly logger: Logger;
  /** Posts a submission until the hub takes it (or refuses it for good); resolves with the ack. */
  readonly deliver: (s: ResultSubmission) => Promise<string | null>;
  readonly now?: () => Date;
  readonly stepTimeoutMs?: number;
}

export interface TaskRunner {
  /** Handles one delivered task: at most one computation and one release per task id. */
  handle(task: TaskEnvelope): Promise<void>;
  /** Resumes tasks a previous run left received or unacknowledged. */
  resume(records: readonly TaskRecord[]): Promise<void>;
  /** Resolves when no task is being handled. */
  idle(): Promise<void>;
}

/** Looks an algorithm up; unknown names are undefined, not a throw. */
function findAlgorithm(name: string): Algorithm | undefined {
  try {
    return getAlgorithm(name);
  } catch {
    return undefined;
  }
}

/**
 * The node's handling of a task (DESIGN "A job, end to end", step 4): verify and open, record it,
 * check policy (deny by default), run the step in the executor, seal and sign the result, keep it,
 * audit what leaves, deliver it. Refusals and failures go back as signed results too.
 */
export function createTaskRunner(deps: TaskRunnerDeps): TaskRunner {
  const { paths, me, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const inFlight = new Map<string, Promise<void>>();

  function once(taskId: string, fn: () => Promise<void>): Promise<void> {
    const running = inFlight.get(taskId);
    if (running !== undefined) return running;
    const p = fn()
      .catch((e: unknown) => {
        logger.error(
          { taskId, err: errName(e) },
          'task handling failed; the hub will redeliver it',
        );
      })
      .finally(() => inFlight.delete(taskId));
    inFlight.set(taskId, p);
    return p;
  }

  async function handleNew(task: TaskEnvelope): Promise<void> {
    const prior = await readTask(paths, task.header.taskId);
    if (prior !== null && prior.state !== 'received') {
      // Delivery is at least once: answer with the kept bytes, never compute or release again.
      logger.info(
        { taskId: prior.taskId, attempt: task.header.attempt },
        'redelivered task answered from store',
      );
      await finish(prior);
      return;
    }
    const opened = openTask(task, me);
    if (!opened.ok) {
      await refuseUnopened(task, opened.code, opened.reason, opened.answer);
      return;
    }
    const p = opened.payload;
    const rec: TaskRecord = prior ?? {
      v: 1,
      taskId: p.taskId,
      jobId: p.jobId,
      projectId: p.project.id,
      round: p.round,
      attempt: task.header.attempt,
      state: 'received',
      receivedAt: now().toISOString(),
      updatedAt: now().toISOString(),
      traceId: p.traceId,
      envelope: task,
      outcome: null,
      details: describe(p, task.header.attempt),
      result: null,
      submission: null,
      audited: false,
      ack: null,
    };
    if (prior === null) {
      // Audit before persisting: a node killed between the two then has a `task.received` entry
      // and no task file, and the hub's redelivery is received (and audited) again. The other
      // order would leave a resumed task with no `task.received` entry at all.
      await appendAudit(paths, {
        action: NODE_AUDIT_ACTIONS.taskReceived,
        actor: 'hub',
        target: `task:${p.taskId}`,
        details: rec.details ?? {},
        traceId: p.traceId,
      });
      await writeTask(paths, rec);
    }
    await compute(rec, p);
  }

  async function compute(rec: TaskRecord, p: TaskPayload): Promise<void> {
    const outcome = await decideAndRun(p);
    const payload: ResultPayload = toResultPayload(p.taskId, outcome);
    const submission = buildSubmission(p, payload, me, now());
    const done: TaskRecord = {
      ...rec,
      state: 'done',
      updatedAt: now().toISOString(),
      outcome: { status: payload.status, code: payload.status === 'ok' ? null : payload.code },
      result: payload,
      submission,
    };
    await writeTask(paths, done);
    logger.info(
      {
        traceId: p.traceId,
        taskId: p.taskId,
        jobId: p.jobId,
        status: payload.status,
        code: done.outcome?.code ?? null,
      },
      'task answered',
    );
    await finish(done);
  }

  async function decideAndRun(p: TaskPayload): Promise<ExecOutcome> {
    const policy = await loadPolicy(paths);
    const datasets = new Map<string, readonly VariableInfo[]>();
    for (const d of p.datasets) {
      const s = await readDatasetSchema(paths.dataset(d)).catch(() => null);
      if (s !== null) datasets.set(d, s.variables);
    }
    const decision = checkTask(p, { policy, datasets, findAlgorithm });
    if (!decision.ok) return { status: 'refused', code: decision.code, reason: decision.reason };
    if (decision.bindProjectId !== null) await bindProject(decision.bindProjectId, p.traceId);
    const left = Date.parse(p.deadline) - now().getTime();
    if (left <= 0)
      return { status: 'failed', code: 'TIMEOUT', reason: 'the task deadline had passed' };
    return deps.executor.run(
      {
        algorithm: decision.algorithm.name,
        step: p.step,
        datasets: p.datasets.map((name) => ({ name, dir: paths.dataset(name) })),
        cohort: p.cohort,
        params: decision.params,
        input: p.input,
        round: p.round,
        policy: decision.disclosure,
      },
      Math.min(deps.stepTimeoutMs ?? 120_000, left),
    );
  }

  async function bindProject(
    b: { project: string; projectId: string },
    traceId: string,
  ): Promise<void> {
    await withLock(paths.lock, async () => {
      const policy = await loadPolicy(paths);
      const a = policy.approvals.find((x) => x.project === b.project);
      if (a === undefined || a.projectId !== null) return;
      a.projectId = b.projectId;
      await savePolicy(paths, policy);
    });
    await appendAudit(paths, {
      action: NODE_AUDIT_ACTIONS.projectBound,
      actor: 'system',
      target: `project:${b.projectId}`,
      details: { project: b.project, projectId: b.projectId },
      traceId,
    });
  }

  /** Audits (once) and delivers a done record, then marks it acknowledged. */
  async function finish(rec: TaskRecord): Promise<void> {
    let current = rec;
    if (!current.audited) {
      await auditOutcome(current);
      current = { ...current, audited: true, updatedAt: now().toISOString() };
      await writeTask(paths, current);
    }
    if (current.submission === null) return;
    const ack = await deps.deliver(current.submission);
    if (ack === null) return;
    await writeTask(paths, {
      ...current,
      state: 'acknowledged',
      ack,
      updatedAt: now().toISOString(),
    });
  }

  async function auditOutcome(rec: TaskRecord): Promise<void> {
    const r = rec.result;
    const base = {
      ...(rec.details ?? { taskId: rec.taskId, jobId: rec.jobId, projectId: rec.projectId }),
    };
    let action: NodeAuditAction;
    let details: Record<string, unknown>;
    if (r === null || r.status !== 'ok') {
      action =
        r?.status === 'refused' ? NODE_AUDIT_ACTIONS.taskRefused : NODE_AUDIT_ACTIONS.taskFailed;
      details = { ...base, code: r?.code ?? null, reason: r?.reason ?? null };
    } else {
      // The log is the hospital's receipt of exactly what left (DESIGN "Audit").
      action = NODE_AUDIT_ACTIONS.taskReleased;
      details = { ...base, output: r.output };
    }
    await appendAudit(paths, {
      action,
      actor: 'system',
      target: `task:${rec.taskId}`,
      details,
      ...(rec.traceId === null ? {} : { traceId: rec.traceId }),
    });
  }

  async function refuseUnopened(
    task: TaskEnvelope,
    code: 'BAD_SIGNATURE' | 'CRYPTO_FAILED',
    reason: string,
    answer: boolean,
  ): Promise<void> {
    const h = task.header;
    logger.warn({ taskId: h.taskId, code }, 'task refused before opening');
    await appendAudit(paths, {
      action: NODE_AUDIT_ACTIONS.taskRefused,
      actor: 'hub',
      target: `task:${h.taskId}`,
      details: {
        taskId: h.taskId,
        jobId: h.jobId,
        projectId: h.projectId,
        addressedTo: h.trust,
        round: h.round,
        attempt: h.attempt,
        code,
        reason,
      },
    });
    if (!answer) return;
    // Not kept: a forged task must not poison the idempotency store for a real task of that id.
    const sub = buildSubmission(
      h,
      { taskId: h.taskId, status: 'refused', code, reason },
      me,
      now(),
    );
    await deps.deliver(sub);
  }

  return {
    handle(task) {
      return once(task.header.taskId, () => handleNew(task));
    },
    async resume(records) {
      for (const rec of records) {
        if (rec.state === 'acknowledged') continue;
        if (rec.state === 'done') {
          void once(rec.taskId, () => finish(rec));
          continue;
        }
        // Received but not finished when the node stopped: run it again from the sealed task.
        void once(rec.taskId, async () => {
          const opened = openTask(rec.envelope, me);
          if (!opened.ok) return;
          logger.info({ taskId: rec.taskId }, 'resuming a task interrupted by a restart');
          await compute(rec, opened.payload);
        });
      }
      await Promise.all([...inFlight.values()]);
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight.values()]);
    },
  };
}

function errName(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message.slice(0, 200)}` : 'unknown';
}
