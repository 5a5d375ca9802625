import { z } from 'zod';
import { disclosureParams } from '../../disclosure-params.js';
import { variableList, variableName } from '../../params.js';
import { ACTIVATIONS } from '../models/spec.js';
import { strategyConfigSchema } from '../strategies/index.js';
import { trainDpSchema } from './dp.js';

const positive = z.number().positive().refine(Number.isFinite, 'must be finite');

/** The `model` parameter: DESIGN `{"type": "logistic" | "softmax" | "mlp", "hidden": [16]}`. */
export const modelParamSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('logistic') }).strict(),
  z.object({ type: z.literal('softmax') }).strict(),
  z
    .object({
      type: z.literal('mlp'),
      hidden: z.array(z.number().int().min(1).max(1024)).max(8).default([16]),
      activation: z.enum(ACTIVATIONS).default('relu'),
      dropout: z.number().min(0).lt(1).default(0),
    })
    .strict(),
]);
export type ModelParam = z.infer<typeof modelParamSchema>;

/**
 * `train` params (DESIGN "Public contract"): `{"outcome": "y", "features": ["a", "b"], "model":
 * {"type": "mlp", "hidden": [16]}, "strategy": {"name": "fedavg"}, "rounds": 20}`, plus local
 * training (`epochs`, `batchSize`, `optimizer`, `learningRate` (default 0.1 for SGD, 0.01 for
 * Adam), `momentum`, `l2`), `seed`, `validationFraction`, `classWeights` ("balanced" or one
 * positive weight per class in class order), client sampling (`fraction`, `minSites`), a round
 * deadline (`roundDeadlineMs`, for each 'round' and the final 'evaluate'), `bins` of the
 * evaluation histograms, `checkpointEvery` (keep `model/round-k` for every k-th round; 0 keeps
 * only `model/best` and `model/final`), DP-FedAvg (`dp: {clip, noiseMultiplier, delta}`, dp.ts),
 * and the disclosure fields.
 */
export const trainParamsSchema = z
  .object({
    outcome: variableName,
    features: variableList(1, 200, 'features'),
    model: modelParamSchema,
    strategy: strategyConfigSchema.default({ name: 'fedavg' }),
    rounds: z.number().int().min(1).max(1000).default(20),
    epochs: z.number().int().min(1).max(100).default(1),
    batchSize: z.number().int().min(1).max(65536).default(32),
    optimizer: z.enum(['sgd', 'adam']).default('sgd'),
    learningRate: positive.optional(),
    /** SGD momentum; ignored by Adam. */
    momentum: z.number().min(0).lt(1).default(0.9),
    l2: z.number().min(0).refine(Number.isFinite, 'must be finite').default(0),
    seed: z.number().int().min(0).max(0xffffffff).default(1),
    validationFraction: z.number().gt(0).max(0.5).default(0.2),
    classWeights: z.union([z.literal('balanced'), z.array(positive).min(2).max(100)]).optional(),
    fraction: z.number().gt(0).max(1).default(1),
    minSites: z.number().int().min(1).default(1),
    roundDeadlineMs: z.number().int().min(1000).max(86_400_000).optional(),
    bins: z.number().int().min(2).max(1000).default(20),
    checkpointEvery: z.number().int().min(0).max(1000).default(1),
    dp: trainDpSchema.optional(),
    ...disclosureParams,
  })
  .strict()
  .refine((p) => !p.features.includes(p.outcome), 'the outcome cannot be a feature');
export type TrainParams = z.infer<typeof trainParamsSchema>;

/** Most classes an outcome may have (a categorical or integer-valued number outcome). */
export const MAX_CLASSES = 100;
/** Most parameters a model may have: vectors travel as JSON for now. */
export const MAX_PARAMETERS = 2_000_000;

const count = z.number().int().min(0);

/** One feature as a site sees it in 'prepare'. */
export const featureInfoSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('number'), count, mean: z.number(), m2: z.number().min(0) }).strict(),
  z.object({ kind: z.literal('categorical'), levels: z.array(z.string()) }).strict(),
]);
export type FeatureInfo = z.infer<typeof featureInfoSchema>;

