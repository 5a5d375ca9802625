import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobOutput, mustRun, startCluster, type Cluster, type JobInfo } from './cluster.js';
import { agesCsv } from './data.js';
import { createHarness } from './harness.js';

/*
 * Issue 2, Done when: "A site whose cohort has fewer than `minCount` rows releases nothing but a
 * refusal code; the job result says which site refused and why. The operator can raise
 * `minCount`; nothing a job sends can lower it."
 */

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
// alpha: 40 rows, 5 of them aged 80+; beta: 40 rows, 20 aged 80+; tiny: 8 rows in all.
const ALPHA = [...range(30, 35), ...range(80, 5)];
const BETA = [...range(40, 20), ...range(80, 20)];
const TINY = range(20, 8);
const OLD = { variable: 'age', op: '>=', value: 80 };

const h = createHarness('min-count');
let c: Cluster;

beforeAll(async () => {
  c = await startCluster(h, {
    adminVia: 'http',
    sites: [
      { name: 'alpha', csv: agesCsv(ALPHA) },
      { name: 'beta', csv: agesCsv(BETA) },
      { name: 'tiny', csv: agesCsv(TINY) },
    ],
  });
}, 180_000);

afterAll(async () => {
  await h.cleanup();
}, 60_000);

/** Runs a summary job; returns its JSON and checks the exit code matches the status. */
async function run(params: unknown, cohort?: unknown): Promise<JobInfo> {
  const r = await c.runJob({ params, ...(cohort === undefined ? {} : { cohort }) });
  const job = jobOutput(r);
  expect(r.code === 0, `exit ${r.code} for status ${job.status}: ${r.stderr}`).toBe(
    job.status === 'succeeded',
  );
  return job;
}

function site(job: JobInfo, trust: string): JobInfo['sites'][number] | undefined {
  return job.sites.find((s) => s.trust === trust);
}

function expectRefused(job: JobInfo, trust: string): void {
  expect(site(job, trust), JSON.stringify(job.sites)).toMatchObject({
    status: 'refused',
    code: 'MIN_COUNT',
  });
  expect(site(job, trust)?.reason ?? '').not.toBe('');
}

/** The node's own receipt: for this job it recorded a refusal and released nothing. */
function expectNothingReleased(trust: string, jobId: string): void {
  const lines = readFileSync(join(c.sites[trust]!.dir, 'audit.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes(jobId))
    .map((l) => JSON.parse(l) as { action: string; details: Record<string, unknown> });
  const actions = lines.map((l) => l.action);
  expect(actions, `${trust} audit for job ${jobId}`).toContain('task.refused');
  expect(actions).not.toContain('task.released');
  expect(JSON.stringify(lines)).toContain('MIN_COUNT');
}

describe('minCount at the node', () => {
  it('a site with fewer rows than minCount releases only a refusal code, named in the job', async () => {
    const job = await run({ variables: ['age', 'sex'] });
    expect(job.status).toBe('succeeded');
    expect(site(job, 'alpha')?.status).toBe('ok');
    expect(site(job, 'beta')?.status).toBe('ok');
    expectRefused(job, 'tiny');
    expectNothingReleased('tiny', job.id);
    // Pooled over the two sites that released, nothing from tiny.
    expect((job.result as { n: number }).n).toBe(ALPHA.length + BETA.length);
  }, 60_000);

  it('a cohort that leaves a site fewer than minCount rows is refused there', async () => {
    const job = await run({ variables: ['age'] }, OLD);
    expect(job.status).toBe('succeeded');
    expectRefused(job, 'alpha');
    expectNothingReleased('alpha', job.id);
    expect(site(job, 'beta')?.status).toBe('ok');
    const result = job.result as { n: number; variables: { age: { mean: number } } };
    expect(result.n).toBe(20);
    expect(result.variables.age.mean).toBe(range(80, 20).reduce((a, b) => a + b, 0) / 20);
  }, 60_000);

  it('the operator raises minCount and a site that passed now refuses', async () => {
    await mustRun(h, ['node', 'policy', '--dir', c.sites['beta']!.dir, '--min-count', '50']);
    const job = await run({ variables: ['age'] });
    expect(site(job, 'alpha')?.status).toBe('ok');
    expectRefused(job, 'beta');
    expectNothingReleased('beta', job.id);
    expect((job.result as { n: number }).n).toBe(ALPHA.length);
  }, 60_000);

  it('a job cannot lower minCount, but may raise it', async () => {
    const lower = await run({ variables: ['age'], minCount: 1 });
    expectRefused(lower, 'tiny');
    expectRefused(lower, 'beta');
    expect(site(lower, 'alpha')?.status).toBe('ok');
    expectNothingReleased('tiny', lower.id);

    // 45 > alpha's 40 rows: every site refuses, the job fails and says why per site.
    const higher = await run({ variables: ['age'], minCount: 45 });
    expect(higher.status).toBe('failed');
    for (const t of ['alpha', 'beta', 'tiny']) expectRefused(higher, t);
  }, 60_000);
});
