import { z } from 'zod';

/**
 * The disclosure fields every algorithm's params accept (DESIGN "Disclosure control at the node"):
 * a job may ask for rules stricter than the node's, never looser. The node applies them as
 * max(node, job) for thresholds and min(node, job) for limits; the algorithms read only minCount,
 * through the DisclosurePolicy the node hands them.
 */
export const disclosureParams = {
  /** Raises the node's minCount for this job. */
  minCount: z.number().int().min(1).optional(),
  /** Lowers the node's longest allowed string in params and cohort. */
  maxStringLength: z.number().int().min(1).optional(),
  /** Lowers the node's most levels of a categorical variable. */
  maxLevels: z.number().int().min(1).optional(),
  /** Lowers the node's most levels per cohort row. */
  maxLevelDensity: z.number().gt(0).max(1).optional(),
  /** Turns the differencing guard on for this job even where the operator turned it off. */
  differencingGuard: z.literal(true).optional(),
};