/**
 * Step 'prepare' output: complete cases, the outcome's kind and class counts among them (each
 * present class ≥ minCount, as crosstab cells), and per feature moments or present levels.
 */
export const prepareOutputSchema = z
  .object({
    n: count,
    outcome: z
      .object({ kind: z.enum(['number', 'categorical']), counts: z.record(z.string(), count) })
      .strict(),
    features: z.record(z.string(), featureInfoSchema),
  })
  .strict();
export type PrepareOutput = z.infer<typeof prepareOutputSchema>;

/** One input column of the model: a number feature, or the 0/1 dummy of a categorical level. */
export const columnSchema = z
  .object({ name: z.string(), variable: z.string(), level: z.string().nullable() })
  .strict();
export type ModelColumn = z.infer<typeof columnSchema>;

/** What every site needs to turn its rows into standardised model inputs and class indices. */
export const preprocessingSchema = z
  .object({
    columns: z.array(columnSchema),
    /** Every categorical feature's pooled levels, sorted; the first (reference) has no column. */
    levels: z.record(z.string(), z.array(z.string())),
    /** Pooled mean per column (0 for dummies, which are not standardised). */
    means: z.array(z.number()),
    /** Pooled sample SD per column (1 for dummies). */
    sds: z.array(z.number().min(0)),
    /** Outcome classes in model order; index = label. */
    classes: z.array(z.string()),
    /** Whether the outcome is a number variable (classes are its values as strings). */
    numericOutcome: z.boolean(),
  })
  .strict();
export type Preprocessing = z.infer<typeof preprocessingSchema>;

/** Step 'round' / 'evaluate' input: the global vector at `round` and the preprocessing. */
export const roundInputSchema = z
  .object({
    round: z.number().int().min(1),
    parameters: z.array(z.number()),
    preprocessing: preprocessingSchema,
    /** Class weights of the training loss, one per class (resolved by the hub). */
    classWeights: z.array(z.number().positive()).nullable(),
  })
  .strict();
export type RoundInput = z.infer<typeof roundInputSchema>;

const histogramSchema = z
  .object({ positive: z.array(count), negative: z.array(count), scoreSum: z.array(z.number()) })
  .strict();

/** A site's evaluation aggregates of the global model on its validation split. */
export const evaluationSchema = z
  .object({
    lossSum: z.number(),
    examples: count,
    correct: count,
    bins: z.number().int().min(1),
    tasks: z.array(histogramSchema),
  })
  .strict();

/**
 * Step 'round' output: the update Δ = local − global and its weight, plus the evaluation. Under
 * `dp` the update is clipped and noised and the training loss is withheld (null); the node's
 * privacy report travels beside these fields under `privacy` and is taken off before parsing.
 */
export const roundOutputSchema = z
  .object({
    examples: z.number().int().min(1),
    update: z.array(z.number()),
    /** Mean training loss of the last local epoch; null under dp. */
    trainLoss: z.number().nullable(),
    evaluation: evaluationSchema,
  })
  .strict();
export type RoundOutput = z.infer<typeof roundOutputSchema>;

/**
 * What secure aggregation hands to the hub for a 'round' (sum-forms/train.ts): the sums over the
 * sites in the sum of nᵢ, nᵢ·Δᵢ, nᵢ·trainLossᵢ and the evaluation aggregates, with how many
 * sites were summed. Never one site's update.
 */
export const pooledRoundSchema = z
  .object({
    pooled: z.literal(true),
    sites: z.number().int().min(1),
    examples: z.number().int().min(1),
    weighted: z.array(z.number()),
    /** Σ nᵢ·trainLossᵢ; null under dp. */
    trainLossSum: z.number().nullable(),
    evaluation: evaluationSchema,
  })
  .strict();
export type PooledRound = z.infer<typeof pooledRoundSchema>;

/** Step 'evaluate' output: the evaluation of the final global model only. */
export const evaluateOutputSchema = z.object({ evaluation: evaluationSchema }).strict();
export type EvaluateOutput = z.infer<typeof evaluateOutputSchema>;
