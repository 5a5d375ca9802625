import { z } from 'zod';

/** The noise mechanisms a job may ask for. */
export const DP_MECHANISMS = ['laplace', 'gaussian'] as const;
export type DpMechanism = (typeof DP_MECHANISMS)[number];

const boundsSchema = z
  .tuple([z.number(), z.number()])
  .refine(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi) && lo < hi, {
    message: 'bounds must be finite numbers [lo, hi] with lo < hi',
  });

/**
 * The `dp` field of an algorithm's params: the mechanism, the ε (and, for the Gaussian, δ) one
 * release may spend, and declared bounds of every numeric variable it sums (values are clipped
 * to them). Laplace is pure ε-DP, so it takes no δ; the Gaussian needs 0 < δ < 1.
 */
export const dpSpecSchema = z
  .object({
    mechanism: z.enum(DP_MECHANISMS),
    // Above 50, e^ε overflows the calibration's precision, and no privacy is left to speak of.
    epsilon: z.number().gt(0).max(50),
    delta: z.number().gt(0).lt(1).optional(),
    bounds: z.record(z.string().min(1).max(64), boundsSchema).default({}),
  })
  .strict()
  .refine((d) => (d.mechanism === 'gaussian') === (d.delta !== undefined), {
    message: 'the gaussian mechanism needs a delta in (0, 1); laplace takes none',
    path: ['delta'],
  });
export type DpSpec = z.infer<typeof dpSpecSchema>;

/** What one noisy release spent and how much noise it added. */
export const dpReleaseSchema = z
  .object({
    mechanism: z.enum(DP_MECHANISMS),
    epsilon: z.number().gt(0),
    delta: z.number().min(0).lt(1),
    /** Laplace: the scale b = Δ₁/ε; Gaussian: σ. In the released values' units. */
    noiseScale: z.number().gt(0),
    /** The grid the released values lie on (1 for counts). */
    resolution: z.number().gt(0),
    /** What was released, e.g. `age.sum` or `cells`: the hub reports the noise scale by it. */
    statistic: z.string().min(1).max(200).optional(),
  })
  .strict();
export type DpRelease = z.infer<typeof dpReleaseSchema>;

/**
 * How a node composes a release with the earlier ones of the same job (rdp.ts): repeated
 * Gaussian releases of noise SD `sigma` times their L2 sensitivity, accounted in Rényi DP at a
 * fixed `delta`. A report that carries it is charged by the node's own count of such releases in
 * the job (accountantIncrement), not by what the step or the hub says.
 */
export const rdpAccountantSchema = z
  .object({
    method: z.literal('rdp-gaussian'),
    sigma: z.number().gt(0).max(1e6),
    delta: z.number().gt(0).lt(1),
  })
  .strict();
export type RdpAccountant = z.infer<typeof rdpAccountantSchema>;

/**
 * The `privacy` field of a site's output when it holds noisy values: the total ε and δ of its
 * releases (basic composition: they add up) and each release. The node spends `epsilon` and
 * `delta` from the project's budget before the output leaves; the hub reports them in the result.
 */
export const privacyReportSchema = z
  .object({
    epsilon: z.number().gt(0),
    delta: z.number().min(0).lt(1),
    releases: z.array(dpReleaseSchema).min(1),
    /** Present when the releases compose within the job by an accountant (DP-FedAvg). */
    accountant: rdpAccountantSchema.optional(),
  })
  .strict();
export type PrivacyReport = z.infer<typeof privacyReportSchema>;

/** The key of a site output that carries its PrivacyReport (what the node reads). */
export const PRIVACY_REPORT_KEY = 'privacy';
