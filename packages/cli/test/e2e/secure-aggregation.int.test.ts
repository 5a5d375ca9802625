import {
  SUM_FORMS,
  getAlgorithm,
  parsePhaseStep,
  type Layout,
  type SecureAggregationReport,
} from '@tessera/algorithms';
import { chiSquareUniformBytes, encodeFixed, fromB64u } from '@tessera/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobOutput, startCluster, type Cluster } from './cluster.js';
import type { JobInfo } from './cluster-types.js';
import { siteCsv } from './data.js';
import { createHarness, waitFor, type Proc } from './harness.js';
import { readHubStore, type StoredTask } from './hub-store.js';
import { findInFiles } from './scan.js';

/*
 * Issue 5, secure aggregation end to end: a real hub and five real nodes over TLS, t = 3. Secure
 * jobs equal the plain ones within the fixed-point error; nodes that stop right after sending
 * their masked vector (TESSERA_FAILPOINTS=exit-after:sa-masked) do not stop the sum while at
 * least t answer the unmask phase; three do, cleanly; and what the hub stored holds no node's
 * plain vector and only masked vectors that look uniform.
 */

const NAMES = ['sa-1', 'sa-2', 'sa-3', 'sa-4', 'sa-5'];
const SITES = NAMES.map((name, i) => ({
  name,
  csv: siteCsv({ rows: 120 + 20 * i, seed: 500 + i, shift: 2 * i - 4 }),
}));
const SUMMARY = { variables: ['age', 'bmi', 'sex', 'smoking'] };
const LOGISTIC = { outcome: 'sex', covariates: ['age', 'bmi'] };
/** The secure phases after keys wait this long for a node that went away. */
const PHASE_DEADLINE_MS = 2_500;

const h = createHarness('secure-aggregation');
let c: Cluster;
const jobs: Record<string, JobInfo> = {};
const timings: Record<string, number> = {};

beforeAll(async () => {
  c = await startCluster(h, {
    sites: SITES,
    adminVia: 'http',
    hubSettings: { securePhaseDeadlineMs: PHASE_DEADLINE_MS, leaseMs: 5_000 },
  });
}, 180_000);

afterAll(async () => {
  if (process.env['TESSERA_E2E_TRACE'] === '1')
    process.stderr.write(`[e2e] secure-aggregation timings ${JSON.stringify(timings)}\n`);
  await h.cleanup();
}, 60_000);

async function job(label: string, algorithm: string, params: unknown, secure: boolean) {
  const started = Date.now();
  const r = await c.runJob({ algorithm, params, secure, waitMs: 90_000 });
  timings[label] = Date.now() - started;
  const out = jobOutput(r);
  jobs[label] = out;
  return { r, job: out };
}

/** Fields of a result that describe the transport, not the statistics. */
const TRANSPORT = new Set(['sites', 'secureAggregation', 'coarsened']);

