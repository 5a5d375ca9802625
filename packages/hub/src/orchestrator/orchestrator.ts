import type { Algorithm, HubDecision } from '@tessera/algorithms';
import { appendAudits } from '../audit/audit-log.js';
import type { DeadlineTimers, HubDeps } from '../deps.js';
import { topics } from '../events.js';
import { isoOf, type Queryable } from '../storage/db.js';
import { closeStep, openTasks } from './close-step.js';
import { applyDecision } from './decisions.js';
import { noEffects, type Effects } from './effects.js';
import type { JobRow } from './job-rows.js';

/*
 * The job orchestrator's runtime: runs decisions and step closes in transactions, then applies
 * their effects (wake-ups, deadline timers). Its state is the database; timers are only a
 * shortcut, re-armed by resume() and backed by a periodic sweep.
 */

type OrchestratorDeps = Pick<
  HubDeps,
  'clock' | 'config' | 'algorithms' | 'logger' | 'db' | 'events' | 'timers'
>;

/** Runs `work` in a transaction, appends its audit entries last, then applies its effects. */
export async function runOrchestrated(
  deps: OrchestratorDeps,
  work: (tx: Queryable, fx: Effects) => Promise<void>,
): Promise<Effects> {
  const fx = await deps.db.transaction(async (tx) => {
    const e = noEffects();
    await work(tx, e);
    await appendAudits(tx, deps.clock, e.audits);
    return e;
  });
  for (const t of fx.wakeTrusts) deps.events.notify(topics.trust(t));
  if (fx.deadline !== null) deps.timers.arm(fx.deadline.jobId, fx.deadline.round, fx.deadline.at);
  const jobs = new Set([fx.changedJob, fx.finishedJob]);
  for (const j of jobs) if (j !== null) deps.events.notify(topics.job(j));
  return fx;
}

/** Starts a freshly inserted job: the algorithm's first decision, in the caller's transaction. */
export async function startJob(
  deps: OrchestratorDeps,
  tx: Queryable,
  job: JobRow,
  alg: Algorithm,
  fx: Effects,
): Promise<void> {
  let decision: HubDecision<unknown>;
  try {
    decision = alg.start(job.params);
  } catch (e) {
    decision = { kind: 'failed', code: 'START_FAILED', reason: (e as Error).message.slice(0, 500) };
  }
  await applyDecision(deps, tx, job, alg, decision, fx);
}

/**
 * After a result: closes the step when no task of it is still open. The cheap check runs after
 * the result's commit, so of several results landing together the last one always sees the step
 * complete (READ COMMITTED); an extra close attempt is a no-op.
 */
export async function closeStepIfComplete(
  deps: OrchestratorDeps,
  jobId: string,
  round: number,
): Promise<void> {
  if ((await openTasks(deps.db, jobId, round)) === 0) await tryCloseStep(deps, jobId, round);
}

/** Closes a step if it is complete or overdue; safe to call any number of times. */
export async function tryCloseStep(
  deps: OrchestratorDeps,
  jobId: string,
  round: number,
): Promise<void> {
  await runOrchestrated(deps, (tx, fx) => closeStep(deps, tx, jobId, round, fx));
}

/**
 * Closes every step that is overdue or fully answered, and re-arms the timers of the others.
 * Run at start-up (a hub killed mid-job resumes here) and periodically.
 */
export async function sweep(deps: OrchestratorDeps, rearm: boolean): Promise<void> {
  const running = await deps.db.query<{
    id: string;
    round: number;
    step_deadline: unknown;
    open: number;
  }>(
    `SELECT j.id, j.round, j.step_deadline,
            (SELECT count(*)::int FROM tasks t WHERE t.job_id = j.id AND t.round = j.round
               AND t.status IN ('queued', 'leased')) AS open
       FROM jobs j WHERE j.status = 'running'`,
  );
  const now = deps.clock.now();
  for (const j of running) {
    const deadline = j.step_deadline === null ? now : new Date(isoOf(j.step_deadline));
    if (j.open === 0 || deadline <= now) await tryCloseStep(deps, j.id, j.round);
    else if (rearm) deps.timers.arm(j.id, j.round, deadline);
  }
}

/** Deadline timers keyed by job; `onDue` closes the step. */
export function createDeadlineTimers(o: {
  clock: HubDeps['clock'];
  onDue: (jobId: string, round: number) => void;
}): DeadlineTimers {
  const timers = new Map<string, NodeJS.Timeout>();
  let closed = false;
  return {
    arm(jobId, round, at) {
      if (closed) return;
      clearTimeout(timers.get(jobId));
      const ms = Math.min(Math.max(0, at.getTime() - o.clock.now().getTime()), 2_147_000_000);
      const t = setTimeout(() => {
        timers.delete(jobId);
        o.onDue(jobId, round);
      }, ms + 5);
      t.unref();
      timers.set(jobId, t);
    },
    close() {
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
