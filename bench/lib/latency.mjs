// Job latency: a trivial one-step job (summary of one numeric variable), timed from the submit
// request to the moment the succeeded result is in hand, through the hub's HTTP API.
import { newTraceId } from '@tessera/protocol';
import { DATASET } from './csv.mjs';
import { progress } from './procs.mjs';

const WAIT_MS = 30_000;

/** Wall-clock ms with sub-ms precision, comparable with the audit logs' ISO timestamps. */
const nowMs = () => performance.timeOrigin + performance.now();

/**
 * Submits one job and waits for its result.
 * @returns {{ id, traceId, t0, tSubmitted, t1, totalMs, submitMs, view }}
 * @throws Error when the job does not succeed or the result does not count every row.
 */
export async function timeOneJob(http, project, expectedN) {
  const traceId = newTraceId();
  const body = {
    project,
    algorithm: 'summary',
    datasets: [DATASET],
    params: { variables: ['age'] },
  };
  const t0 = nowMs();
  const job = await http.call('POST', '/api/v1/jobs', body, traceId);
  const tSubmitted = nowMs();
  let view = job;
  // One long wait normally suffices; loop in case the hub caps `wait` lower than asked.
  while (view.status === 'queued' || view.status === 'running') {
    if (nowMs() - t0 > 120_000) throw new Error(`job ${job.id} still ${view.status} after 120 s`);
    view = await http.call('GET', `/api/v1/jobs/${encodeURIComponent(job.id)}?wait=${WAIT_MS}`);
  }
  const t1 = nowMs();
  if (view.status !== 'succeeded') {
    throw new Error(
      `job ${job.id} ${view.status}: ${JSON.stringify(view.error)} sites ${JSON.stringify(view.sites)}`,
    );
  }
  const n = view.result?.n;
  if (typeof n === 'number' && n !== expectedN) {
    throw new Error(`job ${job.id}: result counts ${n} rows, expected ${expectedN}`);
  }
  return {
    id: job.id,
    traceId,
    t0,
    tSubmitted,
    t1,
    totalMs: t1 - t0,
    submitMs: tSubmitted - t0,
    view,
  };
}

/**
 * Runs `warmup` untimed jobs, then `jobs` timed ones, one after the other.
 * @returns the timed samples in order.
 */
export async function runJobs(http, { project, sites, rows, jobs, warmup }) {
  const expectedN = sites * rows;
  for (let i = 0; i < warmup; i++) await timeOneJob(http, project, expectedN);
  const samples = [];
  for (let i = 0; i < jobs; i++) {
    samples.push(await timeOneJob(http, project, expectedN));
    if ((i + 1) % 10 === 0) progress(`  ${sites} nodes: ${i + 1}/${jobs} jobs`);
  }
  return samples;
}
