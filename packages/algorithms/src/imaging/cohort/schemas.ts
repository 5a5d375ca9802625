import { z } from 'zod';
import { disclosureParams } from '../../disclosure-params.js';
import { dateRangeSchema, imagingGroupBySchema, type GroupKey } from '../params.js';

/**
 * `imaging-cohort` params: `groupBy` (subset of modality, body_part, series_description; default
 * `['modality']`), `dateRange` `[from, to]` on study_date (ISO dates, inclusive; series without a
 * date are left out when it is given), and the disclosure fields.
 */
export const imagingCohortParamsSchema = z
  .object({
    groupBy: imagingGroupBySchema,
    dateRange: dateRangeSchema.optional(),
    ...disclosureParams,
  })
  .strict();
export type ImagingCohortParams = z.infer<typeof imagingCohortParamsSchema>;

const count = z.number().int().min(0);

/** One group's counts at a site, every count null when the group is suppressed there. */
export const cohortCellsSchema = z
  .object({
    patients: count.nullable(),
    studies: count.nullable(),
    series: count.nullable(),
    instances: count.nullable(),
  })
  .strict();
export type CohortCells = z.infer<typeof cohortCellsSchema>;

/**
 * What one site releases for the step 'counts': its totals over the series in the date range
 * (at least minCount patients, else it refuses) and each group's counts, the group's values in
 * `groupBy` order (null: missing value).
 */
export const imagingCohortLocalOutputSchema = z
  .object({
    totals: z.object({ patients: count, studies: count, series: count, instances: count }).strict(),
    groups: z.array(
      z.object({ key: z.array(z.string().nullable()), counts: cohortCellsSchema }).strict(),
    ),
  })
  .strict();
export type ImagingCohortLocalOutput = z.infer<typeof imagingCohortLocalOutputSchema>;

/** The counts of one pooled group; a count is null when the group was suppressed at some site. */
export interface ImagingCohortGroup extends CohortCells {
  key: GroupKey;
}

/** The result of an `imaging-cohort` job. */
export interface ImagingCohortResult {
  /** Number of sites that released. */
  sites: number;
  groupBy: string[];
  dateRange: [string, string] | null;
  /** Groups in the order of their values (a missing value last). */
  groups: ImagingCohortGroup[];
  /** Sums over the sites that released (patients: see `note`). */
  totals: { patients: number; studies: number; series: number; instances: number };
  note: string;
}
