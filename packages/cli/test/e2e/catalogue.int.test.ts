import type { ProjectCatalogue } from '@tessera/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET, PROJECT, jobOutput, mustRun, startCluster, type Cluster } from './cluster.js';
import { siteCsv } from './data.js';
import { createHarness, waitFor } from './harness.js';

/*
 * Issue 3, "Dataset catalogue": nodes publish each exposed dataset's schema (names, kinds, levels
 * held by at least minCount rows) to the hub; the hub shows which sites hold which variables; a
 * job naming a variable a site lacks fails with an error naming the site and the variable.
 */

/** beta's patients: no bmi column, and smoking "current" in only 3 of 40 rows (below minCount 10). */
function betaCsv(): string {
  const lines = ['age,sex,smoking'];
  for (let i = 0; i < 40; i++) {
    lines.push(
      `${30 + i},${i % 2 === 0 ? 'F' : 'M'},${i < 3 ? 'current' : i < 20 ? 'never' : 'former'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const h = createHarness('catalogue');
let c: Cluster;

beforeAll(async () => {
  c = await startCluster(h, {
    adminVia: 'http',
    sites: [
      { name: 'alpha', csv: siteCsv({ rows: 120, seed: 5 }) },
      { name: 'beta', csv: betaCsv() },
    ],
  });
}, 180_000);

afterAll(async () => {
  await h.cleanup();
}, 60_000);

/** `tessera catalogue study --json` as the researcher. */
const catalogue = () => h.json<ProjectCatalogue>(['catalogue', PROJECT, '--json'], c.researcherEnv);

/** The catalogue once `ok` holds for it (nodes publish in the background). */
const catalogueWhen = (what: string, ok: (v: ProjectCatalogue) => boolean) =>
  waitFor(
    what,
    async () => {
      const v = await catalogue();
      return ok(v) ? v : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 300, context: c.context },
  );

const holders = (v: ProjectCatalogue, variable: string) =>
  v.datasets
    .find((d) => d.name === DATASET)
    ?.variables.find((x) => x.name === variable)
    ?.sites.map((s) => s.trust) ?? [];

const levelsAt = (v: ProjectCatalogue, variable: string, trust: string) =>
  v.datasets
    .find((d) => d.name === DATASET)
    ?.variables.find((x) => x.name === variable)
    ?.sites.find((s) => s.trust === trust)?.levels;

describe('the dataset catalogue across real nodes', () => {
  it('shows which site holds which variable, with levels only when common enough', async () => {
    const v = await catalogueWhen('both sites to publish', (x) =>
      x.sites.every((s) => s.publishedAt !== null),
    );
    expect(v.datasets.map((d) => [d.name, d.sites])).toEqual([[DATASET, ['alpha', 'beta']]]);
    expect(holders(v, 'age')).toEqual(['alpha', 'beta']);
    expect(holders(v, 'bmi')).toEqual(['alpha']);
    // "current" is held by 3 rows at beta, under its minCount of 10: its name is not published.
    expect(levelsAt(v, 'smoking', 'beta')).toEqual(['former', 'never']);
    expect(levelsAt(v, 'smoking', 'alpha')).toEqual(['current', 'former', 'never']);

    const table = await mustRun(h, ['catalogue', PROJECT], c.researcherEnv);
    expect(table.stdout).toMatch(/^bmi\s+number\s+—\s*$/m);
  }, 60_000);

  it('refuses a job reading a variable a site lacks, naming the site and the variable', async () => {
    const r = await c.runJob({ params: { variables: ['age', 'bmi'] } });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'tessera: site beta lacks variable bmi in dataset patients',
    ]);
    const ok = await c.runJob({ params: { variables: ['age', 'sex'] } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(jobOutput(ok).status).toBe('succeeded');
  }, 60_000);

  it('republishes when the operator changes minCount, and the hub audits each publication', async () => {
    await mustRun(h, ['node', 'policy', '--dir', c.sites['beta']!.dir, '--min-count', '3']);
    await catalogueWhen('beta to publish its lowered minCount', (x) =>
      (levelsAt(x, 'smoking', 'beta') ?? []).includes('current'),
    );
    const published = (await c.audit()).filter((e) => e.action === 'catalogue.published');
    expect(published.filter((e) => e.actor === 'trust:beta').length).toBeGreaterThanOrEqual(2);
    expect(published[0]?.details).toMatchObject({ datasets: [DATASET] });
    expect(JSON.stringify(published)).not.toContain('current');
  }, 60_000);
});
