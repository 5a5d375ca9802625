/*
 * Node side of `train`: 'prepare' (class counts and feature moments for the pooled
 * standardisation), 'round' (evaluate the global model on the local validation split, then train
 * from it and return the update) and 'evaluate' (the final model's evaluation only).
 *
 * Disclosure rules (DESIGN "Disclosure control at the node"):
 * - MIN_COUNT when complete cases, a present outcome class, a present level of a categorical
 *   feature, the validation split or the training split fall below minCount.
 * - PARAMETER_LIMIT: the linear models' rule (rows ≥ parameters / 0.33) would forbid any useful
 *   network, and a network's parameter count says little about what its update reveals. The rule
 *   here bounds what one update can be about instead: every class present in the training split
 *   must hold at least minCount rows, so no update is fitted to a class of fewer rows than a
 *   released cell. It is NOT a privacy guarantee against gradient inversion; DP-FedAvg (clipping
 *   and noise, issue 6 point 4) is the formal one.
 * - The evaluation histograms hold counts of validation rows per score bin; they are released as
 *   plain per-site aggregates, coarse by default (20 bins), and pooled by secure aggregation
 *   when the job asks for it (sum-forms/train.ts).
 * - Under `dp` the update is clipped and noised here, at the node, before it leaves, and the
 *   training loss is withheld (dp.ts); the report under `privacy` is spent from the project's
 *   budget by the node before release.
 */
import type { LocalOutcome, LocalStepContext } from '../../framework.js';
import { usedColumn } from '../../glm/design.js';
import { moments } from '../../numerics/moments.js';
import type { PrivacyReport } from '../../privacy/schemas.js';
import { siteEvaluation, type EvaluationCounts } from '../metrics/index.js';
import { createModel, type Model } from '../models/model.js';
import { trainLocal } from '../training/local-train.js';
import { completeCases, outcomeNames, siteData, subset, validationSplit } from './data.js';
import type { SiteData } from './data.js';
import { privatizeUpdate } from './dp.js';
import {
  MAX_CLASSES,
  roundInputSchema,
  type FeatureInfo,
  type PrepareOutput,
  type RoundInput,
  type RoundOutput,
  type TrainParams,
} from './schemas.js';
import { mixSeed, modelSpec, optimizerConfig } from './settings.js';

type Ctx = LocalStepContext<TrainParams>;

/** Internal output of 'prepare': level counts stay here until the disclosure check. */
export interface PrepareLocal {
  n: number;
  outcome: PrepareOutput['outcome'];
  features: Record<string, FeatureInfo | { kind: 'levels'; counts: Record<string, number> }>;
}

const tally = (names: readonly string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const n of names) counts[n] = (counts[n] ?? 0) + 1;
  return counts;
};

/**
 * Local step 'prepare': complete cases, outcome class counts, and per feature its moments
 * (number) or level counts (categorical) among complete cases.
 * @throws Error when a variable is absent or a date, a number outcome is not integer-valued, or
 *   the outcome has more than MAX_CLASSES classes.
 */
export function runPrepare(ctx: Ctx): PrepareLocal {
  const { table, params } = ctx;
  const rows = completeCases(table, params);
  const counts = tally(outcomeNames(table, params.outcome, rows));
  if (Object.keys(counts).length > MAX_CLASSES)
    throw new Error(`outcome ${params.outcome} has more than ${MAX_CLASSES} classes`);
  const features: PrepareLocal['features'] = {};
  for (const name of params.features) {
    const col = usedColumn(table, name);
    features[name] =
      col.kind === 'number'
        ? { kind: 'number', ...moments(Float64Array.from(rows, (i) => col.values[i] as number)) }
        : {
            kind: 'levels',
            counts: tally(Array.from(rows, (i) => col.levels[col.codes[i] as number] ?? '')),
          };
  }
  const kind = usedColumn(table, params.outcome).kind === 'number' ? 'number' : 'categorical';
  return { n: rows.length, outcome: { kind, counts }, features };
}

const refuse = (code: 'MIN_COUNT' | 'PARAMETER_LIMIT', reason: string): LocalOutcome => ({
  status: 'refused',
  code,
  reason,
});

/** Disclosure check of 'prepare' (rules in the header); releases level names, not their counts. */
export function disclosePrepare(output: PrepareLocal, ctx: Ctx): LocalOutcome {
  const min = ctx.policy.minCount;
  if (output.n < min) return refuse('MIN_COUNT', `fewer than ${min} complete cases`);
  if (Object.values(output.outcome.counts).some((k) => k < min))
    return refuse(
      'MIN_COUNT',
      `a class of ${ctx.params.outcome} has fewer than ${min} complete cases`,
    );
  const features: Record<string, FeatureInfo> = {};
  for (const [name, info] of Object.entries(output.features)) {
    if (info.kind !== 'levels') {
      features[name] = info;
      continue;
    }
    if (Object.values(info.counts).some((k) => k < min))
      return refuse('MIN_COUNT', `a level of ${name} has fewer than ${min} complete cases`);
    features[name] = { kind: 'categorical', levels: Object.keys(info.counts).sort() };
  }
  const released: PrepareOutput = { n: output.n, outcome: output.outcome, features };
  return { status: 'ok', output: released };
}

