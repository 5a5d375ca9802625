import { randomUUID } from 'node:crypto';
import type { Algorithm, HubDecision } from '@tessera/algorithms';
import { sealJson, taskAd, taskPayloadSchema, type SealedEnvelope } from '@tessera/protocol';
import type { HubDeps } from '../deps.js';
import type { Queryable } from '../storage/db.js';
import {
  isJobError,
  prepareArtifacts,
  prepareProgress,
  storeArtifacts,
  type PreparedArtifact,
} from './artifacts.js';
import type { Effects } from './effects.js';
import { phaseOf } from './job-algorithm.js';
import { jsonParam, type JobRow } from './job-rows.js';
import { siteInput } from './site-input.js';
import { pickStepSites, projectSites, type Participant } from './step-sites.js';

/*
 * Applies an algorithm's HubDecision to a job inside the caller's transaction (DESIGN "A job, end
 * to end", steps 2 and 5). Everything lands in the database, so a hub killed at any point resumes.
 * A step goes to the trusts it names (`sites`, else all); its progress and artifacts (issue 6)
 * are written with its state and tasks, so a round's model exists exactly when its round committed.
 */

const SYSTEM = 'system';

/** Carries out `decision` for `job`; effects are filled for after commit. */
export async function applyDecision(
  deps: Pick<HubDeps, 'clock' | 'config'>,
  tx: Queryable,
  job: JobRow,
  alg: Algorithm,
  decision: HubDecision<unknown>,
  fx: Effects,
): Promise<void> {
  switch (decision.kind) {
    case 'step':
      await openStep(deps, tx, job, alg, decision, fx);
      return;
    case 'done': {
      const artifacts = prepareArtifacts(decision.artifacts, deps.config.maxArtifactBytes);
      if (isJobError(artifacts)) {
        await failJob(deps, tx, job, artifacts, fx);
        return;
      }
      const now = deps.clock.now();
      await tx.query(
        `UPDATE jobs SET status = 'succeeded', result = $2::jsonb, step_deadline = NULL,
                finished_at = $3 WHERE id = $1`,
        [job.id, JSON.stringify(decision.result ?? null), now.toISOString()],
      );
      await storeArtifacts(tx, job.id, artifacts, now);
      fx.audits.push({
        actor: SYSTEM,
        action: 'job.done',
        target: `job:${job.id}`,
        details: { round: job.round, ...artifactNames(artifacts) },
        traceId: job.trace_id,
      });
      fx.finishedJob = job.id;
      return;
    }
    case 'failed':
      await failJob(deps, tx, job, { code: decision.code, reason: decision.reason }, fx);
      return;
  }
}

/** Marks a job failed with a code and reason. */
export async function failJob(
  deps: Pick<HubDeps, 'clock'>,
  tx: Queryable,
  job: JobRow,
  error: { code: string; reason: string },
  fx: Effects,
): Promise<void> {
  await tx.query(
    `UPDATE jobs SET status = 'failed', error = $2::jsonb, step_deadline = NULL, finished_at = $3
      WHERE id = $1`,
    [job.id, JSON.stringify(error), deps.clock.now().toISOString()],
  );
  fx.audits.push({
    actor: SYSTEM,
    action: 'job.failed',
    target: `job:${job.id}`,
    details: { round: job.round, code: error.code },
    traceId: job.trace_id,
  });
  fx.finishedJob = job.id;
}

/** Audit details naming a decision's artifacts, when it has any (names and sizes only). */
function artifactNames(artifacts: readonly PreparedArtifact[]): Record<string, unknown> {
  return artifacts.length === 0
    ? {}
    : { artifacts: artifacts.map((a) => ({ name: a.name, bytes: a.bytes })) };
}

