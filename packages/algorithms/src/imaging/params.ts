import { z } from 'zod';
import { isoDateToDays } from '../cohort-values.js';
import { IMAGING_GROUP_VARIABLES } from './series-table.js';

/**
 * `groupBy` of the imaging algorithms: a non-empty subset of modality, body_part and
 * series_description, no repeats; default `['modality']`.
 */
export const imagingGroupBySchema = z
  .array(z.enum(IMAGING_GROUP_VARIABLES))
  .min(1)
  .max(IMAGING_GROUP_VARIABLES.length)
  .refine((vs) => new Set(vs).size === vs.length, 'groupBy must be unique')
  .default(['modality']);

const isoDate = z
  .string()
  .refine((s) => isoDateToDays(s) !== null, 'must be a real calendar date YYYY-MM-DD');

/** `[from, to]`: ISO calendar dates, both inclusive, from ≤ to. */
export const dateRangeSchema = z
  .tuple([isoDate, isoDate])
  .refine(
    ([a, b]) => (isoDateToDays(a) ?? 0) <= (isoDateToDays(b) ?? 0),
    'dateRange must be [from, to] with from <= to',
  );

/** One group's values, keyed by group variable; null where the series has no value. */
export type GroupKey = Record<string, string | null>;

/** `{modality: 'CT', body_part: null}` from the groupBy variables and one key's values. */
export function keyObject(by: readonly string[], values: readonly (string | null)[]): GroupKey {
  const out: GroupKey = {};
  by.forEach((v, j) => (out[v] = values[j] ?? null));
  return out;
}
