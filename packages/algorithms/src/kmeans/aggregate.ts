import { DEFAULT_MIN_COUNT, type HubDecision, type SiteResult } from '../framework.js';
import { COMMON_FAILURES, describeSites, failureFor, type HubFailure } from '../hub-failures.js';
import { poolMoments, type Moments } from '../numerics/moments.js';
import { createRng } from '../numerics/random.js';
import { kmeansPlusPlus, squaredDistance, weightedLloyd } from './lloyd.js';
import {
  assignOutputSchema,
  scaleOutputSchema,
  seedOutputSchema,
  type AssignInput,
  type KmeansCentroid,
  type KmeansParams,
  type KmeansResult,
  type KmeansSuppressed,
  type Transform,
} from './schemas.js';

/** Hub-side failure codes of `kmeans` (HubDecision `failed`). */
export const KMEANS_FAILURES = {
  ...COMMON_FAILURES,
  DEGENERATE: 'a variable has zero variance under standardize',
  TOO_FEW_SEEDS: 'the sites released fewer than k distinct local centroids to seed from',
} as const;

/** The local steps of `kmeans`, in order ('scale' only with standardize, 'seed' only without init). */
export const KMEANS_STEPS = { scale: 'scale', seed: 'seed', assign: 'assign' } as const;

/** Lloyd iterations the hub spends clustering the sites' seed centroids. */
const HUB_SEED_ITERATIONS = 100;

/** Hub state between steps (persisted as JSON). */
export interface KmeansState {
  readonly transform: Transform;
  /** The centroids sent to the current 'assign' step, in the clustering's units. */
  readonly centroids: number[][] | null;
  /** Assignment rounds completed. */
  readonly iteration: number;
}

type Decision = HubDecision<KmeansState>;
const fail = failureFor(KMEANS_FAILURES);

const assign = (state: KmeansState): Decision => {
  const input: AssignInput = { centroids: state.centroids ?? [], transform: state.transform };
  return { kind: 'step', step: KMEANS_STEPS.assign, input, state };
};

/** After the transform is known: start from init (in its units) or ask the sites for seeds. */
function afterTransform(params: KmeansParams, transform: Transform): Decision {
  const state: KmeansState = { transform, centroids: null, iteration: 0 };
  if (params.init === undefined) {
    return { kind: 'step', step: KMEANS_STEPS.seed, input: { transform }, state };
  }
  const centroids = params.init.map((c) =>
    transform === null
      ? [...c]
      : c.map((v, j) => (v - (transform.center[j] ?? 0)) / (transform.scale[j] ?? 1)),
  );
  return assign({ ...state, centroids });
}

/** The first step: 'scale' under standardize, else 'seed' or 'assign'. */
export function startKmeans(params: KmeansParams): Decision {
  if (params.standardize) {
    const state: KmeansState = { transform: null, centroids: null, iteration: 0 };
    return { kind: 'step', step: KMEANS_STEPS.scale, input: null, state };
  }
  return afterTransform(params, null);
}

/** The parsed outputs of the ok sites, or the failure naming the first that does not parse. */
function outputs<T>(
  results: readonly SiteResult[],
  parse: (o: unknown) => T | null,
): { trust: string; output: T }[] | HubFailure {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const out: { trust: string; output: T }[] = [];
  for (const r of ok) {
    const parsed = parse(r.output);
    if (parsed === null) return fail('INVALID_OUTPUT', `${r.trust}: output does not fit kmeans`);
    out.push({ trust: r.trust, output: parsed });
  }
  return out;
}

/** After 'scale': pooled means and standard deviations (n − 1), as R's scale() uses. */
export function aggregateScale(params: KmeansParams, results: readonly SiteResult[]): Decision {
  const p = params.variables.length;
  const sites = outputs(results, (o) => {
    const r = scaleOutputSchema.safeParse(o);
    return r.success && r.data.means.length === p && r.data.m2.length === p ? r.data : null;
  });
  if (!Array.isArray(sites)) return sites;
  const pooled = params.variables.map((_, j) =>
    sites.reduce<Moments>(
      (acc, s) =>
        poolMoments(acc, {
          count: s.output.count,
          mean: s.output.means[j] ?? 0,
          m2: s.output.m2[j] ?? 0,
        }),
      { count: 0, mean: 0, m2: 0 },
    ),
  );
  const scale = pooled.map((m) => (m.count > 1 ? Math.sqrt(m.m2 / (m.count - 1)) : 0));
  const flat = scale.findIndex((s) => !(s > 0));
  if (flat >= 0) return fail('DEGENERATE', `${params.variables[flat] ?? ''} has zero variance`);
  return afterTransform(params, { center: pooled.map((m) => m.mean), scale });
}

/**
 * After 'seed': a seeded weighted k-means++ and Lloyd clustering of the sites' local centroids
 * (weights = their sizes) gives the k starting centroids.
 */
export function aggregateSeed(
  params: KmeansParams,
  state: KmeansState,
  results: readonly SiteResult[],
): Decision {
  const p = params.variables.length;
  const sites = outputs(results, (o) => {
    const r = seedOutputSchema.safeParse(o);
    return r.success && r.data.centroids.every((c) => c.center.length === p) ? r.data : null;
  });
  if (!Array.isArray(sites)) return sites;
  const seeds = sites.flatMap((s) => s.output.centroids);
  const points = seeds.map((s) => s.center);
  const weights = seeds.map((s) => s.size);
  const init = kmeansPlusPlus(points, weights, params.k, createRng(params.seed));
  if (init === null) {
    return fail('TOO_FEW_SEEDS', `${seeds.length} local centroids for k = ${params.k}`);
  }
  const { centroids } = weightedLloyd(points, weights, init, HUB_SEED_ITERATIONS);
  return assign({ ...state, centroids });
}

