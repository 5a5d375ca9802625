import { z } from 'zod';
import { disclosureParams } from '../disclosure-params.js';
import type { PrivacyResult } from '../dp-result.js';
import { variableName } from '../params.js';
import { dpSpecSchema } from '../privacy/schemas.js';

/** `anova` params: one-way analysis of variance of the number `variable` across the levels of `group`. */
export const anovaParamsSchema = z
  .object({
    variable: variableName,
    group: variableName,
    ...disclosureParams,
    /** Noise on group counts and sums; `bounds` must hold `variable` (values are clipped). */
    dp: dpSpecSchema.optional(),
  })
  .strict()
  .refine((p) => p.variable !== p.group, 'variable and group must differ')
  .refine((p) => p.dp === undefined || Object.hasOwn(p.dp.bounds, p.variable), {
    message: 'dp needs bounds for the variable, as dp.bounds: {"<variable>": [lo, hi]}',
    path: ['dp', 'bounds'],
  });
export type AnovaParams = z.infer<typeof anovaParamsSchema>;

const count = z.number().int().min(0);
const groupMomentsSchema = z.object({ count, mean: z.number(), m2: z.number().min(0) }).strict();

/** What one site releases for the step 'groups': moments per level with at least one value. */
export const anovaLocalOutputSchema = z
  .object({ groups: z.record(z.string(), groupMomentsSchema) })
  .strict();
export type AnovaLocalOutput = z.infer<typeof anovaLocalOutputSchema>;

/** A sum-of-squares line of the ANOVA table. */
export interface AnovaTerm {
  df: number;
  ss: number;
  ms: number;
}

/** The result of an `anova` job; groups are the levels with values, sorted by name. */
export interface AnovaResult {
  n: number;
  groups: Record<string, { count: number; mean: number; sd: number | null }>;
  between: AnovaTerm;
  within: AnovaTerm;
  /** F = between.ms / within.ms. */
  statistic: number;
  pValue: number;
  /** With `dp`: what each site spent and the noise scale of each statistic. */
  privacy?: PrivacyResult;
}
