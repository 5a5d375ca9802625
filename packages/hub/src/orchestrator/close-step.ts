import type { HubDecision, SiteResult } from '@tessera/algorithms';
import { SITE_CODES } from '@tessera/protocol';
import type { HubDeps } from '../deps.js';
import { isoOf, type Queryable } from '../storage/db.js';
import { applyDecision, failJob } from './decisions.js';
import type { Effects } from './effects.js';
import { jobAlgorithm, phaseOf } from './job-algorithm.js';
import { loadJob, type JobRow } from './job-rows.js';

interface StepTaskRow {
  id: string;
  trust_name: string;
  status: 'queued' | 'leased' | 'done' | 'closed';
  result: { output?: unknown } | null;
  site_status: 'ok' | 'refused' | 'failed' | null;
  site_code: string | null;
  site_reason: string | null;
}

/**
 * Closes step `round` of a job when every site answered or (`force`) the deadline passed:
 * unanswered sites become failed / NO_RESPONSE; with at least minSites ok results the algorithm
 * aggregates, otherwise the job fails naming each site's code and reason. Runs inside `tx` with the
 * job row locked, and does nothing unless the job is still running at `round`, so each step is
 * aggregated exactly once however many timers, sweeps, results or hub processes race.
 */
export async function closeStep(
  deps: Pick<HubDeps, 'clock' | 'config' | 'algorithms' | 'logger'>,
  tx: Queryable,
  jobId: string,
  round: number,
  fx: Effects,
): Promise<void> {
  const job = await loadJob(tx, jobId, true);
  if (job?.status !== 'running' || job.round !== round || job.step === null) return;
  const now = deps.clock.now();
  const due = job.step_deadline !== null && new Date(isoOf(job.step_deadline)) <= now;
  // Only whether a task is still open (the results are read once, below, when it closes).
  if (!due && (await openTasks(tx, jobId, round)) > 0) return;
  await tx.query(
    `UPDATE tasks SET status = 'closed', site_status = 'failed', site_code = 'NO_RESPONSE',
            site_reason = $3, done_at = $4
      WHERE job_id = $1 AND round = $2 AND status IN ('queued', 'leased')`,
    [jobId, round, SITE_CODES.NO_RESPONSE, now.toISOString()],
  );
  // Read again after the update: a result committed while the update waited for its row lock
  // must be aggregated, not reported as NO_RESPONSE (READ COMMITTED: a new snapshot per statement).
  const results = (await stepTasks(tx, jobId, round)).map(toSiteResult);
  const ok = results.filter((r) => r.status === 'ok').length;
  if (ok < job.min_sites) {
    const sites = results
      .filter((r) => r.status !== 'ok')
      .map((r) => `${r.trust}: ${r.status} ${r.code ?? ''} (${r.reason ?? ''})`)
      .join('; ');
    const phase = phaseOf(job.step);
    const where = phase === null ? '' : `secure aggregation, step ${job.step}: `;
    const reason = `${where}${ok} of ${results.length} sites answered ok, ${job.min_sites} needed${phase === 'unmask' ? '; nothing was unmasked' : ''}. ${sites}`;
    // A secure sum short of its threshold fails as the wrapper's own checks do (same code).
    const code = phase === null ? 'TOO_FEW_SITES' : 'SECURE_AGGREGATION_FAILED';
    await failJob(deps, tx, job, { code, reason }, fx);
    return;
  }
  await aggregate(deps, tx, job, results, fx);
}

/** How many tasks of a step still wait for a result (queued or leased). */
export async function openTasks(tx: Queryable, jobId: string, round: number): Promise<number> {
  const rows = await tx.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM tasks
      WHERE job_id = $1 AND round = $2 AND status IN ('queued', 'leased')`,
    [jobId, round],
  );
  return rows[0]?.n ?? 0;
}

function stepTasks(tx: Queryable, jobId: string, round: number): Promise<StepTaskRow[]> {
  return tx.query<StepTaskRow>(
    `SELECT t.id, tr.name AS trust_name, t.status, t.result, t.site_status, t.site_code, t.site_reason
       FROM tasks t JOIN trusts tr ON tr.id = t.trust_id
      WHERE t.job_id = $1 AND t.round = $2 ORDER BY tr.name`,
    [jobId, round],
  );
}

function toSiteResult(t: StepTaskRow): SiteResult {
  if (t.status !== 'done' || t.site_status === null) {
    return {
      trust: t.trust_name,
      status: 'failed',
      code: 'NO_RESPONSE',
      reason: SITE_CODES.NO_RESPONSE,
    };
  }
  if (t.site_status === 'ok')
    return { trust: t.trust_name, status: 'ok', output: t.result?.output };
  return {
    trust: t.trust_name,
    status: t.site_status,
    ...(t.site_code === null ? {} : { code: t.site_code }),
    ...(t.site_reason === null ? {} : { reason: t.site_reason }),
  };
}

async function aggregate(
  deps: Pick<HubDeps, 'clock' | 'config' | 'algorithms' | 'logger'>,
  tx: Queryable,
  job: JobRow,
  results: SiteResult[],
  fx: Effects,
): Promise<void> {
  const alg = jobAlgorithm(deps, job);
  if (alg === undefined) {
    const reason = `the hub no longer knows algorithm ${job.algorithm}${job.secure_aggregation ? ' with secure aggregation' : ''}`;
    await failJob(deps, tx, job, { code: 'ALGORITHM_UNKNOWN', reason }, fx);
    return;
  }
  let decision: HubDecision<unknown>;
  try {
    decision = alg.aggregate(job.params, job.state, job.step ?? '', results);
  } catch (e) {
    // The message may describe data shapes; it goes to the job's owner, the log gets the class only.
    deps.logger.warn({ jobId: job.id, err: (e as Error).name }, 'aggregate step threw');
    const reason = `the aggregate step failed: ${(e as Error).message}`.slice(0, 500);
    await failJob(deps, tx, job, { code: 'AGGREGATE_FAILED', reason }, fx);
    return;
  }
  await applyDecision(deps, tx, job, alg, decision, fx);
}
