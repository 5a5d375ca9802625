import { z } from 'zod';
import { disclosureParams } from '../disclosure-params.js';
import { variableList, variableName } from '../params.js';
import { covariateInfoSchema, designColumnSchema } from '../linear-regression/schemas.js';
import type { Coefficient } from '../linear-regression/schemas.js';

/** The GLM families Tessera fits, each with its canonical link. */
export const GLM_FAMILIES = { binomial: 'logit', poisson: 'log' } as const;
export type GlmFamily = keyof typeof GLM_FAMILIES;

const common = {
  outcome: variableName,
  covariates: variableList(1, 50, 'covariates'),
  intercept: z.boolean().default(true),
  /** Newton rounds at most (R's glm.control maxit). */
  maxIterations: z.number().int().min(1).max(100).default(25),
  /** R's glm.control epsilon: converged when |dev − dev_old| / (|dev| + 0.1) < tolerance. */
  tolerance: z.number().positive().max(0.01).default(1e-8),
  ...disclosureParams,
};

/**
 * `logistic-regression` params: `{"outcome": "y", "covariates": ["age", "sex"]}`, plus
 * `intercept`, `maxIterations`, `tolerance`, `minCount`, and `positive` (the level of a categorical
 * outcome that counts as 1; default the second of its two levels in sorted order).
 */
export const logisticParamsSchema = z
  .object({ ...common, positive: z.string().min(1).max(200).optional() })
  .strict()
  .refine((p) => !p.covariates.includes(p.outcome), 'the outcome cannot be a covariate');
export type LogisticParams = z.infer<typeof logisticParamsSchema>;

/**
 * `poisson-regression` params: as logistic, without `positive`, with `offset`: a number variable
 * added to the linear predictor with coefficient 1 (R's `offset = log(time)`: it holds the log of
 * the exposure already).
 */
export const poissonParamsSchema = z
  .object({ ...common, offset: variableName.optional() })
  .strict()
  .refine((p) => !p.covariates.includes(p.outcome), 'the outcome cannot be a covariate')
  .refine(
    (p) => p.offset === undefined || (p.offset !== p.outcome && !p.covariates.includes(p.offset)),
    'the offset cannot be the outcome or a covariate',
  );
export type PoissonParams = z.infer<typeof poissonParamsSchema>;

/** The params both families share, as the shared GLM code reads them. */
export interface GlmParams {
  outcome: string;
  covariates: string[];
  intercept: boolean;
  maxIterations: number;
  tolerance: number;
  minCount?: number | undefined;
  positive?: string | undefined;
  offset?: string | undefined;
}

/** Step 'levels' output: the outcome's kind (and present levels) and every covariate's. */
export const glmLevelsOutputSchema = z
  .object({
    outcome: covariateInfoSchema,
    covariates: z.record(z.string(), covariateInfoSchema),
  })
  .strict();
export type GlmLevelsOutput = z.infer<typeof glmLevelsOutputSchema>;

/** The design the hub fixed after 'levels': the same at every site and in every round. */
export const glmDesignSchema = z
  .object({
    columns: z.array(designColumnSchema),
    levels: z.record(z.string(), z.array(z.string())),
    /** The level of a categorical outcome coded 1 (logistic); null for a number outcome. */
    positive: z.string().nullable(),
  })
  .strict();
export type GlmDesign = z.infer<typeof glmDesignSchema>;

/** Step 'newton' input: the design and the coefficients β at which to evaluate. */
export const newtonInputSchema = glmDesignSchema.extend({ beta: z.array(z.number()) }).strict();
export type NewtonInput = z.infer<typeof newtonInputSchema>;

/**
 * Step 'newton' output at β: n, the upper triangle of X'WX packed row by row, the score X'(y − μ),
 * the deviance and the log-likelihood. When μ overflowed at this β the site sends deviance null
 * and empty arrays, and the hub halves its step (as R's glm.fit does).
 */
export const newtonOutputSchema = z
  .object({
    n: z.number().int().min(0),
    xtwx: z.array(z.number()),
    score: z.array(z.number()),
    deviance: z.number().nullable(),
    logLikelihood: z.number().nullable(),
  })
  .strict();
export type NewtonOutput = z.infer<typeof newtonOutputSchema>;

/** The result of a `logistic-regression` or `poisson-regression` job (README "Algorithms"). */
export interface GlmResult {
  /** Complete cases over the sites that released. */
  n: number;
  /** By design column: "(Intercept)", a number covariate, or `variable:level`; z tests, Wald CIs. */
  coefficients: Record<string, Coefficient>;
  /** Residual deviance at the final β. */
  deviance: number;
  /** Deviance of the intercept-only model (with the offset), or of β = 0 without an intercept. */
  nullDeviance: number;
  /** −2 log-likelihood + 2p, as R's AIC(). */
  aic: number;
  logLikelihood: number;
  /** n − p. */
  dfResidual: number;
  /** n − 1 with an intercept, else n. */
  dfNull: number;
  /** Newton rounds run (each one round trip to the sites). */
  iterations: number;
  converged: true;
  family: GlmFamily;
  link: (typeof GLM_FAMILIES)[GlmFamily];
  /** Sites whose rows are in the fit. */
  sites: number;
}