async function openStep(
  deps: Pick<HubDeps, 'clock' | 'config'>,
  tx: Queryable,
  job: JobRow,
  alg: Algorithm,
  d: Extract<HubDecision<unknown>, { kind: 'step' }>,
  fx: Effects,
): Promise<void> {
  // Everything the decision asks is checked before anything of it is written.
  const progress = prepareProgress(d.progress);
  const artifacts = prepareArtifacts(d.artifacts, deps.config.maxArtifactBytes);
  const picked = pickStepSites(await projectSites(tx, job.project_id), d.sites);
  if (isJobError(progress)) return failJob(deps, tx, job, progress, fx);
  if (isJobError(artifacts)) return failJob(deps, tx, job, artifacts, fx);
  if (isJobError(picked)) return failJob(deps, tx, job, picked, fx);
  const { participants: sites, left } = picked;
  const minSites = d.minSites ?? 1;
  if (sites.length < minSites || sites.length === 0) {
    const named =
      d.sites === undefined ? '' : ` of the ${String(new Set(d.sites).size)} the step names`;
    const reason = `${sites.length} enrolled site(s)${named} in the project, ${minSites} needed`;
    await failJob(deps, tx, job, { code: 'TOO_FEW_SITES', reason }, fx);
    return;
  }
  const round = job.round + 1;
  const now = deps.clock.now();
  const deadline = new Date(now.getTime() + stepDeadlineMs(deps.config, d));
  const step = { step: d.step, input: phaseInput(d, sites), round, deadline, now };
  const tasks = sites.map((site) =>
    sealedTask(job, alg, { ...step, input: siteInput(step.input, d.step, site.name) }, site),
  );
  await insertTasks(tx, job, step, tasks);
  fx.wakeTrusts.push(...sites.map((s) => s.id));
  await tx.query(
    `UPDATE jobs SET status = 'running', state = $2::jsonb, step = $3, round = $4, min_sites = $5,
            step_deadline = $6, progress = CASE WHEN $7 THEN $8::jsonb ELSE progress END
      WHERE id = $1`,
    [
      job.id,
      jsonParam(d.state),
      d.step,
      round,
      minSites,
      deadline.toISOString(),
      progress !== undefined,
      progress ?? null,
    ],
  );
  await storeArtifacts(tx, job.id, artifacts, now);
  fx.audits.push({
    actor: SYSTEM,
    action: 'job.step',
    target: `job:${job.id}`,
    details: {
      round,
      step: d.step,
      trusts: sites.map((s) => s.name),
      ...(left.length === 0 ? {} : { left }),
      deadline: deadline.toISOString(),
      ...artifactNames(artifacts),
    },
    traceId: job.trace_id,
  });
  fx.deadline = { jobId: job.id, round, at: deadline };
  fx.changedJob = job.id;
}

/**
 * How long a step waits: the algorithm's deadline, or the hub's; the secure-aggregation phases
 * after keys at most securePhaseDeadlineMs (they move keys, shares and one vector, so a dropped
 * node must not hold the job for a whole step deadline).
 */
function stepDeadlineMs(
  config: HubDeps['config'],
  d: Extract<HubDecision<unknown>, { kind: 'step' }>,
): number {
  const ms = d.deadlineMs ?? config.stepDeadlineMs;
  const phase = phaseOf(d.step);
  return phase === null || phase === 'keys' ? ms : Math.min(ms, config.securePhaseDeadlineMs);
}

/**
 * The input the sites get. The shares phase also carries every participant's Ed25519 identity key
 * as pinned at enrolment (`identityKeys`, trust name → raw base64url), against which each node
 * verifies the signed key advertisements; the task is sealed and signed by the hub, so the node
 * takes the roster from it (the hub is trusted to relay, never to see a single node's input).
 */
function phaseInput(
  d: Extract<HubDecision<unknown>, { kind: 'step' }>,
  sites: readonly Participant[],
): unknown {
  if (phaseOf(d.step) !== 'shares' || typeof d.input !== 'object' || d.input === null)
    return d.input;
  const identityKeys = Object.fromEntries(sites.map((s) => [s.name, s.node_sign_public]));
  return { ...d.input, identityKeys };
}

interface NewTask {
  readonly id: string;
  readonly trustId: string;
  readonly sealed: SealedEnvelope;
}

interface StepSpec {
  step: string;
  input: unknown;
  round: number;
  deadline: Date;
  now: Date;
}

/** One site's task, its payload sealed to the site's pinned key (signed per delivery). */
function sealedTask(job: JobRow, alg: Algorithm, st: StepSpec, site: Participant): NewTask {
  const taskId = randomUUID();
  const payload = taskPayloadSchema.parse({
    taskId,
    jobId: job.id,
    project: { id: job.project_id, name: job.project_name },
    algorithm: { name: alg.name, version: alg.version },
    step: st.step,
    round: st.round,
    datasets: job.datasets,
    cohort: job.cohort,
    params: job.params,
    input: st.input ?? null,
    secureAggregation: job.secure_aggregation,
    traceId: job.trace_id,
    deadline: st.deadline.toISOString(),
  });
  const ad = taskAd({ taskId, trust: site.name, round: st.round }, 'task');
  return { id: taskId, trustId: site.id, sealed: sealJson(payload, site.node_seal_public, ad) };
}

/** Queues a step's tasks with one INSERT. */
async function insertTasks(
  tx: Queryable,
  job: JobRow,
  st: StepSpec,
  tasks: readonly NewTask[],
): Promise<void> {
  // $1..$4 are shared by every row; each task adds its id, trust and sealed payload.
  const rows = tasks.map(
    (_, i) => `($${i * 3 + 5}, $1, $${i * 3 + 6}, $2, $3, 'queued', $${i * 3 + 7}::jsonb, $4)`,
  );
  await tx.query(
    `INSERT INTO tasks (id, job_id, trust_id, round, step, status, sealed, created_at)
     VALUES ${rows.join(', ')}`,
    [
      job.id,
      st.round,
      st.step,
      st.now.toISOString(),
      ...tasks.flatMap((t) => [t.id, t.trustId, JSON.stringify(t.sealed)]),
    ],
  );
}
