import { describe, expect, it } from 'vitest';
import type { Algorithm, HubDecision } from '../../framework.js';
import { parseExportedModel } from '../../learning/export.js';
import { twoMoons } from '../../learning/training/synthetic.js';
import { skewedTable, splitTask } from '../../learning/training/synthetic-tables.js';
import { train, type TrainResult } from '../../learning/train/index.js';
import { simulateJob } from '../../simulate.js';
import type { Table } from '../../table.js';
import type { SecureAggregationReport } from '../hub.js';
import { simulateSecureJob } from '../simulate-secure.js';
import { SUM_FORMS } from './index.js';
import { trainRoundSumForm } from './train.js';

/*
 * `train` with secure aggregation of its rounds and evaluations agrees with the plain run.
 *
 * The bound. Each summed element carries at most 2^-21 of rounding per site (fixed point 2^-20),
 * so a round's Σ nᵢΔᵢ is off by ≤ sites·2^-21 per coordinate and the mean update by
 * ≤ sites·2^-21 / Σ nᵢ. Local training from a global vector that differs by e moves the next
 * update by about e (the training map's Lipschitz constant is ≈ 1 for these small steps), so
 * the differences add up over the rounds: we allow rounds × sites × 2^-20 on every final
 * parameter and on the losses, a bound with a factor 2·Σnᵢ of headroom over the propagated
 * rounding. Counts (correct, histogram bins) are sums of integers, each within sites·2^-21 < ½
 * of an integer, so they come back exactly; accuracy is then equal unless a score sits within
 * the parameter error of the decision threshold, which the test would show.
 */

const tables: Table[] = splitTask(twoMoons(1800, 0.2, 21), 3).map((task, s) =>
  skewedTable(task, { keep: s === 0 ? [1, 0.3] : s === 1 ? [0.3, 1] : [1, 1], seed: 70 + s }),
);
const params = {
  outcome: 'y',
  features: ['x1', 'x2'],
  model: { type: 'mlp', hidden: [8] },
  strategy: { name: 'fedadam', eta: 0.05 },
  rounds: 6,
  epochs: 1,
  batchSize: 16,
  learningRate: 0.05,
  seed: 4,
};
const forms = SUM_FORMS.train as Readonly<Record<string, never>>;

const finalParameters = (d: HubDecision<unknown>): number[] => {
  const artifacts = d.kind === 'done' ? (d.artifacts ?? []) : [];
  return parseExportedModel(artifacts.find((x) => x.name === 'model/final')?.body).parameters;
};

