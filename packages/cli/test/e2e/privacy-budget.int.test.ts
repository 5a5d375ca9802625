import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DATASET,
  PROJECT,
  jobOutput,
  mustRun,
  startCluster,
  type Cluster,
  type JobInfo,
} from './cluster.js';
import { createHarness } from './harness.js';

/*
 * Issue 5, Done when: "The privacy ledger refuses the release that would exceed the budget,
 * survives a node restart, and shows in the node's audit log." Each site's operator sets ε = 1
 * for the project; each noisy summary spends 0.4 of it.
 */

function patients(seed: number): string {
  const lines = ['age,sex'];
  for (let i = 0; i < 80; i++) lines.push(`${20 + ((i * 13 + seed) % 60)},${i % 2 ? 'F' : 'M'}`);
  return `${lines.join('\n')}\n`;
}

const SITES = ['alpha', 'beta'];
const DP = { mechanism: 'laplace', epsilon: 0.4, bounds: { age: [0, 100] } };

const h = createHarness('privacy-budget');
let c: Cluster;

beforeAll(async () => {
  c = await startCluster(h, {
    adminVia: 'http',
    sites: SITES.map((name, i) => ({ name, csv: patients(i) })),
    startNodes: false,
  });
  // The operator sets the project's budget before the node starts.
  for (const name of SITES) {
    const dir = c.sites[name]?.dir ?? '';
    await mustRun(h, [
      'node',
      'approve',
      '--dir',
      dir,
      PROJECT,
      '--datasets',
      DATASET,
      '--epsilon',
      '1',
    ]);
  }
  await Promise.all(SITES.map((name) => c.startNode(name)));
}, 240_000);

afterAll(async () => {
  await h.cleanup();
}, 60_000);

async function noisySummary(): Promise<JobInfo> {
  const r = await c.runJob({ params: { variables: ['age', 'sex'], dp: DP }, timeoutS: 120 });
  return jobOutput(r);
}

function auditActions(trust: string, action: string): Record<string, unknown>[] {
  return readFileSync(join(c.sites[trust]?.dir ?? '', 'audit.log'), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { action: string; details: Record<string, unknown> })
    .filter((l) => l.action === action)
    .map((l) => l.details);
}

describe('a project privacy budget at the nodes, with a real hub and nodes', () => {
  it('noisy summaries succeed until ε is spent, then every site refuses PRIVACY_BUDGET, also after a restart', async () => {
    for (let k = 0; k < 2; k++) {
      const j = await noisySummary();
      expect(j.status, JSON.stringify(j.sites)).toBe('succeeded');
      expect(j.result).toMatchObject({
        privacy: { mechanism: 'laplace', epsilonPerSite: 0.4, deltaPerSite: 0, sites: 2 },
      });
      const age = (j.result as { variables: { age: { mean: number } } }).variables.age;
      expect(age.mean).toBeGreaterThan(20);
      expect(age.mean).toBeLessThan(80);
    }
    const over = await noisySummary();
    expect(over.status).toBe('failed');
    for (const trust of SITES) {
      expect(over.sites.find((s) => s.trust === trust)).toMatchObject({
        status: 'refused',
        code: 'PRIVACY_BUDGET',
      });
    }
    await c.sites['alpha']?.proc?.stop();
    await c.startNode('alpha');
    const after = await noisySummary();
    expect(after.sites.find((s) => s.trust === 'alpha')).toMatchObject({
      status: 'refused',
      code: 'PRIVACY_BUDGET',
    });
    for (const trust of SITES) {
      const spent = auditActions(trust, 'privacy.spent');
      expect(spent, `${trust} audit`).toHaveLength(2);
      expect(JSON.stringify(spent)).toContain('0.4');
    }
  }, 300_000);
});
