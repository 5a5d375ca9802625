import { z } from 'zod';
import { idSchema, isoDateSchema, nameSchema, projectRefSchema, trustRefSchema } from './common.js';
import { cohortSchema } from './cohort.js';
import { siteOutcomeSchema } from './refusal.js';

/*
 * Client ↔ hub messages (CLI, SDK, web). Requests are parsed before a handler runs; responses go
 * through these schemas, which drop unlisted fields (STYLE 8). Authorization: `Bearer <session
 * token>` from POST /api/v1/auth/login.
 */

export const ROLES = ['admin', 'researcher', 'observer'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;
export const PROJECT_ROLES = ['researcher', 'observer'] as const;
export const projectRoleSchema = z.enum(PROJECT_ROLES);
export type ProjectRole = z.infer<typeof projectRoleSchema>;

export const emailSchema = z.email().max(254);
/** Passwords travel only in request bodies and are never logged. */
export const passwordSchema = z.string().min(12, 'at least 12 characters').max(1024);

// ---- auth -------------------------------------------------------------------------------------------

export const loginRequestSchema = z
  .object({ email: emailSchema, password: z.string().max(1024) })
  .strict();
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const userViewSchema = z.object({
  id: idSchema,
  email: emailSchema,
  role: roleSchema,
  disabled: z.boolean(),
  createdAt: isoDateSchema,
  lastLoginAt: isoDateSchema.nullable(),
});
export type UserView = z.infer<typeof userViewSchema>;

export const loginResponseSchema = z.object({
  token: z.string(),
  expiresAt: isoDateSchema,
  user: userViewSchema,
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

// ---- users --------------------------------------------------------------------------------------------

export const createUserRequestSchema = z
  .object({ email: emailSchema, role: roleSchema, password: passwordSchema })
  .strict();
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;

// ---- trusts -------------------------------------------------------------------------------------------

export const createTrustRequestSchema = z.object({ name: nameSchema }).strict();
export type CreateTrustRequest = z.infer<typeof createTrustRequestSchema>;

export const trustViewSchema = z.object({
  id: idSchema,
  name: nameSchema,
  createdAt: isoDateSchema,
  revoked: z.boolean(),
  /** Fingerprint of the node's pinned public keys, once enrolled. */
  nodeFingerprint: z.string().nullable(),
  lastSeenAt: isoDateSchema.nullable(),
});
export type TrustView = z.infer<typeof trustViewSchema>;

/** Answer to create and rotate: the only time the key is shown. */
export const trustKeyResponseSchema = z.object({
  id: idSchema,
  name: nameSchema,
  apiKey: z.string(),
});
export type TrustKeyResponse = z.infer<typeof trustKeyResponseSchema>;

// ---- projects -----------------------------------------------------------------------------------------

export const createProjectRequestSchema = z
  .object({ name: nameSchema, description: z.string().max(2000).default('') })
  .strict();
export type CreateProjectRequest = z.infer<typeof createProjectRequestSchema>;

export const projectViewSchema = z.object({
  id: idSchema,
  name: nameSchema,
  description: z.string(),
  createdAt: isoDateSchema,
  members: z.array(z.object({ email: emailSchema, role: projectRoleSchema })),
  trusts: z.array(trustRefSchema),
});
export type ProjectView = z.infer<typeof projectViewSchema>;

export const addMemberRequestSchema = z
  .object({ email: emailSchema, role: projectRoleSchema })
  .strict();
export type AddMemberRequest = z.infer<typeof addMemberRequestSchema>;

/** A trust by name or id. */
export const addTrustRequestSchema = z.object({ trust: z.string().min(1).max(64) }).strict();
export type AddTrustRequest = z.infer<typeof addTrustRequestSchema>;

// ---- jobs ---------------------------------------------------------------------------------------------

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export const jobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const submitJobRequestSchema = z
  .object({
    /** Project by name or id. */
    project: z.string().min(1).max(64),
    algorithm: z.string().min(1).max(64),
    datasets: z.array(nameSchema).min(1).max(20),
    cohort: cohortSchema.nullable().default(null),
    params: z.unknown(),
    secureAggregation: z.boolean().default(false),
  })
  .strict();
export type SubmitJobRequest = z.input<typeof submitJobRequestSchema>;

export const jobViewSchema = z.object({
  id: idSchema,
  project: projectRefSchema,
  algorithm: z.string(),
  datasets: z.array(z.string()),
  cohort: cohortSchema.nullable(),
  params: z.unknown(),
  secureAggregation: z.boolean(),
  status: jobStatusSchema,
  /** The aggregate result; present when succeeded. */
  result: z.unknown().nullable(),
  /** Why the job failed, when it did. */
  error: z.object({ code: z.string(), reason: z.string() }).nullable(),
  sites: z.array(siteOutcomeSchema),
  /** Steps opened so far (a secure sum counts four); a new step is a new round. */
  round: z.number().int(),
  /**
   * What the algorithm reports while the job runs (e.g. `train`: rounds done and their metrics),
   * as of its last decision; null until it reports any. Kept after the job ends.
   */
  progress: z.unknown().nullable(),
  createdAt: isoDateSchema,
  finishedAt: isoDateSchema.nullable(),
});
export type JobView = z.infer<typeof jobViewSchema>;

/**
 * GET /api/v1/jobs/:id?wait=MS holds the request until the job finishes or MS pass. With
 * `&sinceRound=R` it also answers as soon as the job's round is no longer R (its next step opened,
 * with that decision's progress), so a client shows every step without polling in a loop.
 */
export const MAX_JOB_WAIT_MS = 30_000;

/** Query of GET /api/v1/jobs/:id (see {@link MAX_JOB_WAIT_MS}). */
export const jobWaitQuerySchema = z
  .object({
    wait: z.coerce.number().int().min(0).optional(),
    sinceRound: z.coerce.number().int().min(0).optional(),
  })
  .strict();
export type JobWaitQuery = z.infer<typeof jobWaitQuerySchema>;

// ---- job artifacts ------------------------------------------------------------------------------------

/**
 * The name of a job artifact (issue 6): `[a-z0-9-]+` segments joined by '/', e.g. 'model/round-3',
 * 'model/best', 'model/final'. Unique within a job.
 */
export const artifactNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[a-z0-9-]+(\/[a-z0-9-]+)*$/,
    "lower-case letters, digits and '-' in segments joined by '/'",
  );

/** One entry of GET /api/v1/jobs/:id/artifacts (names and sizes, no bodies), sorted by name. */
export const artifactSummarySchema = z.object({
  name: artifactNameSchema,
  /** Size of the body as UTF-8 JSON, as the hub stored it. */
  bytes: z.number().int().min(0),
  /** When this version was written (a name such as 'model/best' may be rewritten later). */
  createdAt: isoDateSchema,
});
export type ArtifactSummary = z.infer<typeof artifactSummarySchema>;

/** GET /api/v1/jobs/:id/artifacts/<name>: one artifact with its provenance and JSON body. */
export const artifactViewSchema = z.object({
  name: artifactNameSchema,
  jobId: idSchema,
  project: projectRefSchema,
  bytes: z.number().int().min(0),
  createdAt: isoDateSchema,
  body: z.unknown(),
});
export type ArtifactView = z.infer<typeof artifactViewSchema>;

// ---- audit --------------------------------------------------------------------------------------------

export const auditVerifyResponseSchema = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  /** Sequence number of the first entry that breaks the chain. */
  brokenAt: z.number().int().nullable(),
  reason: z.string().nullable(),
});
export type AuditVerifyResponse = z.infer<typeof auditVerifyResponseSchema>;

