import { z } from 'zod';
import { disclosureParams } from '../disclosure-params.js';
import { variableList, variableName } from '../params.js';

/**
 * `linear-regression` params (DESIGN "Public contract"):
 * `{"outcome": "sbp", "covariates": ["age", "sex"], "intercept": true, "minCount": 10}`.
 */
export const linearRegressionParamsSchema = z
  .object({
    outcome: variableName,
    covariates: variableList(1, 50, 'covariates'),
    intercept: z.boolean().default(true),
    ...disclosureParams,
  })
  .strict()
  .refine((p) => !p.covariates.includes(p.outcome), 'the outcome cannot be a covariate');
export type LinearRegressionParams = z.infer<typeof linearRegressionParamsSchema>;

const count = z.number().int().min(0);

/** One covariate as a site sees it: a number, or a categorical with the levels it holds. */
export const covariateInfoSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('number') }).strict(),
  z.object({ kind: z.literal('categorical'), levels: z.array(z.string()) }).strict(),
]);
export type CovariateInfo = z.infer<typeof covariateInfoSchema>;

/** Step 'levels' output: each covariate's kind and the levels present among complete cases. */
export const levelsOutputSchema = z
  .object({ covariates: z.record(z.string(), covariateInfoSchema) })
  .strict();
export type LevelsOutput = z.infer<typeof levelsOutputSchema>;

/** One design column: a number covariate, or the dummy of one non-reference level. */
export const designColumnSchema = z
  .object({ name: z.string(), variable: z.string(), level: z.string().nullable() })
  .strict();
export type DesignColumn = z.infer<typeof designColumnSchema>;

/**
 * Step 'moments' input from the hub: the design columns after the intercept (if any), and every
 * categorical covariate's pooled levels (the first, the reference, has no column).
 */
export const momentsInputSchema = z
  .object({
    columns: z.array(designColumnSchema),
    levels: z.record(z.string(), z.array(z.string())),
  })
  .strict();
export type MomentsInput = z.infer<typeof momentsInputSchema>;

/** Step 'moments' output: sufficient statistics over complete cases (X'X row-major, p × p). */
export const momentsOutputSchema = z
  .object({
    n: count,
    xtx: z.array(z.array(z.number())),
    xty: z.array(z.number()),
    yty: z.number(),
    sumY: z.number(),
  })
  .strict();
export type MomentsOutput = z.infer<typeof momentsOutputSchema>;

/** One coefficient of the fitted model; `ci` is the 95% confidence interval. */
export interface Coefficient {
  estimate: number;
  standardError: number;
  statistic: number;
  pValue: number;
  ci: [number, number];
}

/** The result of a `linear-regression` job (README "Algorithms"). */
export interface LinearRegressionResult {
  n: number;
  /** By design column name: "(Intercept)", a number covariate, or `variable:level`. */
  coefficients: Record<string, Coefficient>;
  rSquared: number;
  adjustedRSquared: number;
  residualStandardError: number;
  /** Residual degrees of freedom, n − p. */
  df: number;
  /** Overall F test (R's summary.lm): model vs intercept only (vs zero without an intercept). */
  fStatistic: { value: number; df1: number; df2: number; pValue: number } | null;
}
