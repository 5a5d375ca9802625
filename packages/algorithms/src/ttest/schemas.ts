import { z } from 'zod';
import { disclosureParams } from '../disclosure-params.js';
import type { PrivacyResult } from '../dp-result.js';
import { isUnreservedName, variableName } from '../params.js';
import { dpSpecSchema } from '../privacy/schemas.js';

const level = z.string().min(1).max(200).refine(isUnreservedName, 'a reserved name');

/**
 * Two-sample `ttest` params: Welch's t-test of the number `variable` between two levels of the
 * categorical `group`. `levels` picks the two levels (default: the group's two levels, which it
 * must then have exactly).
 */
export const ttestTwoSampleParamsSchema = z
  .object({
    variable: variableName,
    group: variableName,
    levels: z
      .tuple([level, level])
      .refine(([a, b]) => a !== b, 'the two levels must differ')
      .optional(),
    paired: z.literal(false).optional(),
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

/** Paired `ttest` params: one-sample t-test of the per-row difference `variable − variable2`. */
export const ttestPairedParamsSchema = z
  .object({
    paired: z.literal(true),
    variable: variableName,
    variable2: variableName,
    ...disclosureParams,
    /** Noise on the count and sums of differences; `bounds` must hold both variables. */
    dp: dpSpecSchema.optional(),
  })
  .strict()
  .refine((p) => p.variable !== p.variable2, 'variable and variable2 must differ')
  .refine(
    (p) =>
      p.dp === undefined ||
      (Object.hasOwn(p.dp.bounds, p.variable) && Object.hasOwn(p.dp.bounds, p.variable2)),
    {
      message: 'dp needs bounds for variable and variable2, as dp.bounds: {"<name>": [lo, hi]}',
      path: ['dp', 'bounds'],
    },
  );

/** `ttest` params: the two-sample form, or the paired form with `paired: true`. */
export const ttestParamsSchema = z.union([ttestTwoSampleParamsSchema, ttestPairedParamsSchema]);
export type TtestParams = z.infer<typeof ttestParamsSchema>;
export type TtestTwoSampleParams = z.infer<typeof ttestTwoSampleParamsSchema>;
export type TtestPairedParams = z.infer<typeof ttestPairedParamsSchema>;

const count = z.number().int().min(0);

/** One group's moments at one site (never min, max or a row value). */
export const groupMomentsSchema = z
  .object({ count, mean: z.number(), m2: z.number().min(0) })
  .strict();

/** What one site releases for the step 'groups': the two levels in order and their moments. */
export const ttestLocalOutputSchema = z
  .object({
    levels: z.tuple([z.string(), z.string()]),
    groups: z.tuple([groupMomentsSchema, groupMomentsSchema]),
  })
  .strict();
export type TtestLocalOutput = z.infer<typeof ttestLocalOutputSchema>;

/** What one site releases for the step 'groups' of a paired test: moments of the differences. */
export const ttestPairedLocalOutputSchema = z
  .object({ paired: z.literal(true), differences: groupMomentsSchema })
  .strict();
export type TtestPairedLocalOutput = z.infer<typeof ttestPairedLocalOutputSchema>;

/** Pooled description of one group. `sd` is the sample standard deviation. */
export interface TtestGroup {
  count: number;
  mean: number;
  sd: number;
}

/** The result of a `ttest` job. `difference` is mean(levels[0]) − mean(levels[1]). */
export interface TtestResult {
  n: number;
  groups: Record<string, TtestGroup>;
  difference: number;
  standardError: number;
  statistic: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided. */
  pValue: number;
  /** 95% confidence interval of the difference. */
  ci: [number, number];
  /** With `dp`: what each site spent and the noise scale of each statistic. */
  privacy?: PrivacyResult;
}

/** The result of a paired `ttest` job. `difference` is the mean of variable − variable2. */
export interface TtestPairedResult {
  n: number;
  paired: true;
  difference: number;
  /** Sample standard deviation of the differences. */
  sd: number;
  standardError: number;
  statistic: number;
  /** n − 1. */
  df: number;
  /** Two-sided. */
  pValue: number;
  /** 95% confidence interval of the mean difference. */
  ci: [number, number];
  /** With `dp`: what each site spent and the noise scale of each statistic. */
  privacy?: PrivacyResult;
}
