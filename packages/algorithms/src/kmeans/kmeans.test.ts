import { describe, expect, it } from 'vitest';
import type { LocalStepContext, SiteResult } from '../framework.js';
import { createRng } from '../numerics/random.js';
import { runLocalStep } from '../run-local-step.js';
import { simulateJob, seededRandomBytes } from '../simulate.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { KMEANS_STEPS, clustersToSuppress, kmeans } from './index.js';
import type { KmeansState } from './aggregate.js';
import type { KmeansParams, KmeansResult } from './schemas.js';

/** A site with `count` rows around each (x, y) center (sd 0.5), in that order. */
function makeSite(groups: readonly [number, number, number][], seed = 1): Table {
  const rng = createRng(seed);
  const x: number[] = [];
  const y: number[] = [];
  for (const [cx, cy, count] of groups) {
    for (let i = 0; i < count; i++) {
      x.push(cx + 0.5 * rng.normal());
      y.push(cy + 0.5 * rng.normal());
    }
  }
  return makeTable({ x: numberColumn(x), y: numberColumn(y) });
}

const INIT = [
  [0, 0],
  [10, 0],
  [0, 10],
];
const params = (overrides: Record<string, unknown> = {}): KmeansParams =>
  kmeans.params.parse({ variables: ['x', 'y'], k: 3, init: INIT, ...overrides });

function done(tables: readonly Table[], p: Record<string, unknown>): KmeansResult {
  const { decision } = simulateJob(kmeans, { variables: ['x', 'y'], k: 3, ...p }, tables);
  if (decision.kind !== 'done') throw new Error(`expected done, got ${JSON.stringify(decision)}`);
  return decision.result as KmeansResult;
}

const assignCtx = (table: Table, minCount = 10): LocalStepContext<KmeansParams> => ({
  table,
  params: params(),
  input: { centroids: INIT, transform: null },
  round: 0,
  policy: { minCount, allowMinMax: false },
  randomBytes: seededRandomBytes(1),
});

