import { z } from 'zod';

/**
 * Why a site did not release a result. Every refusal carries one of these codes and a reason that
 * names what was wrong; both are reported per site in the job result.
 */
export const SITE_CODES = {
  // policy at the node (DESIGN "Security model": deny by default)
  PROJECT_NOT_APPROVED: 'the operator has not approved this project',
  DATASET_NOT_EXPOSED: 'a dataset is not exposed to this project',
  ALGORITHM_NOT_ALLOWED: 'the operator does not allow this algorithm',
  ALGORITHM_UNKNOWN: 'the node does not know this algorithm or version',
  // input
  INVALID_PARAMS: 'the parameters do not fit the algorithm',
  INVALID_COHORT: 'the cohort filter does not fit the dataset',
  VARIABLE_MISSING: 'a variable is not in the dataset',
  IDENTIFIER_VARIABLE:
    'a variable or cohort condition names an identifier column (patient, study or series id)',
  // disclosure control
  MIN_COUNT: 'fewer rows than minCount',
  DIFFERENCING: 'the cohort differs too little from one already released',
  PARAMETER_LIMIT: 'too many parameters for the number of rows',
  STRING_LIMIT: 'a string parameter is longer than the node allows',
  LEVEL_LIMIT: 'a categorical variable has more levels than the node allows',
  PRIVACY_BUDGET: 'the privacy budget would be exceeded',
  SECURE_AGGREGATION_REQUIRED: 'this node requires secure aggregation',
  // integrity
  BAD_SIGNATURE: 'the task signature does not verify',
  CRYPTO_FAILED: 'the task envelope could not be opened',
  // execution
  TIMEOUT: 'the local step ran out of time',
  MEMORY_LIMIT: 'the local step ran out of memory',
  STEP_FAILED: 'the local step failed',
  // hub side
  NO_RESPONSE: 'the site did not answer before the deadline',
} as const;

export type SiteCode = keyof typeof SITE_CODES;
export const siteCodeSchema = z.enum(Object.keys(SITE_CODES) as [SiteCode, ...SiteCode[]]);

/** Per-site outcome of a job (the `sites` array of `job run --json`). */
export const siteOutcomeSchema = z.object({
  trust: z.string(),
  status: z.enum(['ok', 'refused', 'failed', 'pending']),
  code: siteCodeSchema.optional(),
  reason: z.string().optional(),
});
export type SiteOutcome = z.infer<typeof siteOutcomeSchema>;
