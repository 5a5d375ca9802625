import { variableNameSchema } from '@tessera/protocol';
import { z } from 'zod';

/** Names that would collide with object prototype machinery when used as result keys. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** `summary` params (DESIGN "Public contract"): `{"variables": ["age", "sex"]}`, optional minCount. */
export const summaryParamsSchema = z
  .object({
    variables: z
      .array(
        variableNameSchema.refine((v) => !RESERVED.has(v), 'a reserved name, not a variable name'),
      )
      .min(1)
      .max(200)
      .refine((vs) => new Set(vs).size === vs.length, 'variables must be unique'),
    /** Raises the node's minCount for this job; never lowers it. */
    minCount: z.number().int().min(1).optional(),
  })
  .strict();
export type SummaryParams = z.infer<typeof summaryParamsSchema>;

const count = z.number().int().min(0);

/** One site's moments of a number or date variable (never min or max). */
export const numericStatsSchema = z
  .object({
    kind: z.enum(['number', 'date']),
    count,
    missing: count,
    mean: z.number(),
    m2: z.number().min(0),
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

/** What one site releases for the step 'stats'. */
export const summaryLocalOutputSchema = z
  .object({ rows: count, variables: z.record(z.string(), variableStatsSchema) })
  .strict();
export type SummaryLocalOutput = z.infer<typeof summaryLocalOutputSchema>;

/** The pooled statistics of a number or date variable. `sd` is null with fewer than 2 values. */
export interface NumericSummary {
  count: number;
  missing: number;
  mean: number;
  sd: number | null;
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

/** The result of a `summary` job (README "Algorithms"). */
export interface SummaryResult {
  /** Rows over the sites that released. */
  n: number;
  /** Number of sites that released. */
  sites: number;
  variables: Record<string, NumericSummary | CategoricalSummary>;
}
