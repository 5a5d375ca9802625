import { randomUUID } from 'node:crypto';
import {
  MAX_JOB_WAIT_MS,
  TesseraError,
  cohortVariables,
  submitJobRequestSchema,
  type JobView,
  type SubmitJobRequest,
} from '@tessera/protocol';
import { userActor, type HubDeps, type RequestCtx, type UserPrincipal } from '../deps.js';
import { topics } from '../events.js';
import {
  loadJob,
  JOB_SELECT,
  jsonParam,
  toJobView,
  type JobRow,
} from '../orchestrator/job-rows.js';
import { jobAlgorithm, sumFormsOf } from '../orchestrator/job-algorithm.js';
import { runOrchestrated, startJob } from '../orchestrator/orchestrator.js';
import { requireJobReader, requireJobSubmitter } from '../policy.js';
import { zodIssues } from '../zod-issues.js';
import { checkJobAgainstCatalogue } from './catalogue.js';
import { membership, resolveProject } from './projects.js';

/**
 * Submits a job: checks the role, validates params with the algorithm's schema, records the job,
 * audits it and issues the first step's tasks, all in one transaction.
 * @throws TesseraError NOT_FOUND (project), FORBIDDEN, BAD_REQUEST (unknown algorithm, params
 *   that do not fit — with the issues listed — or a project without trusts), UNPROCESSABLE (a
 *   site's published catalogue lacks a dataset or variable the job names, or secure aggregation
 *   asked of an algorithm without a sum form).
 */
export async function submitJob(
  deps: HubDeps,
  ctx: RequestCtx,
  actor: UserPrincipal,
  input: SubmitJobRequest,
): Promise<JobView> {
  const { req, project, alg, params } = await checkSubmission(deps, actor, input);
  const id = randomUUID();
  await runOrchestrated(deps, async (tx, fx) => {
    const inserted = await tx.query<Omit<JobRow, 'project_name'>>(
      `INSERT INTO jobs (id, project_id, algorithm, algorithm_version, params, datasets, cohort,
                         secure_aggregation, status, trace_id, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, 'queued', $9, $10, $11)
       RETURNING *`,
      [
        id,
        project.id,
        alg.name,
        alg.version,
        JSON.stringify(params ?? null),
        JSON.stringify(req.datasets),
        jsonParam(req.cohort),
        req.secureAggregation,
        ctx.traceId,
        actor.id,
        deps.clock.now().toISOString(),
      ],
    );
    fx.audits.push({
      actor: userActor(actor),
      action: 'job.submit',
      target: `job:${id}`,
      details: {
        project: project.id,
        algorithm: alg.name,
        version: alg.version,
        datasets: req.datasets,
      },
      traceId: ctx.traceId,
    });
    const row = inserted[0];
    if (row === undefined) throw new TesseraError('INTERNAL', 'job not inserted');
    const job = { ...row, project_name: project.name };
    const planner = jobAlgorithm(deps, job);
    if (planner === undefined) throw new TesseraError('INTERNAL', 'job algorithm vanished');
    await startJob(deps, tx, job, planner, fx);
  });
  const job = await loadJob(deps.db, id);
  if (job === undefined) throw new TesseraError('INTERNAL', 'job vanished');
  return toJobView(deps.db, job);
}

/**
 * A job as seen by a project member; with `waitMs`, held until it finishes or the wait is over
 * (at most MAX_JOB_WAIT_MS), and with `sinceRound` also until its round is no longer that one (a
 * new step opened, with the progress of its decision). Woken by the orchestrator's notification;
 * re-reads the database every 2 s in case another hub process moved it without one reaching here.
 * @throws TesseraError NOT_FOUND for unknown jobs and non-members alike.
 */
