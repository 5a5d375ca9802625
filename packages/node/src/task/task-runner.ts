import { getAlgorithm, parsePhaseStep, type Algorithm } from '@tessera/algorithms';
import type { ResultPayload, ResultSubmission, TaskEnvelope, TaskPayload } from '@tessera/protocol';
import type { Logger } from 'pino';
import { identifierColumns } from '../data/dataset-format.js';
import type { Executor, ExecOutcome } from '../exec/executor.js';
import { createDifferencingGuard } from '../guard/differencing-guard.js';
import { toCohortRows } from '../guard/row-set.js';
import { NODE_AUDIT_ACTIONS, createAuditLog, type AuditInput } from '../store/audit-log.js';
import type { NodePaths } from '../store/layout.js';
import { withLock } from '../store/lock.js';
import { loadPolicy, savePolicy } from '../store/policy-store.js';
import { createPrivacyLedger } from '../privacy/privacy-ledger.js';
import { createSecureSteps } from '../secure/secure-steps.js';
import { checkTask } from './policy-check.js';
import { spendBeforeRelease } from './privacy-release.js';
import { createTaskInputs } from './task-inputs.js';
import { buildSubmission, openTask, type NodeIdentity } from './task-crypto.js';
import {
  outcomeAudited,
  outcomeEntry,
  receivedAudited,
  receivedEntry,
  unopenedEntry,
} from './task-audit.js';
import { receivedRecord, toResultPayload } from './task-facts.js';
import { createTaskStore, type TaskRecord } from './task-store.js';

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
  const tasks = createTaskStore(paths);
  const inputs = createTaskInputs(paths);
  const auditLog = createAuditLog(paths);
  const guard = createDifferencingGuard(paths);
  const ledger = createPrivacyLedger(paths, now);
  const secure = createSecureSteps({ paths, me, logger, now });
  const audit = (entry: AuditInput, sync = true): Promise<unknown> =>
    auditLog.append(entry, new Date(), sync);

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
    const prior = await tasks.read(task.header.taskId);
    if (prior !== null && prior.state !== 'received') {
      // Delivery is at least once: answer with the kept bytes, never compute or release again.
      logger.info(
        { taskId: prior.taskId, attempt: task.header.attempt },
        'redelivered task answered from store',
      );
      await finishKept(prior);
      return;
    }
    const opened = openTask(task, me);
    if (!opened.ok) {
      await refuseUnopened(task, opened.code, opened.reason, opened.answer);
      return;
    }
    const p = opened.payload;
    if (prior !== null) {
      await compute(prior, p);
      return;
    }
    const rec = receivedRecord(task, p, now());
    // Audit before persisting: a node killed between the two then has a `task.received` entry
    // and no task file, and the hub's redelivery is received (and audited) again. The other
    // order would leave a resumed task with no `task.received` entry at all. Not synced: the
    // outcome's entry flushes it before anything leaves, and a power cut before that loses a
    // task that released nothing (resume() audits it again if its record survived).
    await audit(receivedEntry(rec), false);
    // Not synced: a SIGKILL loses nothing (the page cache outlives the process), and a power cut
    // loses at most the record of a task that has released nothing, which the hub redelivers
    // after its lease.
    await tasks.write(rec, 'none');
    await compute(rec, p);
  }

  async function compute(rec: TaskRecord, p: TaskPayload): Promise<void> {
    // Secure-aggregation phases (S#sa-…) go to the secure handler, which runs S through decideAndRun.
    const outcome =
      parsePhaseStep(p.step) === null ? await decideAndRun(p) : await secure.run(p, decideAndRun);
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
    // Synced with its folder before the result leaves: after any crash a redelivery is answered
    // with these bytes, never computed and released a second time.
    await tasks.write(done, 'full');
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
    await audit(outcomeEntry(done));
    await deliver(done);
  }

  async function decideAndRun(p: TaskPayload): Promise<ExecOutcome> {
    const policy = await inputs.policy();
    const schemas = await inputs.datasets(p.datasets);
    const datasets = new Map([...schemas].map(([name, s]) => [name, s.variables]));
    const identifiers = new Map([...schemas].map(([name, s]) => [name, identifierColumns(s)]));
    const decision = checkTask(p, { policy, datasets, identifiers, findAlgorithm });
    if (!decision.ok) return { status: 'refused', code: decision.code, reason: decision.reason };
    if (decision.bindProjectId !== null) await bindProject(decision.bindProjectId, p.traceId);
    const left = Date.parse(p.deadline) - now().getTime();
    if (left <= 0)
      return { status: 'failed', code: 'TIMEOUT', reason: 'the task deadline had passed' };
    const outcome = await deps.executor.run(
      {
        algorithm: decision.algorithm.name,
        step: p.step,
        datasets: [...schemas.values()].map((s) => ({
          dir: paths.dataset(s.name),
          version: s.version,
        })),
        cohort: p.cohort,
        params: decision.params,
        input: p.input,
        round: p.round,
        policy: decision.disclosure,
        guard: {
          reportRows: decision.limits.differencingGuard,
          maxLevelDensity: decision.limits.maxLevelDensity,
        },
      },
      Math.min(deps.stepTimeoutMs ?? 120_000, left),
    );
    if (outcome.status !== 'ok') return outcome;
    if (!decision.limits.differencingGuard) return spendBeforeRelease(ledger, p, outcome);
    if (outcome.rows === undefined)
      return { status: 'failed', code: 'STEP_FAILED', reason: 'the step did not report its rows' };
    // Checked and recorded under the node's lock once the output passed every other check, so
    // only what is released is remembered and two tasks at once are checked in turn.
    const verdict = await guard.admit(
      p.project.id,
      toCohortRows(outcome.rows),
      decision.disclosure.minCount,
    );
    if (!verdict.ok) return { status: 'refused', code: 'DIFFERENCING', reason: verdict.reason };
    // Spent last, once every other check passed, so a refused step never spends (the guard has
    // then remembered a cohort that did not leave, which only makes it stricter).
    return spendBeforeRelease(ledger, p, { status: 'ok', output: outcome.output });
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
    await audit({
      action: NODE_AUDIT_ACTIONS.projectBound,
      actor: 'system',
      target: `project:${b.projectId}`,
      details: { project: b.project, projectId: b.projectId },
      traceId,
    });
  }

  /** A kept done record (redelivered, or left by a previous run): audit once, deliver. */
  async function finishKept(rec: TaskRecord): Promise<void> {
    if (!rec.audited && !(await outcomeAudited(paths.audit, rec.taskId)))
      await audit(outcomeEntry(rec));
    await deliver(rec);
  }

  /** Delivers a done, audited record and keeps what the hub said. */
  async function deliver(rec: TaskRecord): Promise<void> {
    if (rec.submission === null) return;
    const ack = await deps.deliver(rec.submission);
    // Appended to the ack log, the record is not rewritten: a power cut may lose the
    // acknowledgement (the hub then answers one redelivery as a duplicate) but can never tear
    // the record holding the submission.
    await tasks.acknowledge(rec.taskId, ack, now());
  }

  async function refuseUnopened(
    task: TaskEnvelope,
    code: 'BAD_SIGNATURE' | 'CRYPTO_FAILED',
    reason: string,
    answer: boolean,
  ): Promise<void> {
    const h = task.header;
    logger.warn({ taskId: h.taskId, code }, 'task refused before opening');
    await audit(unopenedEntry(task, code, reason));
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
          void once(rec.taskId, () => finishKept(rec));
          continue;
        }
        // Received but not finished when the node stopped: run it again from the sealed task.
        void once(rec.taskId, async () => {
          const opened = openTask(rec.envelope, me);
          if (!opened.ok) return;
          logger.info({ taskId: rec.taskId }, 'resuming a task interrupted by a restart');
          if (!(await receivedAudited(paths.audit, rec.taskId))) await audit(receivedEntry(rec));
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