/** One pooled cluster: rows, coordinate sums and within sum of squares about the pooled mean. */
interface PooledCluster {
  count: number;
  sums: number[];
  withinSS: number;
}

/**
 * Pools the released clusters of the sites exactly: W = Σ W_s + Σ n_s ‖m_s − m‖², where m_s is a
 * site's cluster mean and m the pooled one (Chan et al.'s formula, summed over coordinates).
 */
function poolClusters(
  k: number,
  p: number,
  sites: readonly {
    output: { clusters: ({ count: number; sums: number[]; withinSS: number } | null)[] };
  }[],
): PooledCluster[] {
  return Array.from({ length: k }, (_, c) => {
    const parts = sites.flatMap((s) => {
      const x = s.output.clusters[c];
      return x === null || x === undefined || x.count === 0 ? [] : [x];
    });
    const count = parts.reduce((a, x) => a + x.count, 0);
    const sums = Array.from({ length: p }, (_, j) =>
      parts.reduce((a, x) => a + (x.sums[j] ?? 0), 0),
    );
    const mean = sums.map((s) => s / count);
    const withinSS = parts.reduce(
      (a, x) =>
        a +
        x.withinSS +
        x.count *
          squaredDistance(
            x.sums.map((s) => s / x.count),
            mean,
          ),
      0,
    );
    return { count, sums, withinSS };
  });
}

/**
 * After 'assign': moves each centroid to the mean of the rows released for it (a centroid with no
 * rows stays), and either sends the next 'assign' or, once no centroid moved more than tolerance
 * or after maxIterations, returns the result.
 */
export function aggregateAssign(
  params: KmeansParams,
  state: KmeansState,
  results: readonly SiteResult[],
): Decision {
  const { k, variables } = params;
  const p = variables.length;
  const sites = outputs(results, (o) => {
    const r = assignOutputSchema.safeParse(o);
    return r.success &&
      r.data.clusters.length === k &&
      r.data.clusters.every((c) => c === null || c.sums.length === p)
      ? r.data
      : null;
  });
  if (!Array.isArray(sites)) return sites;
  const old = state.centroids ?? [];
  const pooled = poolClusters(k, p, sites);
  const centroids = pooled.map((c, i) =>
    c.count > 0 ? c.sums.map((s) => s / c.count) : [...(old[i] ?? [])],
  );
  const moved = Math.max(...centroids.map((c, i) => Math.sqrt(squaredDistance(c, old[i] ?? []))));
  const iteration = state.iteration + 1;
  const converged = moved <= params.tolerance;
  if (!converged && iteration < params.maxIterations) {
    return assign({ ...state, centroids, iteration });
  }
  const suppressedSites = sites
    .map((s) => ({
      trust: s.trust,
      clusters: s.output.clusters.flatMap((c, i) => (c === null ? [i + 1] : [])),
    }))
    .filter((s) => s.clusters.length > 0);
  return {
    kind: 'done',
    result: kmeansResult(params, state.transform, pooled, centroids, {
      iterations: iteration,
      converged,
      sites: sites.length,
      suppressedSites,
    }),
  };
}

function kmeansResult(
  params: KmeansParams,
  transform: Transform,
  pooled: readonly PooledCluster[],
  centroids: readonly number[][],
  run: {
    iterations: number;
    converged: boolean;
    sites: number;
    suppressedSites: KmeansSuppressed['sites'];
  },
): KmeansResult {
  const min = Math.max(params.minCount ?? DEFAULT_MIN_COUNT, 1);
  const released = pooled.flatMap((c, i) => (c.count >= min ? [i] : []));
  const n = released.reduce((a, i) => a + (pooled[i]?.count ?? 0), 0);
  const p = params.variables.length;
  const grand = Array.from(
    { length: p },
    (_, j) => released.reduce((a, i) => a + (pooled[i]?.sums[j] ?? 0), 0) / n,
  );
  let betweenSS = 0;
  let totalWithinSS = 0;
  const out: KmeansCentroid[] = released.map((i) => {
    const c = pooled[i] ?? { count: 0, sums: [], withinSS: 0 };
    const center = centroids[i] ?? [];
    betweenSS += c.count * squaredDistance(center, grand);
    totalWithinSS += c.withinSS;
    const units = center.map((z, j) =>
      transform === null ? z : z * (transform.scale[j] ?? 1) + (transform.center[j] ?? 0),
    );
    return {
      cluster: i + 1,
      size: c.count,
      center: Object.fromEntries(params.variables.map((v, j) => [v, units[j] ?? Number.NaN])),
      withinSS: c.withinSS,
    };
  });
  const result: KmeansResult = {
    n,
    sites: run.sites,
    k: params.k,
    iterations: run.iterations,
    converged: run.converged,
    standardize: params.standardize,
    centroids: out,
    totalSS: totalWithinSS + betweenSS,
    totalWithinSS,
    betweenSS,
  };
  const heldCentroids = pooled.flatMap((c, i) => (c.count < min ? [i + 1] : []));
  if (heldCentroids.length > 0 || run.suppressedSites.length > 0) {
    result.suppressed = { centroids: heldCentroids, sites: run.suppressedSites };
  }
  return result;
}
