import type { LocalOutcome, LocalStepContext } from '../framework.js';
import { moments } from '../numerics/moments.js';
import { createRng } from '../numerics/random.js';
import { numberColumns, type Unfit } from '../table-columns.js';
import { kmeansPlusPlus, nearest, squaredDistance, weightedLloyd } from './lloyd.js';
import {
  assignInputSchema,
  seedInputSchema,
  type AssignOutput,
  type ClusterStats,
  type KmeansParams,
  type ScaleOutput,
  type SeedOutput,
  type Transform,
} from './schemas.js';

type Ctx = LocalStepContext<KmeansParams>;

/** Largest share of complete cases that k × the number of variables may reach (issue 3 point 4). */
export const MAX_PARAMETERS_PER_ROW = 0.33;

/** Lloyd iterations a node spends on its local clustering in step 'seed'. */
const LOCAL_SEED_ITERATIONS = 100;

export type { Unfit } from '../table-columns.js';

/** Every local output carries the complete-case count for the disclosure check (not released). */
export interface Counted<O> {
  readonly completeCases: number;
  readonly output: O;
}

/**
 * The complete cases as points (one array per row), standardised when a transform is given.
 * @throws Error when a variable is not in the table.
 */
function completeCases(ctx: Ctx, transform: Transform): number[][] | Unfit {
  const cols = numberColumns(ctx.table, ctx.params.variables);
  if (!Array.isArray(cols)) return cols;
  const points: number[][] = [];
  for (let i = 0; i < ctx.table.rows; i++) {
    const x = cols.map((c) => c[i] ?? Number.NaN);
    if (x.some((v) => Number.isNaN(v))) continue;
    points.push(
      transform === null
        ? x
        : x.map((v, j) => (v - (transform.center[j] ?? 0)) / (transform.scale[j] ?? 1)),
    );
  }
  return points;
}

/** Local step 'scale': complete-case count and each variable's mean and m2 over them. */
export function runScale(ctx: Ctx): Counted<ScaleOutput> | Unfit {
  const points = completeCases(ctx, null);
  if ('unfit' in points) return points;
  const stats = ctx.params.variables.map((_, j) => moments(points.map((x) => x[j] ?? 0)));
  const output = {
    count: points.length,
    means: stats.map((s) => s.mean),
    m2: stats.map((s) => s.m2),
  };
  return { completeCases: points.length, output };
}

/**
 * Local step 'seed': a seeded k-means++ and Lloyd clustering of this site's complete cases into k
 * clusters; the centroids and sizes of the non-empty clusters are kept, except those that
 * {@link clustersToSuppress} holds back (so every one kept averages at least minCount rows).
 *
 * @throws Error when the input is malformed.
 */
export function runSeed(ctx: Ctx): Counted<SeedOutput> | Unfit {
  const { transform } = seedInputSchema.parse(ctx.input);
  const points = completeCases(ctx, transform);
  if ('unfit' in points) return points;
  const weights = points.map(() => 1);
  const init = kmeansPlusPlus(points, weights, ctx.params.k, createRng(ctx.params.seed));
  if (init === null) return { completeCases: points.length, output: { centroids: [] } };
  const fit = weightedLloyd(points, weights, init, LOCAL_SEED_ITERATIONS);
  const held = clustersToSuppress(fit.sizes, ctx.policy.minCount);
  const centroids = fit.centroids.flatMap((center, c) =>
    held.has(c) || (fit.sizes[c] ?? 0) === 0 ? [] : [{ size: fit.sizes[c] ?? 0, center }],
  );
  return { completeCases: points.length, output: { centroids } };
}

/** Internal output of 'assign': every cluster's statistics; disclose suppresses the small ones. */
export type AssignLocal = Counted<{ clusters: ClusterStats[] }>;

/**
 * Local step 'assign': assigns each complete case to its nearest centroid (lowest index on a tie)
 * and sums per cluster: count, coordinate sums, and Σ squared distances to the cluster's local mean
 * (a second pass, so no precision is lost to cancellation).
 *
 * @throws Error when the input is malformed or its centroids do not fit the variables.
 */
