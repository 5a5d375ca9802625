import { describe, expect, it } from 'vitest';
import { kmeans } from '../../src/kmeans/index.js';
import type { KmeansResult } from '../../src/kmeans/schemas.js';
import type { Table } from '../../src/table.js';
import {
  expectClose,
  fixtureSplits,
  jobResult,
  loadFixtureTable,
  readReference,
} from '../support/fixtures.js';

interface RFit {
  centers: number[][];
  size: number[];
  withinss: number[];
  totwithinss: [number];
  betweenss: [number];
  totss: [number];
  iter: number;
}
interface Reference {
  n: number;
  variables: string[];
  init: number[][];
  raw: RFit;
  standardized: RFit;
}

const reference = readReference<Reference>('kmeans');
const table = loadFixtureTable('kmeans');
const { variables } = reference;

function run(tables: readonly Table[], extra: Record<string, unknown>): KmeansResult {
  return jobResult(kmeans, { variables, k: 3, ...extra }, tables) as KmeansResult;
}

/**
 * Compares with R's kmeans(…, algorithm = "Lloyd"), cluster by cluster in the order of `order`
 * (R's cluster index for each of ours).
 */
function expectKmeans(r: KmeansResult, ref: RFit, what: string, order = [0, 1, 2]): void {
  expect(r.converged, `${what}: converged`).toBe(true);
  expect(r.suppressed, `${what}: nothing suppressed`).toBeUndefined();
  expect(r.n).toBe(reference.n);
  expect(r.centroids).toHaveLength(3);
  r.centroids.forEach((c, i) => {
    const j = order[i] ?? -1;
    expect(c.size, `${what} size ${c.cluster}`).toBe(ref.size[j]);
    expectClose(c.withinSS, ref.withinss[j] ?? 0, `${what} withinSS ${c.cluster}`);
    variables.forEach((v, d) => {
      expectClose(c.center[v], ref.centers[j]?.[d] ?? 0, `${what} center ${c.cluster} ${v}`);
    });
  });
  expectClose(r.totalWithinSS, ref.totwithinss[0], `${what} tot.withinss`);
  expectClose(r.betweenSS, ref.betweenss[0], `${what} betweenss`);
  expectClose(r.totalSS, ref.totss[0], `${what} totss`);
}

const splits = fixtureSplits(
  table,
  [
    { sites: 1, seed: 0 },
    { sites: 3, seed: 31 },
    { sites: 3, seed: 32 },
    { sites: 5, seed: 51 },
    { sites: 5, seed: 52 },
  ],
  120,
);

describe('kmeans against R kmeans(algorithm = "Lloyd") (fixture kmeans, rtol 1e-6)', () => {
  it('matches on raw values from init, on 1, 3 and 5 sites split at random', () => {
    for (const { sites, seed, tables } of splits) {
      const r = run(tables, { init: reference.init });
      expect(r.sites).toBe(sites);
      expect(r.iterations).toBe(reference.raw.iter);
      expectKmeans(r, reference.raw, `raw, ${sites} sites (split ${seed})`);
    }
  });

  it('matches kmeans(scale(x)) under standardize, on 1, 3 and 5 sites', () => {
    for (const { sites, seed, tables } of splits) {
      const r = run(tables, { init: reference.init, standardize: true });
      expect(r.standardize).toBe(true);
      expect(r.iterations).toBe(reference.standardized.iter);
      expectKmeans(r, reference.standardized, `standardized, ${sites} sites (split ${seed})`);
    }
  });

  it('finds the same partition without init (seeded from the sites) on 1, 3 and 5 sites', () => {
    // R's clusters are in increasing order of age; ours are in the hub's seeding order.
    for (const { sites, seed, tables } of splits) {
      const r = run(tables, { seed: 7 });
      const byAge = [...r.centroids].sort((a, b) => (a.center.age ?? 0) - (b.center.age ?? 0));
      const order = r.centroids.map((c) => byAge.indexOf(c));
      expectKmeans(r, reference.raw, `no init, ${sites} sites (split ${seed})`, order);
    }
  });
});