export async function getJob(
  deps: HubDeps,
  actor: UserPrincipal,
  id: string,
  waitMs = 0,
  sinceRound?: number,
): Promise<JobView> {
  const until = Date.now() + Math.min(Math.max(0, waitMs), MAX_JOB_WAIT_MS);
  const waiting = (j: JobRow) =>
    j.status !== 'succeeded' &&
    j.status !== 'failed' &&
    (sinceRound === undefined || j.round === sinceRound);
  for (;;) {
    // Listen before reading, so a change committed between the read and the wait is not missed.
    const left = until - Date.now();
    const woken = left > 0 ? deps.events.wait(topics.job(id), Math.min(left, 2_000)) : null;
    const job = await readableJob(deps, actor, id);
    if (woken === null || !waiting(job) || deps.events.closed) return toJobView(deps.db, job);
    await woken;
  }
}

/** A job the actor may read. @throws TesseraError NOT_FOUND for unknown jobs and non-members. */
export async function readableJob(
  deps: Pick<HubDeps, 'db'>,
  actor: UserPrincipal,
  id: string,
): Promise<JobRow> {
  const job = await loadJob(deps.db, id);
  if (job === undefined) throw new TesseraError('NOT_FOUND', 'no such job');
  requireJobReader(actor, await membership(deps.db, job.project_id, actor.id));
  return job;
}

/** Jobs of one project (members only), or of all the user's projects; newest first, at most 200. */
export async function listJobs(
  deps: HubDeps,
  actor: UserPrincipal,
  projectRef: string | undefined,
): Promise<JobView[]> {
  let rows: JobRow[];
  if (projectRef !== undefined) {
    const p = await resolveProject(deps.db, projectRef);
    requireJobReader(actor, await membership(deps.db, p.id, actor.id));
    rows = await deps.db.query<JobRow>(
      `${JOB_SELECT} WHERE j.project_id = $1 ORDER BY j.created_at DESC LIMIT 200`,
      [p.id],
    );
  } else {
    rows = await deps.db.query<JobRow>(
      `${JOB_SELECT} JOIN project_members m ON m.project_id = j.project_id AND m.user_id = $1
        ORDER BY j.created_at DESC LIMIT 200`,
      [actor.id],
    );
  }
  return Promise.all(rows.map((r) => toJobView(deps.db, r)));
}

async function checkSubmission(deps: HubDeps, actor: UserPrincipal, input: SubmitJobRequest) {
  const req = submitJobRequestSchema.parse(input);
  const project = await resolveProject(deps.db, req.project);
  requireJobSubmitter(actor, await membership(deps.db, project.id, actor.id));
  const alg = deps.algorithms.get(req.algorithm);
  if (alg === undefined)
    throw new TesseraError('BAD_REQUEST', `unknown algorithm ${req.algorithm}`);
  if (req.secureAggregation && sumFormsOf(alg.name) === undefined) {
    // Refused rather than ignored: a researcher who asks for secure aggregation must never get a
    // plainly aggregated result believing the hub saw only the sum.
    throw new TesseraError(
      'UNPROCESSABLE',
      `algorithm ${alg.name} has no sum form, so it cannot run with secure aggregation`,
    );
  }
  const parsed = alg.params.safeParse(req.params);
  if (!parsed.success) {
    throw new TesseraError('BAD_REQUEST', `params do not fit ${alg.name}`, {
      details: { issues: zodIssues(parsed.error) },
    });
  }
  if (req.secureAggregation) {
    // What the secure wrapper refuses at its first step (summary's groups and quantiles, dp) is
    // refused here, before a job exists, with the wrapper's own reason.
    const first = jobAlgorithm(deps, { algorithm: alg.name, secure_aggregation: true })?.start(
      parsed.data,
    );
    if (first?.kind === 'failed') throw new TesseraError('UNPROCESSABLE', first.reason);
  }
  const trusts = await deps.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM project_trusts WHERE project_id = $1',
    [project.id],
  );
  if ((trusts[0]?.n ?? 0) === 0) throw new TesseraError('BAD_REQUEST', 'the project has no trusts');
  const reads = [...new Set([...alg.variables(parsed.data), ...cohortVariables(req.cohort)])];
  await checkJobAgainstCatalogue(deps.db, project, req.datasets, reads);
  return { req, project, alg, params: parsed.data };
}
