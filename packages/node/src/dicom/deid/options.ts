/*
 * The operator's de-identification choices (issue 7; PS3.15 Annex E options) and the error the
 * de-identifier throws. The schema is exported so the node's config can embed it.
 */
import { z } from 'zod';

/** One allow-listed private attribute: Private Creator (LO) and the element's low byte. */
export const privateAllowanceSchema = z
  .object({
    creator: z
      .string()
      .trim()
      .min(1, 'a private creator is not empty')
      .max(64, 'a private creator has at most 64 characters'),
    element: z.number().int().min(0x00).max(0xff),
  })
  .strict();

/**
 * De-identification options, all off (the Basic Profile alone) unless the operator turns them
 * on. Unknown keys are refused, so a misspelt option is an error rather than ignored.
 */
export const deidOptionsSchema = z
  .object({
    /**
     * Retain Longitudinal Temporal Information with Modified Dates (PS3.15 E.3.6): every date
     * shifted by the patient's whole-day offset, (0028,0303) set to MODIFIED.
     */
    retainLongitudinalTemporal: z.boolean().default(false),
    /** Retain Patient Characteristics (E.3.7): sex, age, size, weight, ... kept. */
    retainPatientCharacteristics: z.boolean().default(false),
    /** Clean Descriptors (E.3.5): descriptions kept when they pass descriptors.ts's check. */
    cleanDescriptors: z.boolean().default(false),
    /** Private attributes to keep, by creator and element byte; all others are removed. */
    allowedPrivate: z.array(privateAllowanceSchema).default([]),
    /** Store images flagged with burned-in annotation rather than hold them for the operator. */
    allowBurnedIn: z.boolean().default(false),
  })
  .strict();

/** Parsed de-identification options (defaults applied). */
export type DeidOptions = z.infer<typeof deidOptionsSchema>;
/** De-identification options as written in a config file. */
export type DeidOptionsInput = z.input<typeof deidOptionsSchema>;

/** The Basic Profile with no option. */
export const BASIC_PROFILE_ONLY: DeidOptions = deidOptionsSchema.parse({});

/**
 * An instance that cannot be de-identified safely. The message names the attribute by tag
 * (and its path in sequences), never a value, so it may go to the audit log and quarantine.
 */
export class DeidError extends Error {
  constructor(
    message: string,
    readonly path: string = '',
  ) {
    super(path === '' ? message : `${message} at ${path}`);
    this.name = 'DeidError';
  }
}
