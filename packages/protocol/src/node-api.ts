import { z } from 'zod';
import {
  idSchema,
  isoDateSchema,
  nameSchema,
  projectRefSchema,
  traceIdSchema,
  trustRefSchema,
  variableNameSchema,
} from './common.js';
import { cohortSchema } from './cohort.js';
import { sealedEnvelopeSchema } from './envelope.js';
import { publicKeysSchema } from './keys.js';
import { siteCodeSchema } from './refusal.js';
import { signatureSchema } from './signature.js';

/*
 * Hub ↔ node messages (DESIGN "A job, end to end"). The node always calls; the hub never opens a
 * connection. Every request carries `Authorization: Bearer <node API key>`. Every task and result
 * is sealed to its recipient and signed by its sender; headers are signed together with the
 * envelope so that nothing in them can be changed in transit or by a replaying party.
 */

/** Longest a poll may be held open by the hub. */
export const MAX_POLL_WAIT_MS = 30_000;

// ---- enrolment ----------------------------------------------------------------------------------

/** POST /api/v1/node/enrol: the node registers its public keys; the hub pins them. */
export const enrolRequestSchema = z
  .object({
    type: z.literal('enrol'),
    keys: publicKeysSchema,
    software: z.string().max(100),
  })
  .strict();
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

export const enrolResponseSchema = z.object({
  type: z.literal('enrolled'),
  /** The trust the hub matched the API key to; a node that finds another name stops. */
  trust: trustRefSchema,
  hubKeys: publicKeysSchema,
});
export type EnrolResponse = z.infer<typeof enrolResponseSchema>;

// ---- tasks ----------------------------------------------------------------------------------------

/** The signed, clear part of a task: enough to route and deduplicate it, nothing about data. */
export const taskHeaderSchema = z
  .object({
    taskId: idSchema,
    jobId: idSchema,
    projectId: idSchema,
    /** The trust (by name) the task is for; bound into the envelope's associated data as `node`. */
    trust: nameSchema,
    round: z.number().int().min(0),
    attempt: z.number().int().min(1),
    issuedAt: isoDateSchema,
    leaseExpiresAt: isoDateSchema,
  })
  .strict();
export type TaskHeader = z.infer<typeof taskHeaderSchema>;

/** A task as delivered by a poll. `sig` is the hub's Ed25519 signature over `{header, sealed}`. */
export const taskEnvelopeSchema = z
  .object({
    type: z.literal('task'),
    header: taskHeaderSchema,
    sealed: sealedEnvelopeSchema,
    sig: signatureSchema,
  })
  .strict();
export type TaskEnvelope = z.infer<typeof taskEnvelopeSchema>;

/** What a task envelope holds once opened (purpose `task`). */
export const taskPayloadSchema = z
  .object({
    taskId: idSchema,
    jobId: idSchema,
    project: projectRefSchema,
    algorithm: z.object({ name: z.string().max(64), version: z.string().max(32) }).strict(),
    /** The local step to run, as named by the algorithm. */
    step: z.string().min(1).max(64),
    round: z.number().int().min(0),
    datasets: z.array(nameSchema).min(1).max(20),
    cohort: cohortSchema.nullable(),
    params: z.unknown(),
    /** What the hub's aggregate step sends to this step (e.g. global means, a model). */
    input: z.unknown(),
    secureAggregation: z.boolean(),
    traceId: traceIdSchema,
    deadline: isoDateSchema,
  })
  .strict();
export type TaskPayload = z.infer<typeof taskPayloadSchema>;

// ---- poll -------------------------------------------------------------------------------------------

/** POST /api/v1/node/poll */
export const pollRequestSchema = z
  .object({
    type: z.literal('poll'),
    /** How long the hub may hold the request when nothing is waiting. */
    waitMs: z.number().int().min(0).max(MAX_POLL_WAIT_MS),
    /** Most tasks to hand out in one answer. */
    max: z.number().int().min(1).max(100).default(10),
  })
  .strict();
export type PollRequest = z.infer<typeof pollRequestSchema>;

export const pollResponseSchema = z.object({
  type: z.literal('tasks'),
  trust: trustRefSchema,
  tasks: z.array(taskEnvelopeSchema),
});
export type PollResponse = z.infer<typeof pollResponseSchema>;

// ---- results ----------------------------------------------------------------------------------------

export const resultHeaderSchema = z
  .object({
    taskId: idSchema,
    jobId: idSchema,
    trust: nameSchema,
    round: z.number().int().min(0),
    submittedAt: isoDateSchema,
  })
  .strict();
