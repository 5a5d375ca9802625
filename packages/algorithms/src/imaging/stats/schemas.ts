import { z } from 'zod';
import { disclosureParams } from '../../disclosure-params.js';
import { MAX_IMAGE_BINS } from '../bins.js';
import { imagingGroupBySchema, type GroupKey } from '../params.js';

const finite = z.number().refine(Number.isFinite, 'must be finite');

/**
 * `image-stats` params: `bins` equal bins over [min, max) of modality values (e.g. Hounsfield
 * units for CT; values outside fall in the edge bins), `groupBy` as for imaging-cohort (default
 * `['modality']`), and the disclosure fields.
 */
export const imageStatsParamsSchema = z
  .object({
    min: finite,
    max: finite,
    bins: z.number().int().min(1).max(MAX_IMAGE_BINS),
    groupBy: imagingGroupBySchema,
    ...disclosureParams,
  })
  .strict()
  .refine((p) => p.min < p.max && Number.isFinite(p.max - p.min), 'min must be below max');
export type ImageStatsParams = z.infer<typeof imageStatsParamsSchema>;

const count = z.number().int().min(0);

/**
 * One group at a site: the patients and series whose pixels were read, the series that could not
 * be decoded (null when 1 to minCount − 1), and the pixel count per bin (null where fewer than
 * minCount patients are behind it, see cellsToSuppress). Every field null when the group's
 * decoded series belong to fewer than minCount patients.
 */
export const imageStatsGroupOutputSchema = z
  .object({
    key: z.array(z.string().nullable()),
    patients: count.nullable(),
    series: count.nullable(),
    undecodable: count.nullable(),
    counts: z.array(count.nullable()).nullable(),
  })
  .strict();
export type ImageStatsGroupOutput = z.infer<typeof imageStatsGroupOutputSchema>;

/** What one site releases for the step 'histograms'. */
export const imageStatsLocalOutputSchema = z
  .object({ groups: z.array(imageStatsGroupOutputSchema) })
  .strict();
export type ImageStatsLocalOutput = z.infer<typeof imageStatsLocalOutputSchema>;

/** One pooled group of an `image-stats` result. */
export interface ImageStatsGroup {
  key: GroupKey;
  /** Sites that released this group / that hold it but suppressed it (fewer than minCount patients). */
  sites: number;
  suppressedAt: number;
  /** Over the releasing sites: patients (summed per site) and series whose pixels were read. */
  patients: number | null;
  series: number | null;
  /** Series that could not be decoded; null when suppressed at some site. */
  undecodable: number | null;
  /** Pixels per bin over the releasing sites; a bin is null when suppressed at some site. */
  counts: (number | null)[] | null;
  /** From the released bins at their centres (see binnedMoments for the binning error). */
  mean: number | null;
  sd: number | null;
  /** True when no bin and no site's group was suppressed, so mean and sd cover every pixel read. */
  complete: boolean;
}

/** The result of an `image-stats` job. */
export interface ImageStatsResult {
  sites: number;
  groupBy: string[];
  min: number;
  max: number;
  bins: number;
  /** (max − min) / bins; the bound on mean and sd's binning error is half of it. */
  binWidth: number;
  groups: ImageStatsGroup[];
  note: string;
}
