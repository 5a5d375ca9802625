/*
 * The exported model (issue 6 point 5): one JSON document with everything needed to predict
 * without the hub — the architecture, the weights, the preprocessing the sites applied (pooled
 * means and SDs, the levels of each categorical feature, the classes), the metrics of that model
 * on the sites' validation splits, and its provenance. The `train` job stores it as the
 * artifacts `model/round-<k>`, `model/best` and `model/final`; `tessera model export` writes it
 * to a file and `tessera model predict` reads it back (predict.ts).
 *
 * The id is the SHA-256 of the canonical JSON (protocol canonicalJson: keys sorted) of the
 * specification, the
 * preprocessing and the parameters, so a file can be checked against the id a result names.
 */
import { createHash } from 'node:crypto';
import {
  artifactNameSchema,
  canonicalJson,
  idSchema,
  isoDateSchema,
  projectRefSchema,
} from '@tessera/protocol';
import { z } from 'zod';
import { architecture, ACTIVATIONS, type ModelSpec } from './models/spec.js';
import { trainDpSchema } from './train/dp.js';
import { columnSchema, type Preprocessing } from './train/schemas.js';

/** The `format` field of an exported model. */
export const MODEL_FORMAT = 'tessera-model';
/** The version of the format this code writes and reads. */
export const MODEL_FORMAT_VERSION = 1;

const size = z.number().int().min(1).max(1_000_000);

/** A model specification (models/spec.ts) as JSON. */
export const modelSpecSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('logistic'), inputs: size }).strict(),
  z.object({ type: z.literal('softmax'), inputs: size, classes: size }).strict(),
  z
    .object({
      type: z.literal('mlp'),
      inputs: size,
      classes: size,
      hidden: z.array(size).max(64).readonly(),
      activation: z.enum(ACTIVATIONS).optional(),
      dropout: z.number().min(0).lt(1).optional(),
      output: z.enum(['sigmoid', 'softmax']).optional(),
    })
    .strict(),
]);

/** Metrics of one model on the pooled validation splits (train's Evaluation). */
export const modelMetricsSchema = z
  .object({
    examples: z.number().int().min(0),
    loss: z.number(),
    accuracy: z.number().min(0).max(1),
    auc: z.number().nullable(),
    aucErrorBound: z.number().nullable(),
    ece: z.number(),
  })
  .strict();
export type ModelMetrics = z.infer<typeof modelMetricsSchema>;

/** The privacy block of a DP-FedAvg model: ε after the model's round (train/dp.ts). */
export const modelPrivacySchema = z
  .object({
    mechanism: z.literal('gaussian'),
    epsilon: z.number().min(0),
    delta: trainDpSchema.shape.delta,
    rounds: z.number().int().min(0),
    noiseMultiplier: trainDpSchema.shape.noiseMultiplier,
    clip: z.number().positive(),
    sensitivity: z.number().positive(),
    accountant: z.string(),
  })
  .strict();

/** Where a model file was taken from the hub (`tessera model export`): hub, project, job, artifact, when. */
export const exportRecordSchema = z
  .object({
    hub: z.url(),
    project: projectRefSchema,
    jobId: idSchema,
    artifact: artifactNameSchema,
    exportedAt: isoDateSchema,
  })
  .strict();
export type ExportRecord = z.infer<typeof exportRecordSchema>;

/** How the model came about. */
export const provenanceSchema = z
  .object({
    /** `train@<version>`. */
    algorithm: z.string().min(1).max(100),
    /** The server strategy's name (fedavg, fedadam, …). */
    strategy: z.string().min(1).max(100),
    /** Rounds aggregated into this model. */
    rounds: z.number().int().min(0),
    /** Sites that took part in the job (released 'prepare'). */
    sites: z.number().int().min(1),
    /** Whether the hub saw only sums of the sites' contributions. */
    secureAggregation: z.boolean(),
    privacy: modelPrivacySchema.optional(),
    /** Added by `tessera model export`; not part of the model's id. */
    export: exportRecordSchema.optional(),
  })
  .strict();
export type Provenance = z.infer<typeof provenanceSchema>;

/** The preprocessing of the inputs: model columns, categorical levels, pooled means and SDs. */
export const standardisationSchema = z
  .object({
    columns: z.array(columnSchema),
    levels: z.record(z.string(), z.array(z.string()).min(1)),
    means: z.array(z.number()),
    sds: z.array(z.number().min(0)),
  })
  .strict();

/**
 * An exported model. Checked for consistency on parse: the parameter count is the
 * architecture's, the columns match the inputs, every dummy column's level is a known level,
 * the classes match the head, and the id is the hash of the contents.
 */
