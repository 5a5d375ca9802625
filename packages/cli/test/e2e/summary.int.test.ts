import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobOutput, startCluster, type Cluster } from './cluster.js';
import { pooledReference, relClose, siteCsv, VARIABLES } from './data.js';
import { createHarness, waitFor } from './harness.js';
import { listeningSockets, processSockets } from './sockets.js';

/*
 * Issue 2, Done when: "a hub and 3 nodes as real processes over real TLS sockets; the summary
 * equals the pooled computation over all rows within 1e-12" and "a node listens on no port other
 * than its console on 127.0.0.1".
 */

/** Relative tolerance of means and SDs against the pooled reference (issue 2). */
const REL_TOL = 1e-12;

const SITES = [
  { name: 'north-trust', csv: siteCsv({ rows: 260, seed: 11, shift: -4 }) },
  { name: 'south-trust', csv: siteCsv({ rows: 340, seed: 22, shift: 3 }) },
  { name: 'east-trust', csv: siteCsv({ rows: 180, seed: 33, shift: 8 }) },
];

const h = createHarness('summary');
let c: Cluster;

beforeAll(async () => {
  c = await startCluster(h, { sites: SITES });
}, 180_000);

afterAll(async () => {
  await h.cleanup();
}, 60_000);

describe('a hub and three nodes as separate processes', () => {
  it('computes a summary equal to the pooled computation over every row of the three CSVs', async () => {
    const variables = [...VARIABLES.numeric, ...VARIABLES.categorical];
    const r = await c.runJob({ params: { variables } });
    expect(r.code, `${r.stderr}\n${c.context()}`).toBe(0);
    const job = jobOutput(r);
    expect(job.status).toBe('succeeded');

    // Every trust released.
    expect(job.sites.map((s) => s.trust).sort()).toEqual(SITES.map((s) => s.name).sort());
    for (const s of job.sites) expect(s.status, JSON.stringify(s)).toBe('ok');

    const ref = pooledReference(
      SITES.map((s) => s.csv),
      VARIABLES.numeric,
      VARIABLES.categorical,
    );
    const result = job.result as {
      n: number;
      variables: Record<string, Record<string, unknown>>;
    };
    expect(result.n).toBe(ref.n);
    expect(ref.n).toBe(780);
    for (const [name, want] of Object.entries(ref.numeric)) {
      const got = result.variables[name];
      expect(got, name).toBeDefined();
      expect(got?.['count'], `${name}.count`).toBe(want.count);
      expect(got?.['missing'], `${name}.missing`).toBe(want.missing);
      expect(
        relClose(got?.['mean'], want.mean, REL_TOL),
        `${name}.mean ${String(got?.['mean'])} vs ${want.mean}`,
      ).toBe(true);
      expect(
        relClose(got?.['sd'], want.sd, REL_TOL),
        `${name}.sd ${String(got?.['sd'])} vs ${want.sd}`,
      ).toBe(true);
      // The data has missing values, so a bug that ignores them would show.
      expect(want.missing).toBeGreaterThan(0);
    }
    for (const [name, want] of Object.entries(ref.categorical)) {
      const got = result.variables[name];
      expect(got?.['count'], `${name}.count`).toBe(want.count);
      expect(got?.['missing'], `${name}.missing`).toBe(want.missing);
      expect(got?.['levels'], `${name}.levels`).toEqual(want.levels);
      expect(got?.['suppressed'] ?? [], `${name}.suppressed`).toEqual([]);
    }
  }, 120_000);

  it('lists each node as listening on exactly one socket: its console on 127.0.0.1', async () => {
    for (const site of Object.values(c.sites)) {
      const proc = site.proc!;
      expect(proc.alive(), proc.tail()).toBe(true);
      // The node is polling: it holds a connection to the hub.
      await waitFor(
        `${site.name} to hold a connection to the hub`,
        () => processSockets(proc.pid).some((s) => s.remotePort === c.port && s.state === '01'),
        { timeoutMs: 30_000, context: () => proc.tail() },
      );

      const listening = listeningSockets(proc.pid);
      expect(listening, `${site.name}: ${JSON.stringify(listening)}`).toHaveLength(1);
      const only = listening[0]!;
      expect(only.proto).toMatch(/^tcp/);
      expect(['127.0.0.1', '::ffff:127.0.0.1']).toContain(only.localAddress);

      // It is the console the node announced, and it answers HTTP on loopback.
      const announced = /console at (http:\/\/127\.0\.0\.1:(\d+))/.exec(proc.output());
      expect(announced, proc.tail()).not.toBeNull();
      expect(Number(announced![2])).toBe(only.localPort);
      const res = await fetch(`${announced![1]}/`);
      await res.body?.cancel();
      expect(res.status).toBeGreaterThanOrEqual(200);

      // The same from `ss`, which reads the kernel's socket table another way.
      const ss = execFileSync('ss', ['-ltunpH'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(`pid=${proc.pid},`));
      expect(ss, ss.join('\n')).toHaveLength(1);
      expect(ss[0]).toContain(`127.0.0.1:${only.localPort}`);
    }
  }, 60_000);
});