describe('kmeans', () => {
  it('suppresses a site cluster below minCount, and the smallest other one so the rest stays hidden', () => {
    const small = makeSite([
      [0, 0, 60],
      [10, 0, 40],
      [0, 10, 4],
    ]);
    expect(runLocalStep(kmeans, KMEANS_STEPS.assign, assignCtx(small))).toMatchObject({
      status: 'ok',
      output: { clusters: [{ count: 60 }, null, null] },
    });
    const r = done(
      [
        small,
        makeSite(
          [
            [0, 0, 30],
            [10, 0, 30],
            [0, 10, 30],
          ],
          2,
        ),
      ],
      { init: INIT },
    );
    // Cluster 2 and 3 come from site-2 alone; site-1's 40 and 4 rows are in neither.
    expect(r.centroids.map((c) => c.size)).toEqual([90, 30, 30]);
    expect(r.n).toBe(150);
    expect(r.suppressed).toEqual({ centroids: [], sites: [{ trust: 'site-1', clusters: [2, 3] }] });
  });

  it('clustersToSuppress adds the smallest released clusters until the held-back rows reach minCount', () => {
    expect([...clustersToSuppress([50, 50, 0], 10)]).toEqual([]);
    expect([...clustersToSuppress([50, 3, 0, 20], 10)].sort()).toEqual([1, 3]);
    expect([...clustersToSuppress([50, 3, 4, 20], 10)].sort()).toEqual([1, 2, 3]);
    expect([...clustersToSuppress([5, 5, 30], 10)].sort()).toEqual([0, 1]);
  });

  it('does not release a centroid with fewer than minCount pooled rows, nor count it in n', () => {
    const a = makeSite(
      [
        [0, 0, 40],
        [10, 0, 40],
      ],
      3,
    );
    const b = makeSite(
      [
        [0, 0, 25],
        [10, 0, 35],
      ],
      4,
    );
    const r = done([a, b], {
      init: [
        [0, 0],
        [10, 0],
        [50, 50],
      ],
    });
    expect(r.centroids.map((c) => [c.cluster, c.size])).toEqual([
      [1, 65],
      [2, 75],
    ]);
    expect(r.suppressed).toEqual({ centroids: [3], sites: [] });
    expect(r.n).toBe(140);
    expect(Math.abs(r.totalSS - r.totalWithinSS - r.betweenSS)).toBeLessThan(1e-9 * r.totalSS);
  });

  it('stops at maxIterations without claiming convergence', () => {
    const site = makeSite(
      [
        [0, 0, 40],
        [10, 0, 40],
        [0, 10, 40],
      ],
      5,
    );
    const r = done([site], {
      init: [
        [3, 3],
        [4, 4],
        [5, 5],
      ],
      maxIterations: 1,
    });
    expect(r.iterations).toBe(1);
    expect(r.converged).toBe(false);
    const full = done([site], {
      init: [
        [3, 3],
        [4, 4],
        [5, 5],
      ],
    });
    expect(full.converged).toBe(true);
    expect(full.iterations).toBeGreaterThan(1);
  });

  it('refuses MIN_COUNT, PARAMETER_LIMIT and INVALID_PARAMS at the site', () => {
    const nine = makeTable({
      x: numberColumn([1, 2, 3, 4, 5, 6, 7, 8, 9, null]),
      y: numberColumn([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    });
    expect(runLocalStep(kmeans, KMEANS_STEPS.assign, assignCtx(nine))).toEqual({
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'fewer than 10 complete cases',
    });
    // k × variables = 6 needs 6 / 0.33 ≈ 18.2 complete cases.
    const eighteen = makeSite([[0, 0, 18]]);
    expect(runLocalStep(kmeans, KMEANS_STEPS.assign, assignCtx(eighteen))).toMatchObject({
      status: 'refused',
      code: 'PARAMETER_LIMIT',
    });
    expect(
      runLocalStep(kmeans, KMEANS_STEPS.assign, assignCtx(makeSite([[0, 0, 19]]))),
    ).toMatchObject({ status: 'ok' });
    const cat = makeTable({
      x: numberColumn(Array.from({ length: 30 }, (_, i) => i)),
      y: categoricalColumn(Array.from({ length: 30 }, () => 'a')),
    });
    expect(runLocalStep(kmeans, KMEANS_STEPS.assign, assignCtx(cat))).toMatchObject({
      status: 'refused',
      code: 'INVALID_PARAMS',
    });
  });

  it('releases local seed centroids under the same suppression as assign', () => {
    const site = makeSite(
      [
        [0, 0, 50],
        [10, 0, 50],
        [30, 30, 5],
      ],
      6,
    );
    const out = runLocalStep(kmeans, KMEANS_STEPS.seed, {
      ...assignCtx(site),
      params: params({ init: undefined }),
      input: { transform: null },
    });
    expect(out.status).toBe('ok');
    const sizes = (out as { output: { centroids: { size: number }[] } }).output.centroids.map(
      (c) => c.size,
    );
    // The 5-row cluster is held back, and one 50-row cluster with it (secondary suppression).
    expect(sizes).toEqual([50]);
  });

  it('fails NO_SITES, INVALID_OUTPUT, TOO_FEW_SEEDS, DEGENERATE and UNKNOWN_STEP at the hub', () => {
    const p = params();
    const state: KmeansState = { transform: null, centroids: INIT, iteration: 0 };
    expect(kmeans.aggregate(p, state, KMEANS_STEPS.assign, [])).toMatchObject({ code: 'NO_SITES' });
    const bad: SiteResult[] = [{ trust: 's', status: 'ok', output: { clusters: [null] } }];
    expect(kmeans.aggregate(p, state, KMEANS_STEPS.assign, bad)).toMatchObject({
      code: 'INVALID_OUTPUT',
    });
    const seeds: SiteResult[] = [
      { trust: 's', status: 'ok', output: { centroids: [{ size: 40, center: [1, 1] }] } },
    ];
    expect(kmeans.aggregate(params({ init: undefined }), state, KMEANS_STEPS.seed, seeds)).toEqual({
      kind: 'failed',
      code: 'TOO_FEW_SEEDS',
      reason: '1 local centroids for k = 3',
    });
    const flat = makeTable({
      x: numberColumn(Array.from({ length: 30 }, (_, i) => i)),
      y: numberColumn(Array.from({ length: 30 }, () => 2)),
    });
    const { decision } = simulateJob(kmeans, { ...params(), standardize: true }, [flat]);
    expect(decision).toMatchObject({ code: 'DEGENERATE', reason: 'y has zero variance' });
    expect(kmeans.aggregate(p, state, 'other', [])).toMatchObject({ code: 'UNKNOWN_STEP' });
  });

  it('refuses params with k outside 2..20, an init of the wrong shape, or unknown keys', () => {
    const ok = { variables: ['x', 'y'], k: 2 };
    expect(kmeans.params.safeParse(ok).success).toBe(true);
    expect(kmeans.params.safeParse({ ...ok, k: 1 }).success).toBe(false);
    expect(kmeans.params.safeParse({ ...ok, k: 21 }).success).toBe(false);
    expect(kmeans.params.safeParse({ ...ok, init: [[1, 2]] }).success).toBe(false);
    expect(kmeans.params.safeParse({ ...ok, init: [[1], [2]] }).success).toBe(false);
    expect(kmeans.params.safeParse({ ...ok, centers: 2 }).success).toBe(false);
  });
});
