import { PRIVACY_REPORT_KEY } from '../../privacy/schemas.js';
import {
  evaluationFromSum,
  evaluationLength,
  evaluationToVector,
} from '../../learning/metrics/index.js';
import { createStrategy } from '../../learning/strategies/index.js';
import {
  evaluateOutputSchema,
  pooledRoundSchema,
  roundInputSchema,
  roundOutputSchema,
  type EvaluateOutput,
  type PooledRound,
  type RoundInput,
  type TrainParams,
} from '../../learning/train/schemas.js';
import { VectorReader, VectorWriter, type SumForm } from '../sum-form.js';

/*
 * `train` (issue 6) under secure aggregation: the hub learns the sums over the sampled sites,
 * never one site's update or evaluation.
 *
 * Step 'round': [nᵢ, nᵢ·Δᵢ (P elements), nᵢ·trainLossᵢ, trainLoss-withheld flag, then the
 * evaluation vector (learning/metrics/vector.ts: loss sum, rows, correct, histograms)]. FedAvg,
 * FedProx and the FedOpt optimisers need only Σ nᵢ·Δᵢ and Σ nᵢ (strategies `aggregateSum`);
 * FedMedian and the trimmed mean need every update, so a job with them is refused. Step
 * 'evaluate': the evaluation vector alone. Counts are rounded after unmasking, which removes
 * the fixed-point error from them.
 *
 * Step 'prepare' stays plain: its per-site release is pooled statistics (complete cases, class
 * counts, feature moments and level names, each under minCount) that fix the standardisation,
 * and its answer names the participants the rounds are sampled from, which a sum cannot.
 *
 * Fixed point. Each summed element carries at most 2^-21 of rounding per site (scale 2^-20),
 * so Σ nᵢΔᵢ is off by ≤ sites·2^-21 per coordinate and the mean update Σ nᵢΔᵢ / Σ nᵢ by
 * ≤ sites·2^-21 / Σ nᵢ: far below the rounding of training itself. Magnitudes: an element must
 * stay under (2^63 − 1)/(sites·2^20), about 8.8e12/sites, which nᵢ·|Δ| does (e.g. 10^6 rows
 * with |Δ| < 10^6 each); a node whose update is larger fails loudly at encoding.
 *
 * DP-FedAvg: each site's update is noised at the site for its own guarantee (learning/train/
 * dp.ts), so a sum of noisy updates is as private towards each site as each update alone; the
 * form says so with `noisedAtSites`.
 */

function input(raw: unknown): RoundInput {
  const parsed = roundInputSchema.safeParse(raw);
  if (!parsed.success) throw new Error('input does not fit the train round');
  return parsed.data;
}

function evalLength(params: TrainParams, i: RoundInput): number {
  return evaluationLength(i.preprocessing.classes.length, params.bins);
}

const roundLength = (params: TrainParams, i: RoundInput): number =>
  1 + i.parameters.length + 2 + evalLength(params, i);

/** The output without the node's privacy report, which travels only in plain mode. */
function withoutPrivacy(output: unknown): unknown {
  if (typeof output !== 'object' || output === null || !Object.hasOwn(output, PRIVACY_REPORT_KEY))
    return output;
  const { [PRIVACY_REPORT_KEY]: _, ...rest } = output as Record<string, unknown>;
  return rest;
}

/** Why a job cannot run securely: a strategy that must see every update. */
function unsupported(params: TrainParams): string | null {
  const strategy = createStrategy(params.strategy);
  return strategy.summable
    ? null
    : `strategy ${strategy.name} needs every site's update, so it cannot run with secure aggregation (use fedavg, fedprox, fedadam, fedyogi or fedadagrad)`;
}

/** `train` step 'round'. */
export const trainRoundSumForm: SumForm<TrainParams> & { readonly noisedAtSites: true } = {
  noisedAtSites: true,
  unsupported,
  length: (params, raw) => roundLength(params, input(raw)),
  toVector(output, params, raw) {
    const i = input(raw);
    const parsed = roundOutputSchema.safeParse(withoutPrivacy(output));
    if (!parsed.success) throw new Error('output does not fit the train round');
    const o = parsed.data;
    if (o.update.length !== i.parameters.length)
      throw new Error(
        `update of ${o.update.length} parameters, the model has ${i.parameters.length}`,
      );
    const w = new VectorWriter(roundLength(params, i));
    w.push(o.examples);
    for (const d of o.update) w.push(o.examples * d);
    w.push(o.trainLoss === null ? 0 : o.examples * o.trainLoss);
    w.push(o.trainLoss === null ? 1 : 0);
    for (const x of evaluationToVector(o.evaluation)) w.push(x);
    return w.done();
  },
  fromSum(sum, params, raw, sites): PooledRound {
    const i = input(raw);
    const r = new VectorReader(sum.subarray(0, 1 + i.parameters.length + 2));
    const examples = r.count();
    const weighted = Array.from({ length: i.parameters.length }, () => r.next());
    const lossSum = r.next();
    const withheld = r.count() > 0;
    r.done();
    const evaluation = evaluationFromSum(
      sum.subarray(1 + i.parameters.length + 2),
      i.preprocessing.classes.length,
      params.bins,
    );
    return pooledRoundSchema.parse({
      pooled: true,
      sites,
      examples,
      weighted,
      trainLossSum: withheld ? null : lossSum,
      evaluation,
    });
  },
};

/** `train` step 'evaluate'. */
export const trainEvaluateSumForm: SumForm<TrainParams> & { readonly noisedAtSites: true } = {
  noisedAtSites: true,
  unsupported,
  length: (params, raw) => evalLength(params, input(raw)),
  toVector(output, params, raw) {
    const parsed = evaluateOutputSchema.safeParse(output);
    if (!parsed.success) throw new Error('output does not fit the train evaluate step');
    const v = evaluationToVector(parsed.data.evaluation);
    const expected = evalLength(params, input(raw));
    if (v.length !== expected)
      throw new Error(`evaluation of ${v.length} elements, the job's needs ${expected}`);
    return v;
  },
  fromSum(sum, params, raw): EvaluateOutput {
    const i = input(raw);
    return evaluateOutputSchema.parse({
      evaluation: evaluationFromSum(sum, i.preprocessing.classes.length, params.bins),
    });
  },
};
