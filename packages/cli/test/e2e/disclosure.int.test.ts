import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobOutput, mustRun, startCluster, type Cluster, type JobInfo } from './cluster.js';
import { createHarness } from './harness.js';

/*
 * Issue 3, Done when: "Disclosure tests: a small cell, a small subgroup, an over-parameterised
 * model, and a differencing pair (the same filter with one patient excluded) are each refused
 * with their codes, and the node's audit log shows nothing released for them."
 */

const MIN = 10;

/**
 * 60 patients with a unique numeric `pid` (alpha 1–60, beta 101–160); `smoking` is `current`
 * for three of them only, a small cell at every site.
 */
function sitePatients(firstPid: number): string {
  const lines = ['pid,age,sex,bmi,smoking,x1,x2,x3'];
  for (let i = 0; i < 60; i++) {
    const smoking = i < 3 ? 'current' : i % 2 === 0 ? 'never' : 'former';
    const bmi = (20 + ((i * 7) % 13) + i / 10).toFixed(1);
    lines.push(
      [
        firstPid + i,
        30 + ((i * 11) % 50),
        i % 2 === 0 ? 'F' : 'M',
        bmi,
        smoking,
        i % 5,
        (i * 3) % 7,
        (i * i) % 11,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

const pidsUpTo = (n: number) => ({
  or: [
    { variable: 'pid', op: '<=', value: n },
    { variable: 'pid', op: 'between', value: [101, 100 + n] },
  ],
});

const h = createHarness('disclosure');
let c: Cluster;

beforeAll(async () => {
  c = await startCluster(h, {
    adminVia: 'http',
    sites: [
      { name: 'alpha', csv: sitePatients(1) },
      { name: 'beta', csv: sitePatients(101) },
    ],
  });
}, 180_000);

afterAll(async () => {
  await h.cleanup();
}, 60_000);

/** `job run --json` of any algorithm as the researcher; checks the exit code fits the status. */
async function job(algorithm: string, params: unknown, cohort?: unknown): Promise<JobInfo> {
  const r = await c.runJob({ algorithm, params, cohort, waitMs: 120_000 });
  const out = jobOutput(r);
  expect(r.code === 0, `exit ${String(r.code)} for ${out.status}: ${r.stderr}`).toBe(
    out.status === 'succeeded',
  );
  return out;
}

const site = (j: JobInfo, trust: string) => j.sites.find((s) => s.trust === trust);

interface AuditLine {
  action: string;
  target: string;
  details: Record<string, unknown>;
}

/** The node's audit entries of one job. */
function auditOf(trust: string, jobId: string): AuditLine[] {
  return readFileSync(join(c.sites[trust]!.dir, 'audit.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes(jobId))
    .map((l) => JSON.parse(l) as AuditLine);
}

/**
 * The site refused with `code` and says so in `sites`; its own log holds the refusal, and no
 * release for the refused task. Returns the steps the site released earlier in the job.
 */
function expectRefusedAt(j: JobInfo, trust: string, code: string): string[] {
  expect(site(j, trust), JSON.stringify(j.sites)).toMatchObject({ status: 'refused', code });
  const lines = auditOf(trust, j.id);
  const refused = lines.filter((l) => l.action === 'task.refused');
  expect(
    refused.map((l) => l.details.code),
    `${trust} audit of job ${j.id}`,
  ).toEqual([code]);
  const task = refused[0]?.target;
  const released = lines.filter((l) => l.action === 'task.released');
  expect(released.filter((l) => l.target === task)).toEqual([]);
  return released.map((l) => String(l.details.step));
}

/** Every count in a released or pooled table: none is between 1 and minCount − 1. */
function expectNoSmallCount(counts: readonly (number | null)[]): void {
  for (const n of counts)
    if (n !== null) expect(n === 0 || n >= MIN, `count ${String(n)}`).toBe(true);
}

describe('disclosure control at the node, with a real hub and nodes', () => {
  it('a small subgroup: a cohort with fewer than minCount rows is refused MIN_COUNT', async () => {
    const j = await job('summary', { variables: ['age'] }, pidsUpTo(5));
    expect(j.status).toBe('failed');
    for (const t of ['alpha', 'beta']) expectRefusedAt(j, t, 'MIN_COUNT');
    expect(JSON.stringify(j.sites)).not.toMatch(/\b5 rows\b/);
  }, 60_000);

  it('a small cell: crosstab and summary suppress it, and nothing below minCount leaves a node', async () => {
    const x = await job('crosstab', { rows: 'sex', columns: 'smoking' });
    expect(x.status).toBe('succeeded');
    const result = x.result as { columns: string[]; counts: (number | null)[][] };
    const current = result.columns.indexOf('current');
    expect(current).toBeGreaterThanOrEqual(0);
    expect(result.counts.map((r) => r[current])).toEqual([null, null]);
    expectNoSmallCount(result.counts.flat());

    const s = await job('summary', { variables: ['smoking'] });
    const levels = (
      s.result as { variables: { smoking: { levels: Record<string, number | null> } } }
    ).variables.smoking.levels;
    expect(levels.current ?? null).toBeNull();
    expectNoSmallCount(Object.values(levels));

    // The nodes' receipts of what left: every released cell is 0 or at least minCount.
    for (const t of ['alpha', 'beta']) {
      for (const id of [x.id, s.id]) {
        const released = auditOf(t, id).filter((l) => l.action === 'task.released');
        expect(released).toHaveLength(1);
        const cells =
          JSON.stringify(released[0]?.details.output).match(
            /"(?:F|M|never|former|current)":\d+/g,
          ) ?? [];
        expectNoSmallCount(cells.map((m) => Number(m.split(':')[1])));
      }
    }
  }, 60_000);

  it('an over-parameterised linear regression is refused PARAMETER_LIMIT', async () => {
    // 12 rows per site, 6 parameters > 0.33 × 12
    const j = await job(
      'linear-regression',
      { outcome: 'bmi', covariates: ['age', 'x1', 'x2', 'x3', 'pid'] },
      pidsUpTo(12),
    );
    expect(j.status).toBe('failed');
    for (const t of ['alpha', 'beta']) {
      // Only the first step, the covariates' level names, left; no statistic of the model did.
      expect(expectRefusedAt(j, t, 'PARAMETER_LIMIT')).toEqual(['levels']);
    }
  }, 60_000);

  it('a differencing pair: the same rows with one patient excluded is refused DIFFERENCING', async () => {
    // The whole dataset was released above (crosstab and summary without a cohort).
    const again = await job('summary', { variables: ['age'] });
    expect(again.sites.map((s) => s.status)).toEqual(['ok', 'ok']);

    const minusOne = await job(
      'summary',
      { variables: ['age'] },
      {
        variable: 'pid',
        op: '!=',
        value: 7,
      },
    );
    expectRefusedAt(minusOne, 'alpha', 'DIFFERENCING');
    expect(site(minusOne, 'alpha')?.reason ?? '').not.toMatch(/\b[1-9] rows?\b/);
    // beta holds no pid 7: its rows are the ones it released already, so it answers.
    expect(site(minusOne, 'beta')?.status).toBe('ok');
    expect((minusOne.result as { n: number }).n).toBe(60);

    // A cohort minCount or more rows away from everything released passes.
    const far = await job(
      'summary',
      { variables: ['age'] },
      { variable: 'pid', op: '>', value: 20 },
    );
    expect(far.sites.map((s) => s.status)).toEqual(['ok', 'ok']);
    const farMinusOne = await job(
      'summary',
      { variables: ['age'] },
      {
        and: [
          { variable: 'pid', op: '>', value: 20 },
          { variable: 'pid', op: '!=', value: 130 },
        ],
      },
    );
    expectRefusedAt(farMinusOne, 'beta', 'DIFFERENCING');
  }, 90_000);

  it('an overlong string is refused STRING_LIMIT naming where it was, never echoing it', async () => {
    const long = 'z'.repeat(120);
    const j = await job(
      'summary',
      { variables: ['age'] },
      { variable: 'smoking', op: '=', value: long },
    );
    expect(j.status).toBe('failed');
    for (const t of ['alpha', 'beta']) {
      expectRefusedAt(j, t, 'STRING_LIMIT');
      expect(site(j, t)?.reason).toContain('cohort.value');
      // The task as received is on record; the refusal itself does not repeat the string.
      const refusal = auditOf(t, j.id).find((l) => l.action === 'task.refused');
      expect(String(refusal?.details.reason)).not.toContain(long);
    }
  }, 60_000);

  it('the operator lowers maxLevels and a variable with more levels is refused LEVEL_LIMIT', async () => {
    const set = await mustRun(h, [
      'node',
      'policy',
      '--dir',
      c.sites.beta!.dir,
      '--max-levels',
      '2',
      '--json',
    ]);
    expect(JSON.parse(set.stdout)).toMatchObject({
      maxLevels: 2,
      maxStringLength: 80,
      differencingGuard: true,
    });
    const j = await job('summary', { variables: ['smoking'] });
    expectRefusedAt(j, 'beta', 'LEVEL_LIMIT');
    expect(site(j, 'beta')?.reason).toContain('smoking');
    expect(site(j, 'alpha')?.status).toBe('ok');
    await mustRun(h, ['node', 'policy', '--dir', c.sites.beta!.dir, '--max-levels', '40']);
  }, 60_000);
});