/** Internal output of 'round' and 'evaluate': a refusal found before training, or the output. */
export type RoundLocal =
  | { kind: 'refused'; code: 'MIN_COUNT' | 'PARAMETER_LIMIT'; reason: string }
  | { kind: 'ok'; output: SiteRound };

/**
 * What a site releases from 'round' (roundOutputSchema, with the privacy report under dp) or,
 * without the update, 'evaluate'.
 */
export type SiteRound =
  | (Omit<RoundOutput, 'evaluation'> & { evaluation: EvaluationCounts; privacy?: PrivacyReport })
  | { evaluation: EvaluationCounts };

interface Prepared {
  model: Model;
  global: Float64Array;
  train: SiteData;
  validation: SiteData;
}

/** Builds the site's data and split and checks the rules before any computation on them. */
function prepareRound(
  ctx: Ctx,
  input: RoundInput,
  training: boolean,
): Prepared | Extract<RoundLocal, { kind: 'refused' }> {
  const { params } = ctx;
  const min = ctx.policy.minCount;
  const pre = input.preprocessing;
  const model = createModel(modelSpec(params.model, pre.columns.length, pre.classes.length));
  if (input.parameters.length !== model.parameterCount)
    throw new Error(
      `the global vector has ${input.parameters.length} parameters, the model ${model.parameterCount}`,
    );
  const data = siteData(ctx.table, params, pre);
  if (data.rows < min)
    return { kind: 'refused', code: 'MIN_COUNT', reason: `fewer than ${min} complete cases` };
  const split = validationSplit(data.rows, params.validationFraction, params.seed);
  const validation = subset(data, split.validation);
  const train = subset(data, split.train);
  if (validation.rows < min)
    return { kind: 'refused', code: 'MIN_COUNT', reason: `validation split below ${min} rows` };
  if (train.rows < min)
    return { kind: 'refused', code: 'MIN_COUNT', reason: `training split below ${min} rows` };
  if (training) {
    const perClass = new Array<number>(pre.classes.length).fill(0);
    for (const y of train.labels) perClass[y] = (perClass[y] ?? 0) + 1;
    if (perClass.some((k) => k > 0 && k < min))
      return {
        kind: 'refused',
        code: 'PARAMETER_LIMIT',
        reason: `a class present in the training split has fewer than ${min} rows`,
      };
  }
  return { model, global: Float64Array.from(input.parameters), train, validation };
}

/** The global model's evaluation aggregates on the validation split (unweighted cross-entropy). */
function evaluate(p: Prepared, classes: number, bins: number): EvaluationCounts {
  const batch = { x: p.validation.x, rows: p.validation.rows };
  const probabilities = p.model.predictProba(p.global, batch);
  const lossSum = p.model.loss(p.global, batch, p.validation.labels) * p.validation.rows;
  return siteEvaluation({ probabilities, labels: p.validation.labels, classes, lossSum }, bins);
}

/**
 * Local steps 'round' (`training` true) and 'evaluate': evaluates the global vector on the
 * seeded validation split and, in a round, trains from it on the training split (FedProx μ when
 * the strategy asks) and returns Δ = local − global with the training rows; under `dp`, Δ
 * clipped and noised with `ctx.randomBytes` and no training loss.
 * @throws Error when the input does not fit, the data do not fit the preprocessing, or training
 *   diverges (TrainingDivergedError).
 */
export function runRound(ctx: Ctx, training: boolean, proximalMu: number): RoundLocal {
  const parsed = roundInputSchema.safeParse(ctx.input);
  if (!parsed.success) throw new Error(`train: round input does not fit: ${parsed.error.message}`);
  const input = parsed.data;
  const p = prepareRound(ctx, input, training);
  if ('kind' in p) return p;
  const { params } = ctx;
  const classes = input.preprocessing.classes.length;
  const evaluation = evaluate(p, classes, params.bins);
  if (!training) return { kind: 'ok', output: { evaluation } };
  const trained = trainLocal(p.model, p.global, p.train, {
    epochs: params.epochs,
    batchSize: params.batchSize,
    optimizer: optimizerConfig(params),
    seed: mixSeed(params.seed, input.round, p.train.rows),
    ...(input.classWeights === null ? {} : { classWeights: input.classWeights }),
    l2: params.l2,
    ...(proximalMu > 0 ? { proximalMu } : {}),
  });
  const update = Array.from(trained.parameters, (w, j) => w - (p.global[j] as number));
  if (params.dp === undefined) {
    const output: SiteRound = {
      examples: trained.examples,
      update,
      trainLoss: trained.meanLoss,
      evaluation,
    };
    return { kind: 'ok', output };
  }
  const noisy = privatizeUpdate(update, params.dp, ctx.randomBytes);
  const output: SiteRound = {
    examples: trained.examples,
    update: noisy.update,
    trainLoss: null,
    evaluation,
    privacy: noisy.report,
  };
  return { kind: 'ok', output };
}

/** Disclosure check of 'round' and 'evaluate': the refusal found before training, or the output. */
export function discloseRound(output: RoundLocal): LocalOutcome {
  return output.kind === 'refused'
    ? refuse(output.code, output.reason)
    : { status: 'ok', output: output.output };
}
