import { z } from 'zod';
import { disclosureParams } from '../disclosure-params.js';
import type { PrivacyResult } from '../dp-result.js';
import { variableName } from '../params.js';
import { dpSpecSchema } from '../privacy/schemas.js';

/** `crosstab` params: two distinct categorical variables, optional stricter minCount. */
export const crosstabParamsSchema = z
  .object({
    rows: variableName,
    columns: variableName,
    ...disclosureParams,
    /** Noise on every released cell (no bounds needed: one row is in one cell). */
    dp: dpSpecSchema.optional(),
  })
  .strict()
  .refine((p) => p.rows !== p.columns, 'rows and columns must be different variables');
export type CrosstabParams = z.infer<typeof crosstabParamsSchema>;

const count = z.number().int().min(0);
const levels = z.array(z.string()).refine((ls) => new Set(ls).size === ls.length, 'unique levels');

/**
 * What one site releases for the step 'table': its dataset's levels of both variables and the
 * count of each cell (`counts[row][column]`), null where suppressed. `missing` counts rows lacking
 * either value.
 */
export const crosstabLocalOutputSchema = z
  .object({
    rows: count,
    missing: count,
    rowLevels: levels,
    columnLevels: levels,
    counts: z.array(z.array(count.nullable())),
  })
  .strict()
  .refine(
    (o) =>
      o.counts.length === o.rowLevels.length &&
      o.counts.every((r) => r.length === o.columnLevels.length),
    'counts must be rowLevels × columnLevels',
  );
export type CrosstabLocalOutput = z.infer<typeof crosstabLocalOutputSchema>;

/** Pearson's chi-square test of independence on the pooled table. */
export interface ChiSquareTest {
  statistic: number;
  df: number;
  pValue: number;
}

/** The result of a `crosstab` job (README "Algorithms"). */
export interface CrosstabResult {
  /** Rows over the sites that released (missing included). */
  n: number;
  /** Number of sites that released. */
  sites: number;
  /** Rows lacking the row or the column value. */
  missing: number;
  /** Levels of the row / column variable: union over the sites, sorted. */
  rows: string[];
  columns: string[];
  /** Pooled `counts[row][column]`; null when the cell was suppressed at some site. */
  counts: (number | null)[][];
  /** Null when not computed; `note` says why. */
  chiSquare: ChiSquareTest | null;
  note?: string;
  /** With `dp`: what each site spent and the noise scale of its cells. */
  privacy?: PrivacyResult;
}
