import { variableNameSchema } from '@tessera/protocol';
import { z } from 'zod';
import { disclosureParams } from '../disclosure-params.js';
import type { PrivacyResult } from '../dp-result.js';
import { isUnreservedName, variableList } from '../params.js';
import { dpSpecSchema } from '../privacy/schemas.js';

/** Most groups a `groupBy` variable may have, at a site and pooled (else LEVEL_LIMIT). */
export const MAX_GROUPS = 50;
/** Fine-grid bins per numeric variable for quantiles, unless `bins` says otherwise. */
export const DEFAULT_BINS = 1000;
/** Largest `bins`: each site sends at most bins + 2 cells per numeric variable. */
export const MAX_BINS = 10_000;
/** Most quantiles one job may ask for. */
export const MAX_QUANTILES = 99;

const variableName = variableNameSchema.refine(
  isUnreservedName,
  'a reserved name, not a variable name',
);

const rangeSchema = z
  .tuple([z.number(), z.number()])
  .refine(([lo, hi]) => lo < hi && Number.isFinite(hi - lo), 'range must be [lo, hi] with lo < hi');

/**
 * `summary` params (DESIGN "Public contract"): `{"variables": ["age", "sex"]}`, optionally
 * `quantiles` (with `bins` and per-variable `range`), `groupBy`, `minCount`, `allowMinMax`.
 */
export const summaryParamsSchema = z
  .object({
    variables: variableList(1, 200, 'variables', variableName),
    ...disclosureParams,
    /** Probabilities strictly between 0 and 1, for every numeric variable. */
    quantiles: z
      .array(z.number().gt(0).lt(1))
      .min(1)
      .max(MAX_QUANTILES)
      .refine((ps) => new Set(ps).size === ps.length, 'quantiles must be unique')
      .optional(),
    /** Fine-grid bins per numeric variable for quantiles (default 1000). */
    bins: z.number().int().min(10).max(MAX_BINS).optional(),
    /** The quantile grid of a numeric variable, `[lo, hi]`; values outside fall in open bins. */
    range: z.record(variableName, rangeSchema).optional(),
    /** A categorical variable: adds per-group summaries. */
    groupBy: variableName.optional(),
    /** `false` forbids min and max for this job; `true` cannot allow what a node forbids. */
    allowMinMax: z.boolean().optional(),
    /**
     * Noise on every released count and moment; `bounds` must hold every number or date
     * variable (the node refuses INVALID_PARAMS otherwise). Min and max are then withheld.
     */
    dp: dpSpecSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.dp !== undefined) {
      const strayBounds = Object.keys(p.dp.bounds).filter((v) => !p.variables.includes(v));
      const issue = (message: string): void => {
        ctx.addIssue({ code: 'custom', path: ['dp'], message });
      };
      if (strayBounds.length > 0)
        issue(`dp.bounds names variables not in variables: ${strayBounds.join(', ')}`);
      if (p.groupBy !== undefined || p.quantiles !== undefined)
        issue('dp covers the overall statistics only, not groupBy or quantiles');
    }
    const stray = Object.keys(p.range ?? {}).filter((v) => !p.variables.includes(v));
    if (stray.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['range'],
        message: `range names variables not in variables: ${stray.join(', ')}`,
      });
    }
    if (p.quantiles === undefined && (p.range !== undefined || p.bins !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['quantiles'],
        message: 'range and bins need quantiles',
      });
    }
  });
export type SummaryParams = z.infer<typeof summaryParamsSchema>;

const count = z.number().int().min(0);

/** One site's moments of a number or date variable; min and max only where the node allows. */
export const numericStatsSchema = z
  .object({
    kind: z.enum(['number', 'date']),
    count,
    missing: count,
    mean: z.number(),
    m2: z.number().min(0),
    min: z.number().optional(),
    max: z.number().optional(),
  })
  .strict();
export type NumericStats = z.infer<typeof numericStatsSchema>;

/** One site's level counts of a categorical variable; suppressed levels are listed, not counted. */
export const categoricalStatsSchema = z
  .object({
    kind: z.literal('categorical'),
    count,
    missing: count,
    levels: z.record(z.string(), count),
    suppressed: z.array(z.string()),
  })
  .strict();
export type CategoricalStats = z.infer<typeof categoricalStatsSchema>;

export const variableStatsSchema = z.discriminatedUnion('kind', [
  numericStatsSchema,
  categoricalStatsSchema,
]);
export type VariableStats = z.infer<typeof variableStatsSchema>;

/** One released group at a site: its rows and the variables not suppressed in it. */
export const groupStatsSchema = z
  .object({
    rows: count,
    variables: z.record(z.string(), variableStatsSchema),
    /** Variables whose statistics in this group were suppressed. */
    suppressed: z.array(z.string()),
  })
  .strict();
export type GroupStats = z.infer<typeof groupStatsSchema>;