export const healthResponseSchema = z.object({ status: z.literal('ok'), version: z.string() });

// ---- catalogue ------------------------------------------------------------------------------------

/**
 * How one site holds one variable: its kind and the levels it published (categoricals);
 * `identifier: true` when the site declares it an identifier column (no levels, never analysable).
 */
export const catalogueHoldingSchema = z.object({
  trust: nameSchema,
  kind: z.enum(['number', 'date', 'categorical']),
  levels: z.array(z.string()).optional(),
  identifier: z.literal(true).optional(),
});
export type CatalogueHolding = z.infer<typeof catalogueHoldingSchema>;

/**
 * GET /api/v1/projects/:project/catalogue: per dataset exposed to the project, per variable, the
 * sites that hold it. `sites` lists every trust of the project, `publishedAt` null when its node
 * has published nothing yet (its datasets are then unknown, not absent).
 */
export const projectCatalogueSchema = z.object({
  project: projectRefSchema,
  sites: z.array(z.object({ trust: nameSchema, publishedAt: isoDateSchema.nullable() })),
  datasets: z.array(
    z.object({
      name: nameSchema,
      /** Trusts that expose this dataset to the project. */
      sites: z.array(nameSchema),
      variables: z.array(z.object({ name: z.string(), sites: z.array(catalogueHoldingSchema) })),
    }),
  ),
});
export type ProjectCatalogue = z.infer<typeof projectCatalogueSchema>;