export function runAssign(ctx: Ctx): AssignLocal | Unfit {
  const { centroids, transform } = assignInputSchema.parse(ctx.input);
  const p = ctx.params.variables.length;
  if (centroids.length !== ctx.params.k || centroids.some((c) => c.length !== p)) {
    throw new Error('the centroids sent do not fit k and the variables');
  }
  const points = completeCases(ctx, transform);
  if ('unfit' in points) return points;
  const clusterOf = points.map((x) => nearest(x, centroids));
  const counts = new Array<number>(centroids.length).fill(0);
  const sums = centroids.map(() => new Array<number>(p).fill(0));
  points.forEach((x, i) => {
    const c = clusterOf[i] ?? 0;
    counts[c] = (counts[c] ?? 0) + 1;
    const s = sums[c] ?? [];
    x.forEach((v, j) => (s[j] = (s[j] ?? 0) + v));
  });
  const means = sums.map((s, c) => s.map((v) => v / Math.max(1, counts[c] ?? 0)));
  const withinSS = new Array<number>(centroids.length).fill(0);
  points.forEach((x, i) => {
    const c = clusterOf[i] ?? 0;
    withinSS[c] = (withinSS[c] ?? 0) + squaredDistance(x, means[c] ?? []);
  });
  const clusters = counts.map((count, c) => ({
    count,
    sums: sums[c] ?? [],
    withinSS: withinSS[c] ?? 0,
  }));
  return { completeCases: points.length, output: { clusters } };
}

const unfitRefusal = (u: Unfit): LocalOutcome => ({
  status: 'refused',
  code: 'INVALID_PARAMS',
  reason: u.unfit,
});

/**
 * The checks every kmeans step shares: INVALID_PARAMS for an unfit job, MIN_COUNT below minCount
 * complete cases, PARAMETER_LIMIT when k × variables exceeds 0.33 × complete cases.
 */
function refusal(output: Counted<unknown>, ctx: Ctx): LocalOutcome | null {
  const min = ctx.policy.minCount;
  if (output.completeCases < min) {
    return { status: 'refused', code: 'MIN_COUNT', reason: `fewer than ${min} complete cases` };
  }
  const parameters = ctx.params.k * ctx.params.variables.length;
  if (parameters > MAX_PARAMETERS_PER_ROW * output.completeCases) {
    return {
      status: 'refused',
      code: 'PARAMETER_LIMIT',
      reason: `k × variables = ${parameters} exceeds ${MAX_PARAMETERS_PER_ROW} × the complete cases`,
    };
  }
  return null;
}

/** Disclosure check of 'scale' and 'seed' (see refusal; 'seed' already dropped small clusters). */
export function discloseCounted(output: Counted<unknown> | Unfit, ctx: Ctx): LocalOutcome {
  if ('unfit' in output) return unfitRefusal(output);
  return refusal(output, ctx) ?? { status: 'ok', output: output.output };
}

/**
 * Which clusters to hold back: every cluster with 0 < count < minCount (primary suppression), then,
 * while the held-back rows total 1 to minCount − 1, the smallest non-empty released cluster too
 * (secondary suppression), so that a hub knowing the site's complete cases from another release
 * cannot recover a small cluster's count by subtraction.
 */
export function clustersToSuppress(counts: readonly number[], minCount: number): Set<number> {
  const held = new Set<number>();
  let total = 0;
  counts.forEach((c, i) => {
    if (c > 0 && c < minCount) {
      held.add(i);
      total += c;
    }
  });
  while (total > 0 && total < minCount) {
    let next = -1;
    counts.forEach((c, i) => {
      if (c > 0 && !held.has(i) && (next < 0 || c < (counts[next] ?? 0))) next = i;
    });
    if (next < 0) break;
    held.add(next);
    total += counts[next] ?? 0;
  }
  return held;
}

/**
 * Disclosure check of 'assign': the shared checks, then the clusters {@link clustersToSuppress}
 * picks are released as null: neither their counts nor their sums leave.
 */
export function discloseAssign(output: AssignLocal | Unfit, ctx: Ctx): LocalOutcome {
  if ('unfit' in output) return unfitRefusal(output);
  const refused = refusal(output, ctx);
  if (refused !== null) return refused;
  const { clusters } = output.output;
  const held = clustersToSuppress(
    clusters.map((c) => c.count),
    ctx.policy.minCount,
  );
  const released: AssignOutput = { clusters: clusters.map((c, i) => (held.has(i) ? null : c)) };
  return { status: 'ok', output: released };
}