/** A site's per-group statistics: groups with no rows are absent; suppressed ones are listed. */
export const groupsOutputSchema = z
  .object({
    levels: z.record(z.string(), groupStatsSchema),
    suppressed: z.array(z.string()),
  })
  .strict();
export type GroupsOutput = z.infer<typeof groupsOutputSchema>;

/** What one site releases for the step 'stats'. */
export const summaryLocalOutputSchema = z
  .object({
    rows: count,
    variables: z.record(z.string(), variableStatsSchema),
    groups: groupsOutputSchema.optional(),
  })
  .strict();
export type SummaryLocalOutput = z.infer<typeof summaryLocalOutputSchema>;

/**
 * The shared fine grid of one numeric variable: `bins` equal bins from `lo` to `hi` (edges
 * lo + (hi − lo)·j/bins, the last exactly hi), bin j = [e_j, e_j+1) with the last closed, plus an
 * open bin below lo and one above hi.
 */
export const gridSchema = z
  .object({
    lo: z.number(),
    hi: z.number(),
    bins: z.number().int().min(1).max(MAX_BINS),
  })
  .strict()
  .refine((g) => g.lo < g.hi && Number.isFinite(g.hi - g.lo), 'grid needs lo < hi');
export type Grid = z.infer<typeof gridSchema>;

/** What the hub sends to the step 'quantiles': the grid of each numeric variable. */
export const quantilesInputSchema = z.object({ grids: z.record(z.string(), gridSchema) }).strict();
export type QuantilesInput = z.infer<typeof quantilesInputSchema>;

/**
 * A released cell `[from, to, count]` over grid positions: 0 is the open bin below lo, 1..bins
 * the fine bins, bins + 1 the open bin above hi; the cell covers positions from..to−1. Positions
 * in no cell hold no values. Every count is at least minCount.
 */
export const cellSchema = z.tuple([count, count, z.number().int().min(1)]);
export type Cell = z.infer<typeof cellSchema>;

/** What one site releases for the step 'quantiles'. */
export const quantilesLocalOutputSchema = z
  .object({
    variables: z.record(z.string(), z.object({ count, cells: z.array(cellSchema) }).strict()),
  })
  .strict();
export type QuantilesLocalOutput = z.infer<typeof quantilesLocalOutputSchema>;

/**
 * One quantile of the pooled values. [lower, upper] is guaranteed to hold the pooled sample
 * quantile of R types 1 and 7; `errorBound` = upper − lower bounds |estimate − quantile|. A side
 * that may lie in an open bin (below lo or above hi) is null, with `reason`.
 */
export interface QuantileEstimate {
  p: number;
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  errorBound: number | null;
  reason?: string;
}

/** Where a variable's quantile grid came from (README "summary"). */
export type GridSource = 'range' | 'minMax' | 'meanSd';

/** The grid the quantiles of a variable were computed on. */
export interface QuantileGrid extends Grid {
  binWidth: number;
  source: GridSource;
}

/** The pooled statistics of a number or date variable. `sd` is null with fewer than 2 values. */
export interface NumericSummary {
  count: number;
  missing: number;
  mean: number;
  sd: number | null;
  /** Only when every site that released allows min and max. */
  min?: number;
  max?: number;
  quantiles?: QuantileEstimate[];
  grid?: QuantileGrid;
}

/**
 * The pooled counts of a categorical variable. `levels` holds exact pooled counts only; a level
 * suppressed at any site is listed in `suppressed` instead, since its sum would be an undercount.
 */
export interface CategoricalSummary {
  count: number;
  missing: number;
  levels: Record<string, number>;
  suppressed?: string[];
}

/** A numeric variable within a group: `mean` is null when the group has no value of it. */
export type GroupNumericSummary = Omit<
  NumericSummary,
  'mean' | 'min' | 'max' | 'quantiles' | 'grid'
> & {
  mean: number | null;
};

/** One pooled group: its rows and the same statistics as the top level (no quantiles, min, max). */
export interface GroupSummary {
  n: number;
  variables: Record<string, GroupNumericSummary | CategoricalSummary>;
  /** Variables suppressed in this group at some site, so not pooled. */
  suppressed?: string[];
}

/** The result of a `summary` job (README "Algorithms"). */
export interface SummaryResult {
  /** Rows over the sites that released. */
  n: number;
  /** Number of sites that released. */
  sites: number;
  variables: Record<string, NumericSummary | CategoricalSummary>;
  /** Why min and max are absent, e.g. "withheld by site-2". */
  minMax?: string;
  groupBy?: string;
  /** Pooled groups by level, for groups released by every site. */
  groups?: Record<string, GroupSummary>;
  /** Groups suppressed at some site (0 < n < minCount there, or secondary suppression). */
  suppressedGroups?: string[];
  /** With `dp`: what each site spent and the noise scale of each statistic. */
  privacy?: PrivacyResult;
}