export const exportedModelSchema = z
  .object({
    format: z.literal(MODEL_FORMAT),
    version: z.literal(MODEL_FORMAT_VERSION),
    id: z.string().regex(/^[0-9a-f]{64}$/),
    spec: modelSpecSchema,
    outcome: z.string().min(1),
    features: z.array(z.string().min(1)).min(1),
    /** Outcome classes in model order (index = output unit). */
    classes: z.array(z.string()).min(2),
    /** Whether the outcome was a number variable (classes are its values as decimal strings). */
    numericOutcome: z.boolean(),
    preprocessing: standardisationSchema,
    parameters: z.array(z.number()),
    /** Metrics of this model on the sites' validation splits; null when none were taken. */
    metrics: modelMetricsSchema.nullable(),
    /** Rounds of training behind this model (0: the initial model). */
    round: z.number().int().min(0),
    provenance: provenanceSchema,
  })
  .strict()
  .superRefine((m, ctx) => {
    const problem = consistencyProblem(m);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });
export type ExportedModel = z.infer<typeof exportedModelSchema>;

function consistencyProblem(m: Omit<ExportedModel, 'id'> & { id: string }): string | null {
  let arch;
  try {
    arch = architecture(m.spec);
  } catch (e) {
    return `spec: ${(e as Error).message}`;
  }
  const pre = m.preprocessing;
  if (m.parameters.length !== arch.parameterCount)
    return `parameters: ${m.parameters.length}, the architecture needs ${arch.parameterCount}`;
  if (!m.parameters.every(Number.isFinite)) return 'parameters: a value is not finite';
  if (m.classes.length !== arch.classes)
    return `classes: ${m.classes.length}, the model has ${arch.classes}`;
  if (pre.columns.length !== arch.inputs)
    return `preprocessing.columns: ${pre.columns.length}, the model has ${arch.inputs} inputs`;
  if (pre.means.length !== arch.inputs || pre.sds.length !== arch.inputs)
    return 'preprocessing: one mean and one SD per column';
  for (const c of pre.columns) {
    if (!m.features.includes(c.variable)) return `column ${c.name}: ${c.variable} is no feature`;
    const levels = Object.hasOwn(pre.levels, c.variable) ? pre.levels[c.variable] : undefined;
    if ((c.level === null) !== (levels === undefined))
      return `column ${c.name}: number and category at once`;
    if (c.level !== null && levels?.includes(c.level) !== true)
      return `column ${c.name}: level ${c.level} is not among ${c.variable}'s levels`;
  }
  if (m.id !== modelId(m.spec, preprocessingOf(m), m.parameters))
    return 'id: not the hash of the specification, preprocessing and parameters';
  return null;
}

/**
 * A model's id: the SHA-256 (hex) of the canonical JSON of its specification, preprocessing
 * (with classes) and parameters.
 */
export function modelId(
  spec: ModelSpec,
  preprocessing: Preprocessing,
  parameters: readonly number[],
): string {
  return createHash('sha256')
    .update(canonicalJson({ spec, preprocessing, parameters }))
    .digest('hex');
}

/** The training-side preprocessing of an exported model. */
export function preprocessingOf(
  m: Pick<ExportedModel, 'preprocessing' | 'classes' | 'numericOutcome'>,
): Preprocessing {
  return { ...m.preprocessing, classes: m.classes, numericOutcome: m.numericOutcome };
}

/** What {@link exportModel} needs. */
export interface ModelExportInput {
  readonly spec: ModelSpec;
  readonly outcome: string;
  readonly features: readonly string[];
  readonly preprocessing: Preprocessing;
  readonly parameters: readonly number[];
  readonly metrics: ModelMetrics | null;
  readonly round: number;
  readonly provenance: Provenance;
}

/** The exported model of a trained vector, with its id. */
export function exportModel(input: ModelExportInput): ExportedModel {
  const { columns, levels, means, sds, classes, numericOutcome } = input.preprocessing;
  return {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    id: modelId(input.spec, input.preprocessing, input.parameters),
    spec: input.spec,
    outcome: input.outcome,
    features: [...input.features],
    classes: [...classes],
    numericOutcome,
    preprocessing: { columns, levels, means, sds },
    parameters: [...input.parameters],
    metrics: input.metrics,
    round: input.round,
    provenance: input.provenance,
  };
}

/**
 * Reads an exported model from parsed JSON.
 * @throws Error naming the first problem when it is not a valid, consistent tessera-model v1.
 */
export function parseExportedModel(json: unknown): ExportedModel {
  const parsed = exportedModelSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.join('.')}: `;
    throw new Error(
      `not a valid ${MODEL_FORMAT} v${MODEL_FORMAT_VERSION}: ${where}${issue?.message ?? ''}`,
    );
  }
  return parsed.data;
}
