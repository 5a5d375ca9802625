import { z } from 'zod';
import { disclosureParams } from '../disclosure-params.js';
import { variableList } from '../params.js';

/**
 * `pca` params: `{"variables": ["age", "bmi", "sbp"], "standardize": true, "components": 2}`.
 * `standardize` (default true) analyses the correlation matrix, false the covariance matrix;
 * `components` (default all) limits how many components' loadings the result lists.
 */
export const pcaParamsSchema = z
  .object({
    variables: variableList(2, 50, 'variables'),
    standardize: z.boolean().default(true),
    components: z.number().int().min(1).optional(),
    ...disclosureParams,
  })
  .strict()
  .refine(
    (p) => p.components === undefined || p.components <= p.variables.length,
    'components cannot exceed the number of variables',
  );
export type PcaParams = z.infer<typeof pcaParamsSchema>;

/** Per-variable values of the result, keyed by variable name. */
export type ByVariable = Record<string, number>;

/**
 * The result of a `pca` job. Components are ordered by decreasing variance; the sign of each is
 * fixed so that its loading of largest absolute value is positive (the first such on a tie).
 */
export interface PcaResult {
  /** Complete cases pooled over the sites. */
  n: number;
  /** Sites whose rows are in the result. */
  sites: number;
  variables: string[];
  standardize: boolean;
  /** Variances of all p components: eigenvalues of the covariance (or correlation) matrix. */
  eigenvalues: number[];
  /** Square roots of the eigenvalues (R's prcomp `sdev`). */
  standardDeviations: number[];
  proportionOfVariance: number[];
  cumulativeProportion: number[];
  /** Unit eigenvectors of the first `components` components (R's prcomp `rotation`). */
  loadings: Record<string, ByVariable>;
  /** Pooled means. */
  center: ByVariable;
  /** Pooled standard deviations (n − 1 denominator) when standardize, else null. */
  scale: ByVariable | null;
}