export type ResultHeader = z.infer<typeof resultHeaderSchema>;

/** POST /api/v1/node/results. `sig` is the node's signature over `{header, sealed}`. */
export const resultSubmissionSchema = z
  .object({
    type: z.literal('result'),
    header: resultHeaderSchema,
    sealed: sealedEnvelopeSchema,
    sig: signatureSchema,
  })
  .strict();
export type ResultSubmission = z.infer<typeof resultSubmissionSchema>;

/** What a result envelope holds once opened (purpose `result`). */
export const resultPayloadSchema = z.discriminatedUnion('status', [
  z.object({ taskId: idSchema, status: z.literal('ok'), output: z.unknown() }).strict(),
  z
    .object({
      taskId: idSchema,
      status: z.enum(['refused', 'failed']),
      code: siteCodeSchema,
      reason: z.string().max(2000),
    })
    .strict(),
]);
export type ResultPayload = z.infer<typeof resultPayloadSchema>;

export const resultAcceptedSchema = z.object({
  type: z.literal('result-accepted'),
  taskId: idSchema,
  /** True when the hub already held a result for this task (delivery is at least once). */
  duplicate: z.boolean(),
});
export type ResultAccepted = z.infer<typeof resultAcceptedSchema>;

/** The associated data of a task or result envelope. */
export function taskAd(
  header: { taskId: string; trust: string; round: number },
  purpose: 'task' | 'result',
) {
  return { taskId: header.taskId, node: header.trust, round: header.round, purpose };
}

// ---- catalogue ---------------------------------------------------------------------------------------

/** Most datasets, variables per dataset and levels per variable a catalogue may list. */
export const CATALOGUE_LIMITS = { datasets: 200, variables: 2_000, levels: 1_000 } as const;

/**
 * One variable as a node publishes it: name, kind and, for categoricals, only the levels held by
 * at least the node's minCount rows (a rare level's name is itself disclosive). Never a value or
 * a count.
 *
 * `identifier: true` marks an identifier column (an imaging dataset's patient_id, study_uid,
 * series_uid): its kind stays what the data is, it lists no level whatever the counts (each level
 * names a patient, study or series), and no job may read it as a variable or filter on it.
 * Optional, so catalogues without identifiers are unchanged.
 */
export const catalogueVariableSchema = z
  .object({
    name: variableNameSchema,
    kind: z.enum(['number', 'date', 'categorical']),
    levels: z.array(z.string().max(200)).max(CATALOGUE_LIMITS.levels).optional(),
    identifier: z.literal(true).optional(),
  })
  .strict()
  .refine((v) => v.identifier !== true || v.levels === undefined, {
    message: 'an identifier column lists no levels',
    path: ['levels'],
  });
export type CatalogueVariable = z.infer<typeof catalogueVariableSchema>;

/** A dataset and the approved projects it is exposed to (id null until the node bound it). */
export const catalogueDatasetSchema = z
  .object({
    name: nameSchema,
    projects: z
      .array(z.object({ name: nameSchema, id: idSchema.nullable() }).strict())
      .min(1)
      .max(1_000),
    variables: z.array(catalogueVariableSchema).max(CATALOGUE_LIMITS.variables),
  })
  .strict();
export type CatalogueDataset = z.infer<typeof catalogueDatasetSchema>;

/** Everything one node exposes, as signed: it replaces the trust's previous catalogue whole. */
export const catalogueSchema = z
  .object({
    trust: nameSchema,
    publishedAt: isoDateSchema,
    datasets: z.array(catalogueDatasetSchema).max(CATALOGUE_LIMITS.datasets),
  })
  .strict();
export type Catalogue = z.infer<typeof catalogueSchema>;

/** POST /api/v1/node/catalogue. `sig` is the node's signature over {@link catalogueSigned}. */
export const cataloguePublishRequestSchema = z
  .object({ type: z.literal('catalogue'), catalogue: catalogueSchema, sig: signatureSchema })
  .strict();
export type CataloguePublishRequest = z.infer<typeof cataloguePublishRequestSchema>;

export const catalogueAcceptedSchema = z.object({
  type: z.literal('catalogue-accepted'),
  datasets: z.number().int().min(0),
  variables: z.number().int().min(0),
});
export type CatalogueAccepted = z.infer<typeof catalogueAcceptedSchema>;

/**
 * What the node signs for a catalogue: the purpose is bound in, so the signature can never pass
 * for a result's or a task's.
 */
export function catalogueSigned(catalogue: Catalogue) {
  return { purpose: 'catalogue' as const, catalogue };
}
