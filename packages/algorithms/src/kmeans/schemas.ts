import { z } from 'zod';
import { disclosureParams } from '../disclosure-params.js';
import { variableList } from '../params.js';

/** zod 4 numbers are finite: NaN and ±Infinity are rejected. */
const finite = z.number();

/**
 * `kmeans` params: `{"variables": ["age", "bmi"], "k": 3, "init": [[40, 22], [60, 27], [75, 31]]}`.
 * `init` (k rows of one value per variable, in the variables' units) fixes the starting centroids;
 * without it the hub seeds them from the sites' local clusterings (README "kmeans"), with `seed`.
 * Lloyd iterations stop when no centroid moves more than `tolerance` (Euclidean, in the units the
 * clustering runs in) or after `maxIterations`. `standardize` clusters z-scores (pooled mean and
 * standard deviation) instead of raw values.
 */
export const kmeansParamsSchema = z
  .object({
    variables: variableList(1, 50, 'variables'),
    k: z.number().int().min(2).max(20),
    init: z.array(z.array(finite)).optional(),
    seed: z.number().int().min(0).max(0xffffffff).default(1),
    maxIterations: z.number().int().min(1).max(1000).default(100),
    tolerance: z.number().min(0).default(1e-9),
    standardize: z.boolean().default(false),
    ...disclosureParams,
  })
  .strict()
  .refine(
    (p) =>
      p.init === undefined ||
      (p.init.length === p.k && p.init.every((c) => c.length === p.variables.length)),
    'init must hold k centroids with one value per variable',
  );
export type KmeansParams = z.infer<typeof kmeansParamsSchema>;

const point = z.array(finite);

/** The pooled standardisation the hub sends with every step after 'scale' (null: raw values). */
const transformSchema = z.object({ center: point, scale: point }).strict().nullable();
export type Transform = z.infer<typeof transformSchema>;

/** Step 'scale' output: complete-case count, and per variable the mean and Σ(x − mean)². */
export const scaleOutputSchema = z
  .object({ count: z.number().int().min(0), means: point, m2: z.array(finite.min(0)) })
  .strict();
export type ScaleOutput = z.infer<typeof scaleOutputSchema>;

/** Step 'seed' input: the transform. */
export const seedInputSchema = z.object({ transform: transformSchema }).strict();
export type SeedInput = z.infer<typeof seedInputSchema>;

/** Step 'seed' output: the local clusters that hold at least minCount rows, with their sizes. */
export const seedOutputSchema = z
  .object({
    centroids: z.array(z.object({ size: z.number().int().min(1), center: point }).strict()),
  })
  .strict();
export type SeedOutput = z.infer<typeof seedOutputSchema>;

/** Step 'assign' input: the current centroids (in the clustering's units) and the transform. */
export const assignInputSchema = z
  .object({ centroids: z.array(point).min(1), transform: transformSchema })
  .strict();
export type AssignInput = z.infer<typeof assignInputSchema>;

/**
 * One site's cluster in step 'assign': its rows' count, coordinate sums, and within sum of squares
 * about the site's own cluster mean (so the hub pools it exactly with Chan et al.'s formula).
 */
export const clusterStatsSchema = z
  .object({ count: z.number().int().min(0), sums: point, withinSS: finite.min(0) })
  .strict();
export type ClusterStats = z.infer<typeof clusterStatsSchema>;

/** Step 'assign' output: one entry per centroid, null where the cluster was suppressed here. */
export const assignOutputSchema = z
  .object({ clusters: z.array(clusterStatsSchema.nullable()) })
  .strict();
export type AssignOutput = z.infer<typeof assignOutputSchema>;

/** One released centroid of the result. */
export interface KmeansCentroid {
  /** 1-based cluster number, in the order of `init` (or of the hub's seeding). */
  cluster: number;
  size: number;
  /** The centroid in the variables' own units. */
  center: Record<string, number>;
  /** Σ squared distances of the cluster's rows to its centroid, in the clustering's units. */
  withinSS: number;
}

/** What was held back: pooled centroids below minCount, and site clusters below minCount. */
export interface KmeansSuppressed {
  /** Cluster numbers whose pooled size is below minCount (not in `centroids`, n or the SS). */
  centroids: number[];
  /** Per site, the cluster numbers it did not release in the last iteration. */
  sites: { trust: string; clusters: number[] }[];
}

/** The result of a `kmeans` job (R's kmeans(…, algorithm = "Lloyd") names in brackets). */
export interface KmeansResult {
  /** Rows in the released centroids. */
  n: number;
  sites: number;
  k: number;
  /** Assignment rounds run [iter]. */
  iterations: number;
  /** Whether the centroids stopped moving before maxIterations. */
  converged: boolean;
  standardize: boolean;
  /** [centers, size, withinss] */
  centroids: KmeansCentroid[];
  /** Σ squared distances to the grand mean of the released rows [totss]. */
  totalSS: number;
  /** Σ withinSS [tot.withinss]. */
  totalWithinSS: number;
  /** totalSS − totalWithinSS, computed as Σ size·‖center − grand mean‖² [betweenss]. */
  betweenSS: number;
  /** Present only when something was held back. */
  suppressed?: KmeansSuppressed;
}
