import { z } from 'zod';
import type { PrivacyResult } from '../dp-result.js';
import { disclosureParams } from '../disclosure-params.js';
import { variableName } from '../params.js';
import { dpSpecSchema } from '../privacy/schemas.js';

const finite = z.number().refine(Number.isFinite, 'must be finite');

const edgesForm = z
  .object({
    variable: variableName,
    edges: z
      .array(finite)
      .min(2)
      .max(1001)
      .refine((e) => e.every((x, i) => i === 0 || x > (e[i - 1] ?? x)), 'edges must increase'),
    ...disclosureParams,
    /** Noise on every released cell (no bounds needed: one row is in one cell). */
    dp: dpSpecSchema.optional(),
  })
  .strict();

const binsForm = z
  .object({
    variable: variableName,
    bins: z.number().int().min(1).max(1000),
    range: z
      .tuple([finite, finite])
      .refine(([lo, hi]) => lo < hi, 'range must be [lo, hi] with lo < hi'),
    ...disclosureParams,
    /** Noise on every released cell (no bounds needed: one row is in one cell). */
    dp: dpSpecSchema.optional(),
  })
  .strict();

/**
 * `histogram` params: either explicit `edges` (strictly increasing, 2..1001 of them) or `bins`
 * equal-width bins over `range`. Both strict, so a job giving both forms is refused.
 */
export const histogramParamsSchema = z.union([edgesForm, binsForm]);
export type HistogramParams = z.infer<typeof histogramParamsSchema>;

const count = z.number().int().min(0);
const cell = count.nullable();

/**
 * What one site releases for the step 'counts'. `counts[i]`, `below` and `above` are null when
 * suppressed at that site; `rows` and `missing` are released as summary releases them.
 */
export const histogramLocalOutputSchema = z
  .object({ rows: count, missing: count, counts: z.array(cell), below: cell, above: cell })
  .strict();
export type HistogramLocalOutput = z.infer<typeof histogramLocalOutputSchema>;

/** The result of a `histogram` job (README "Algorithms"). */
export interface HistogramResult {
  /** Rows over the sites that released (missing values included). */
  n: number;
  /** Number of sites that released. */
  sites: number;
  edges: number[];
  /** Pooled count per bin; null when the bin was suppressed at some site. */
  counts: (number | null)[];
  /** Values below the first edge / above the last edge; null when suppressed at some site. */
  below: number | null;
  above: number | null;
  missing: number;
  /** Indexes of the bins that are null in `counts`. */
  suppressed: number[];
  /** With `dp`: what each site spent and the noise scale of its cells. */
  privacy?: PrivacyResult;
}

/**
 * The bin edges of `params`: the given ones, or `bins + 1` equal-width edges over `range` whose
 * first and last are exactly `lo` and `hi`. Node and hub both call this, so they agree.
 */
export function histogramEdges(params: HistogramParams): number[] {
  if ('edges' in params) return [...params.edges];
  const [lo, hi] = params.range;
  const width = (hi - lo) / params.bins;
  return Array.from({ length: params.bins + 1 }, (_, i) =>
    i === params.bins ? hi : lo + i * width,
  );
}
