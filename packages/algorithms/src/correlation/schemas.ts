import { z } from 'zod';
import { disclosureParams } from '../disclosure-params.js';
import { variableList } from '../params.js';

/** `correlation` params: the number variables of a Pearson correlation matrix (2 to 50, unique). */
export const correlationParamsSchema = z
  .object({
    variables: variableList(2, 50, 'variables'),
    ...disclosureParams,
  })
  .strict();
export type CorrelationParams = z.infer<typeof correlationParamsSchema>;

/**
 * What one site releases for the step 'comoments', over its complete cases: their count, the
 * means, and the co-moment matrix Σ (x_i − mean_i)(x_j − mean_j), in the order of params.variables.
 */
export const correlationLocalOutputSchema = z
  .object({
    count: z.number().int().min(0),
    means: z.array(z.number()),
    comoments: z.array(z.array(z.number())),
  })
  .strict();
export type CorrelationLocalOutput = z.infer<typeof correlationLocalOutputSchema>;

/**
 * The result of a `correlation` job: n complete cases, Pearson r per pair, and two-sided p-values
 * from t = r√((n−2)/(1−r²)) on n − 2 df (the diagonal holds r 1 and p 0).
 */
export interface CorrelationResult {
  n: number;
  variables: string[];
  matrix: number[][];
  pValues: number[][];
}
