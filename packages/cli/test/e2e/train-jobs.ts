import { DATASET, PROJECT, type Cluster } from './cluster.js';
import { waitFor } from './harness.js';
import type { ModelDoc } from './train-data.js';

/* Training jobs through the hub's HTTP API as the researcher, for train-*.int.test.ts. */

/** One finished round as a train result (and its progress) lists it. */
export interface RoundInfo {
  round: number;
  loss: number;
  accuracy: number;
  auc: number | null;
  sites: number;
  failed: string[];
}

/** What the tests read of a train job. */
export interface TrainJob {
  id: string;
  status: string;
  round: number;
  error: { code: string; reason: string } | null;
  sites: { trust: string; status: string; code?: string; reason?: string }[];
  progress: { kind: string; total: number; done: number; metrics: RoundInfo[] } | null;
  result: {
    rounds: RoundInfo[];
    final: { loss: number; accuracy: number; auc: number | null; examples: number };
    model: { id: string };
    secureAggregation?: { errorBound?: number };
  } | null;
}

/** Submits `train` with `params`; returns the job id. */
export async function submitTrain(c: Cluster, params: unknown, secure = false): Promise<string> {
  const job = await c.http.ok<{ id: string }>('POST', '/api/v1/jobs', {
    token: c.researcherToken,
    body: {
      project: PROJECT,
      algorithm: 'train',
      datasets: [DATASET],
      cohort: null,
      params,
      secureAggregation: secure,
    },
  });
  return job.id;
}

/** The job as the hub shows it now. */
export function getTrainJob(c: Cluster, id: string): Promise<TrainJob> {
  return c.http.ok<TrainJob>('GET', `/api/v1/jobs/${id}`, { token: c.researcherToken });
}

/** Waits until the job's progress satisfies `ok` (or it has finished, which fails the wait). */
export function waitForProgress(
  c: Cluster,
  id: string,
  what: string,
  ok: (p: NonNullable<TrainJob['progress']>) => boolean,
): Promise<TrainJob> {
  return waitFor(
    what,
    async () => {
      const job = await getTrainJob(c, id);
      if (job.status === 'succeeded' || job.status === 'failed')
        throw new Error(`job ${id} ${job.status} before ${what}: ${JSON.stringify(job.error)}`);
      return job.progress !== null && ok(job.progress) ? job : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 25, context: c.context },
  );
}

/** Waits for the job to finish and returns it. */
export async function finishedTrainJob(c: Cluster, id: string): Promise<TrainJob> {
  await c.waitJob(id, 150_000);
  return getTrainJob(c, id);
}

/** A job's stored document (e.g. 'model/final') as a model. */
export async function artifactModel(c: Cluster, id: string, name: string): Promise<ModelDoc> {
  const view = await c.http.ok<{ body: ModelDoc }>('GET', `/api/v1/jobs/${id}/artifacts/${name}`, {
    token: c.researcherToken,
  });
  return view.body;
}

/** The hub's `job.step` audit entries of a job, in order: which step, which round. */
export async function jobSteps(
  c: Cluster,
  id: string,
): Promise<{ step: string; round: number; trusts: string[] }[]> {
  return (await c.audit())
    .filter((e) => e.action === 'job.step' && e.target === `job:${id}`)
    .map((e) => ({
      step: String(e.details['step']),
      round: Number(e.details['round']),
      trusts: (e.details['trusts'] as string[] | undefined) ?? [],
    }));
}

/** Largest |a − b| over two parameter vectors of the same length. */
export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`${a.length} vs ${b.length} parameters`);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] ?? NaN))), 0);
}
