import { TesseraError, type JobView, type SubmitJobRequest } from '@tessera/protocol';
import type { HubApi } from './hub-api.js';

/** Statuses after which a job no longer changes. */
export function isFinished(job: JobView): boolean {
  return job.status === 'succeeded' || job.status === 'failed';
}

export interface WaitOptions {
  /** Give up after this long (ms). */
  readonly timeoutMs: number;
  /** Called with a line whenever the job's status, round or a site's state changes. */
  readonly onProgress?: (line: string) => void;
  /** Called with every view of the job the hub returns, before `onProgress` (e.g. for a bar). */
  readonly onJob?: (job: JobView) => void;
  readonly now?: () => number;
}

/** One line saying where a job stands, e.g. "running, round 1; site-a ok, site-b pending". */
export function describeProgress(job: JobView): string {
  const sites = job.sites.map((s) => `${s.trust} ${s.status}`).join(', ');
  const round = job.status === 'running' ? `, round ${job.round}` : '';
  return `job ${job.status}${round}${sites === '' ? '' : `; ${sites}`}`;
}

/**
 * Long-polls the hub (GET /api/v1/jobs/:id?wait=…&sinceRound=…) until the job has finished,
 * waking at every new step so that `onJob` sees each round's progress.
 * @throws TesseraError TIMEOUT when it has not finished within `timeoutMs`; whatever the hub
 *   call throws.
 */
export async function waitForJob(api: HubApi, id: string, o: WaitOptions): Promise<JobView> {
  const now = o.now ?? Date.now;
  const deadline = now() + o.timeoutMs;
  let job = await api.getJob(id, 0);
  o.onJob?.(job);
  let last = describeProgress(job);
  o.onProgress?.(last);
  while (!isFinished(job)) {
    const left = deadline - now();
    if (left <= 0) {
      throw new TesseraError(
        'TIMEOUT',
        `job ${id} is still ${job.status} after ${Math.round(o.timeoutMs / 1000)} s; see \`tessera job show ${id}\``,
      );
    }
    // sinceRound: the hub answers as soon as the next step opens, so progress shows per round.
    job = await api.getJob(id, Math.min(left, 25_000), job.round);
    o.onJob?.(job);
    const line = describeProgress(job);
    if (line !== last) o.onProgress?.(line);
    last = line;
  }
  return job;
}

/** Submits a job and waits for it (see {@link waitForJob}). */
export async function submitAndWait(
  api: HubApi,
  req: SubmitJobRequest,
  o: WaitOptions,
): Promise<JobView> {
  const job = await api.submitJob(req);
  o.onProgress?.(`job ${job.id} submitted (${job.algorithm} on ${job.project.name})`);
  if (isFinished(job)) return job;
  return waitForJob(api, job.id, o);
}