describe('train under secure aggregation', () => {
  const plain = simulateJob(train, params, tables);
  const secure = simulateSecureJob(train as Algorithm, forms, params, tables);

  it('runs the rounds and the evaluation as secure sums, prepare in the clear', () => {
    expect(secure.decision.kind).toBe('done');
    const phases = ['keys', 'shares', 'masked', 'unmask'];
    expect(secure.steps).toEqual([
      'prepare',
      ...Array.from({ length: 6 }, () => phases.map((p) => `round#sa-${p}`)).flat(),
      ...phases.map((p) => `evaluate#sa-${p}`),
    ]);
    const result = (
      secure.decision as { result: TrainResult & { secureAggregation: SecureAggregationReport } }
    ).result;
    expect(result.secureAggregation).toMatchObject({ sites: 3, sums: 7, scaleBits: 20 });
    expect(result.rounds.every((r) => r.sites === 3)).toBe(true);
    // The models stored with the job say so: the hub saw only sums.
    const stored = secure.decision.kind === 'done' ? (secure.decision.artifacts ?? []) : [];
    expect(stored.map((a) => a.name)).toContain('model/final');
    for (const a of stored)
      expect(parseExportedModel(a.body).provenance.secureAggregation).toBe(true);
  });

  it('trains the model of the plain run within rounds × sites × 2^-20', () => {
    const bound = 6 * 3 * 2 ** -20;
    const a = finalParameters(plain.decision);
    const b = finalParameters(secure.decision);
    expect(b).toHaveLength(a.length);
    const diff = Math.max(...a.map((w, j) => Math.abs(w - (b[j] ?? NaN))));
    console.log(
      `SA vs plain: max |Δ parameter| = ${diff.toExponential(2)} (bound ${bound.toExponential(2)})`,
    );
    expect(diff).toBeLessThanOrEqual(bound);
    const rp = (plain.decision as { result: TrainResult }).result;
    const rs = (secure.decision as { result: TrainResult }).result;
    const pairs = [
      ...rp.rounds.map((r, i) => [r, rs.rounds[i]] as const),
      [rp.final, rs.final] as const,
    ];
    let worst = 0;
    for (const [p, s] of pairs) {
      worst = Math.max(
        worst,
        Math.abs(p.loss - (s?.loss ?? NaN)),
        Math.abs((p.auc ?? 0) - (s?.auc ?? NaN)),
      );
      expect(s?.accuracy).toBe(p.accuracy);
      expect(s?.examples).toBe(p.examples);
    }
    console.log(`SA vs plain: max |Δ loss|, |Δ AUC| over rounds = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(bound);
  });

  it('refuses a strategy that needs every update, naming it', () => {
    const run = simulateSecureJob(
      train as Algorithm,
      forms,
      { ...params, strategy: { name: 'fedmedian' } },
      tables,
    );
    expect(run.decision).toMatchObject({ kind: 'failed', code: 'SECURE_AGGREGATION_UNSUPPORTED' });
    // Refused before any step runs (at submission at the hub), not after a plain 'prepare'.
    expect(run.rounds).toHaveLength(0);
    expect(run.decision.kind === 'failed' && run.decision.reason).toMatch(
      /strategy fedmedian needs every site's update/,
    );
    const parsed = train.params.parse({ ...params, strategy: { name: 'fedtrimmedavg' } });
    expect(trainRoundSumForm.unsupported?.(parsed)).toMatch(/fedtrimmedavg/);
    expect(trainRoundSumForm.unsupported?.(train.params.parse(params))).toBeNull();
  });

  it('samples clients: only the sampled sites run a round, secure equals plain', () => {
    const sampled = { ...params, fraction: 0.5, minSites: 2 };
    const p = simulateJob(train, sampled, tables);
    const s = simulateSecureJob(train as Algorithm, forms, sampled, tables);
    // Plain: 'prepare' to all 3, each 'round' to the 2 sampled, 'evaluate' to all 3.
    expect(p.rounds.map((r) => r.length)).toEqual([3, ...Array<number>(params.rounds).fill(2), 3]);
    const a = finalParameters(p.decision);
    const b = finalParameters(s.decision);
    const bound = params.rounds * 3 * 2 ** -20;
    expect(Math.max(...a.map((x, i) => Math.abs(x - (b[i] ?? NaN))))).toBeLessThanOrEqual(bound);
  });

  it('runs DP-FedAvg under secure aggregation: each site noises its own update', () => {
    const dp = { clip: 1, noiseMultiplier: 2, delta: 1e-5 };
    const run = simulateSecureJob(train as Algorithm, forms, { ...params, dp }, tables);
    expect(run.decision.kind).toBe('done');
    const result = (run.decision.kind === 'done' ? run.decision.result : null) as TrainResult;
    expect(result.privacy?.epsilon).toBeGreaterThan(0);
    expect(result.rounds).toHaveLength(params.rounds);
  });

  it('sums a noisy update as it is: the privacy report stays at the node', () => {
    const dpParams = train.params.parse({
      ...params,
      dp: { clip: 1, noiseMultiplier: 1, delta: 1e-5 },
    });
    const run = simulateJob(train, dpParams, tables);
    const out = run.rounds[1]?.[0]?.output as Record<string, unknown>;
    expect(out.privacy).toBeDefined();
    const input = {
      round: 1,
      parameters: new Array<number>(33).fill(0),
      preprocessing: {
        columns: [
          { name: 'x1', variable: 'x1', level: null },
          { name: 'x2', variable: 'x2', level: null },
        ],
        levels: {},
        means: [0, 0],
        sds: [1, 1],
        classes: ['c0', 'c1'],
        numericOutcome: false,
      },
      classWeights: null,
    };
    const { privacy: _, ...rest } = out;
    const withReport = trainRoundSumForm.toVector(out, dpParams, input, {});
    expect(Array.from(withReport)).toEqual(
      Array.from(trainRoundSumForm.toVector(rest, dpParams, input, {})),
    );
    // The withheld training loss travels as a flag; the pooled output says null.
    const pooled = trainRoundSumForm.fromSum(withReport, dpParams, input, 1, {}) as {
      trainLossSum: number | null;
      examples: number;
    };
    expect(pooled.trainLossSum).toBeNull();
    expect(pooled.examples).toBe(out.examples);
  });
});