/** Secure and plain agree: every number within rtol 1e-6 (fixed point 2^-20; see the README). */
function expectAgree(secure: unknown, plain: unknown, path = 'result'): void {
  if (typeof plain === 'number' && typeof secure === 'number') {
    expect(Math.abs(secure - plain), path).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(plain)));
    return;
  }
  if (typeof plain === 'object' && plain !== null) {
    const keys = Object.keys(plain).filter((k) => !TRANSPORT.has(k));
    const s = (secure ?? {}) as Record<string, unknown>;
    expect(
      Object.keys(s)
        .filter((k) => !TRANSPORT.has(k))
        .sort(),
      path,
    ).toEqual(keys.sort());
    for (const k of keys) expectAgree(s[k], (plain as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  expect(secure, path).toEqual(plain);
}

const reportOf = (j: JobInfo): SecureAggregationReport =>
  (j.result as { secureAggregation: SecureAggregationReport }).secureAggregation;

/** Restarts the given nodes with the failpoint, the others as they are. */
async function withFailpoint(names: readonly string[]): Promise<Proc[]> {
  return Promise.all(
    names.map(async (name) => {
      const site = c.sites[name];
      if (site === undefined) throw new Error(`no site ${name}`);
      await site.proc?.stop();
      const p = h.spawn(`node ${name} (failpoint)`, ['node', 'start', '--dir', site.dir], {
        TESSERA_FAILPOINTS: 'exit-after:sa-masked',
      });
      site.proc = p;
      return p;
    }),
  );
}

/** Waits for nodes stopped by the failpoint (exit 75), then starts them again normally. */
async function restartStopped(procs: readonly Proc[], names: readonly string[]): Promise<void> {
  for (const p of procs) {
    const exit = await waitFor(
      'the failpoint node to exit',
      () => (p.alive() ? undefined : p.exited),
      {
        timeoutMs: 10_000,
        context: () => p.tail(20),
      },
    );
    expect(exit.code, p.tail(20)).toBe(75);
    expect(p.output()).toMatch(/fault injection is on/);
  }
  await Promise.all(names.map((n) => c.startNode(n, false)));
}

describe('secure aggregation with a hub and five nodes (t = 3)', () => {
  it('a secure summary equals the plain one within the fixed-point error', async () => {
    const plain = await job('summary plain', 'summary', SUMMARY, false);
    const secure = await job('summary secure', 'summary', SUMMARY, true);
    expect(plain.job.status, c.context()).toBe('succeeded');
    expect(secure.r.code, `${secure.r.stderr}\n${c.context()}`).toBe(0);
    expect(secure.job.status).toBe('succeeded');
    expectAgree(secure.job.result, plain.job.result);
    const report = reportOf(secure.job);
    expect(report).toMatchObject({ sites: 5, threshold: 3, scaleBits: 20, dropped: [], sums: 1 });
    expect(report.errorBound).toBeCloseTo(5 * 2 ** -21, 12);
  });

  it('a secure logistic regression runs several secure Newton rounds and equals the plain fit', async () => {
    const plain = await job('logistic plain', 'logistic-regression', LOGISTIC, false);
    const secure = await job('logistic secure', 'logistic-regression', LOGISTIC, true);
    expect(plain.job.status, JSON.stringify(plain.job.error)).toBe('succeeded');
    expect(secure.job.status, `${JSON.stringify(secure.job.error)}\n${c.context()}`).toBe(
      'succeeded',
    );
    expectAgree(secure.job.result, plain.job.result);
    expect(reportOf(secure.job).sums).toBeGreaterThanOrEqual(3);
  });

  it('one node that stops right after its masked vector: the sum still opens, over all five inputs', async () => {
    const stopped = await withFailpoint(['sa-1']);
    const r = await job('summary secure, 1 stops', 'summary', SUMMARY, true);
    expect(r.job.status, `${JSON.stringify(r.job.error)}\n${c.context()}`).toBe('succeeded');
    expectAgree(r.job.result, jobs['summary plain']?.result);
    expect(reportOf(r.job)).toMatchObject({ sites: 5, dropped: [] });
    expect(r.job.sites.find((s) => s.trust === 'sa-1')).toMatchObject({ code: 'NO_RESPONSE' });
    await restartStopped(stopped, ['sa-1']);
  });

  it('two nodes that stop right after their masked vectors: the sum still opens', async () => {
    const stopped = await withFailpoint(['sa-2', 'sa-4']);
    const r = await job('summary secure, 2 stop', 'summary', SUMMARY, true);
    expect(r.job.status, `${JSON.stringify(r.job.error)}\n${c.context()}`).toBe('succeeded');
    expectAgree(r.job.result, jobs['summary plain']?.result);
    await restartStopped(stopped, ['sa-2', 'sa-4']);
  });

  it('three nodes that stop: the job fails cleanly, naming the phase and the threshold', async () => {
    const stopped = await withFailpoint(['sa-1', 'sa-3', 'sa-5']);
    const r = await job('summary secure, 3 stop', 'summary', SUMMARY, true);
    expect(r.r.code).not.toBe(0);
    expect(r.job.status).toBe('failed');
    expect(r.job.result).toBeNull();
    expect(r.job.error?.code).toBe('SECURE_AGGREGATION_FAILED');
    expect(r.job.error?.reason).toMatch(
      /sa-unmask: 2 of 5 sites answered ok, 3 needed; nothing was unmasked/,
    );
    await restartStopped(stopped, ['sa-1', 'sa-3', 'sa-5']);
  });

  it("the hub stored no node's plain vector, and the masked vectors look uniform", async () => {
    await c.hub.stop();
    const plainId = jobs['summary plain']?.id;
    const secureIds = Object.entries(jobs)
      .filter(([label]) => label.includes('secure'))
      .map(([, j]) => j.id);
    const { tasks } = await readHubStore(c.hubDir);
    const secureTasks = tasks.filter((t) => secureIds.includes(t.jobId));
    expect(secureTasks.length).toBeGreaterThan(0);
    // What each node would have sent in the clear: its plain output as the summary's vector.
    const layout = mergedLayout(secureTasks.filter((t) => t.jobId === jobs['summary secure']?.id));
    const plainVectors = tasks
      .filter((t) => t.jobId === plainId && t.step === 'stats')
      .map((t) => ({ trust: t.trust, x: plainVector(t, layout) }));
    expect(plainVectors).toHaveLength(5);
    const masked = secureTasks
      .filter((t) => parsePhaseStep(t.step)?.phase === 'masked' && t.result?.status === 'ok')
      .map((t) => ({ t, y: fromB64u((t.result?.output as { masked: string }).masked) }));
    expect(masked.length).toBeGreaterThanOrEqual(5 * 4);
    const stored = secureTasks.map((t) => JSON.stringify(t.result)).join('\n');
    for (const { trust, x } of plainVectors) {
      const bytes = new Uint8Array(x.buffer);
      expect(stored.includes(Buffer.from(bytes).toString('base64url')), trust).toBe(false);
      expect(findInFiles(c.hubDir, [Buffer.from(bytes).toString('base64url')]), trust).toEqual([]);
      for (const m of masked.filter((m) => m.y.length === bytes.length)) {
        const y = new Uint32Array(new Uint8Array(m.y).buffer);
        let same = 0;
        for (let j = 0; j < x.length; j += 2) if (x[j] === y[j] && x[j + 1] === y[j + 1]) same++;
        expect(same, `${trust} in ${m.t.trust}'s masked vector`).toBe(0);
      }
    }
    // Pearson's chi-square of all masked bytes against uniform, 255 df, two-sided p > 1e-6
    // (scipy.stats.chi2.ppf(1e-6, 255) = 161.65, ppf(1 − 1e-6, 255) = 377.08); the plain
    // vectors, the control, fail it by far.
    const all = Buffer.concat(masked.map((m) => m.y));
    expect(all.length).toBeGreaterThan(256 * 10);
    const x2 = chiSquareUniformBytes(all);
    expect(x2).toBeGreaterThan(161.65);
    expect(x2).toBeLessThan(377.08);
    const control = Buffer.concat(plainVectors.map((p) => new Uint8Array(p.x.buffer)));
    expect(chiSquareUniformBytes(control)).toBeGreaterThan(377.08);
  });
});

function mergedLayout(keysTasks: readonly StoredTask[]): Layout {
  const merged = new Map<string, Set<string>>();
  for (const t of keysTasks) {
    if (parsePhaseStep(t.step)?.phase !== 'keys') continue;
    const l = (t.result?.output as { layout?: Layout } | undefined)?.layout ?? {};
    for (const [k, names] of Object.entries(l)) {
      const set = merged.get(k) ?? new Set<string>();
      for (const n of names) set.add(n);
      merged.set(k, set);
    }
  }
  const sorted = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return Object.fromEntries([...merged].map(([k, s]) => [k, [...s].sort(sorted)]));
}

function plainVector(t: StoredTask, layout: Layout): Uint32Array {
  const form = SUM_FORMS['summary']?.['stats'];
  const alg = getAlgorithm('summary');
  if (form === undefined || alg === undefined) throw new Error('summary has no sum form');
  const params = alg.params.parse(SUMMARY) as never;
  const v = form.toVector(t.result?.output, params, null, layout);
  return encodeFixed(v, { scaleBits: 20, parties: 5 });
}
