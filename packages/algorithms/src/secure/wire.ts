import { rawPublicKeySchema, signatureSchema } from '@tessera/protocol';
import { z } from 'zod';

/*
 * The messages of the four secure-aggregation phases (Bonawitz et al. 2017, §4: AdvertiseKeys,
 * ShareKeys, MaskedInputCollection, Unmasking), as step inputs (hub → every site, broadcast) and
 * step outputs (site → hub). They ride inside the ordinary sealed and signed task and result
 * envelopes; what is secret between nodes is additionally sealed node to node (share boxes).
 */

/** Separator of a summable step's name and its phase: `stats#sa-keys`. */
export const PHASE_SEPARATOR = '#sa-';
export const PHASES = ['keys', 'shares', 'masked', 'unmask'] as const;
export type Phase = (typeof PHASES)[number];

const trust = z.string().min(1).max(200);
const saRound = z.number().int().min(0);
const b64u = z.string().regex(/^[A-Za-z0-9_-]*$/, 'base64url');
const layoutSchema = z.record(z.string(), z.array(z.string()));

/** What a node signs with its Ed25519 identity key at the keys phase. */
export const advertisementSchema = z
  .object({
    jobId: z.string().min(1),
    round: saRound,
    trust,
    cPublic: rawPublicKeySchema,
    sPublic: rawPublicKeySchema,
  })
  .strict();
export type Advertisement = z.infer<typeof advertisementSchema>;

export const signedAdvertisementSchema = z
  .object({ advertisement: advertisementSchema, signature: signatureSchema })
  .strict();
export type SignedAdvertisement = z.infer<typeof signedAdvertisementSchema>;

/** Hub → sites, phase keys: the summable step's own input. */
export const keysInputSchema = z
  .object({ phase: z.literal('keys'), saRound, input: z.unknown() })
  .strict();
export type KeysInput = z.infer<typeof keysInputSchema>;

/** Site → hub, phase keys: the signed advertisement and the output's public layout. */
export const keysOutputSchema = signedAdvertisementSchema.extend({ layout: layoutSchema }).strict();
export type KeysOutput = z.infer<typeof keysOutputSchema>;

/** Hub → sites, phase shares: U1's advertisements and the threshold t. */
export const sharesInputSchema = z
  .object({
    phase: z.literal('shares'),
    saRound,
    threshold: z.number().int().min(2).max(255),
    advertisements: z.record(trust, signedAdvertisementSchema),
  })
  .strict();
export type SharesInput = z.infer<typeof sharesInputSchema>;

/** One share box relayed by the hub, sealed from `from` to `to`. */
export const relayedShareSchema = z.object({ from: trust, to: trust, box: b64u }).strict();
export type RelayedShare = z.infer<typeof relayedShareSchema>;

/** Site → hub, phase shares: one sealed box for every member of U1 (itself included). */
export const sharesOutputSchema = z
  .object({ shares: z.array(z.object({ to: trust, box: b64u }).strict()) })
  .strict();
export type SharesOutput = z.infer<typeof sharesOutputSchema>;

/** Hub → sites, phase masked: U2, every box from U2, the layout and the fixed-point spec. */
export const maskedInputSchema = z
  .object({
    phase: z.literal('masked'),
    saRound,
    u2: z.array(trust),
    shares: z.array(relayedShareSchema),
    layout: layoutSchema,
    length: z.number().int().min(0),
    scaleBits: z.number().int().min(0).max(52),
    parties: z.number().int().min(1),
  })
  .strict();
export type MaskedInput = z.infer<typeof maskedInputSchema>;

/** Site → hub, phase masked: y_u as ring bytes (8 per element, little-endian limbs). */
export const maskedOutputSchema = z.object({ masked: b64u }).strict();
export type MaskedOutput = z.infer<typeof maskedOutputSchema>;

/** Hub → sites, phase unmask: U3 (`survivors`) and U2∖U3 (`dropped`). */
export const unmaskInputSchema = z
  .object({
    phase: z.literal('unmask'),
    saRound,
    survivors: z.array(trust),
    dropped: z.array(trust),
  })
  .strict();
export type UnmaskInput = z.infer<typeof unmaskInputSchema>;

const shareSchema = z.object({ of: trust, x: z.number().int().min(1).max(255), y: b64u }).strict();
export type WireShare = z.infer<typeof shareSchema>;

/** Site → hub, phase unmask: b-shares of the survivors, s-shares of the dropped. */
export const unmaskOutputSchema = z
  .object({ self: z.array(shareSchema), pair: z.array(shareSchema) })
  .strict();
export type UnmaskOutput = z.infer<typeof unmaskOutputSchema>;

/** The step name of `phase` of summable step `step`. */
export function phaseStep(step: string, phase: Phase): string {
  return `${step}${PHASE_SEPARATOR}${phase}`;
}

/** Splits `stats#sa-keys` into its step and phase; null for a plain step name. */
export function parsePhaseStep(name: string): { step: string; phase: Phase } | null {
  const at = name.lastIndexOf(PHASE_SEPARATOR);
  if (at < 0) return null;
  const phase = PHASES.find((p) => p === name.slice(at + PHASE_SEPARATOR.length));
  return phase === undefined ? null : { step: name.slice(0, at), phase };
}
