import { describe, expect, it } from 'vitest';
import type { Algorithm, LocalStep } from '../../framework.js';
import { simulateJob } from '../../simulate.js';
import type { Table } from '../../table.js';
import { gaussianTask, twoMoons, type SyntheticTask } from '../training/synthetic.js';
import { parseExportedModel } from '../export.js';
import { train, type RoundRecord, type TrainParams } from './index.js';
import { pooledReferenceAccuracy } from './pooled-reference.js';

/** Rows of a task whose label is kept with probability keep[label] (label skew), as a table. */
function skewed(task: SyntheticTask, keep: readonly number[], seed: number): Table {
  const x: number[][] = [];
  const y: number[] = [];
  for (let r = 0; r < task.rows; r++) {
    const label = task.labels[r] ?? 0;
    // A cheap deterministic coin from the row and the seed.
    const coin = ((Math.imul(r + 1, 2654435761) ^ seed) >>> 0) / 4294967296;
    if (coin >= (keep[label] ?? 1)) continue;
    x.push(Array.from(task.x.subarray(r * task.inputs, (r + 1) * task.inputs)));
    y.push(label);
  }
  const columns: Table['columns'] = Object.fromEntries(
    Array.from({ length: task.inputs }, (_, j) => [
      `x${j + 1}`,
      { kind: 'number', values: Float64Array.from(x, (row) => row[j] ?? Number.NaN) },
    ]),
  );
  const levels = Array.from({ length: Math.max(...task.labels) + 1 }, (_, k) => `c${k}`);
  return {
    rows: y.length,
    columns: { ...columns, y: { kind: 'categorical', levels, codes: Int32Array.from(y) } },
  };
}

/** Three non-identical, label-skewed sites: mostly class 0, mostly class 1, noisier balanced. */
const moonSites: Table[] = [
  skewed(twoMoons(900, 0.15, 11), [1, 0.25], 1),
  skewed(twoMoons(900, 0.15, 12), [0.25, 1], 2),
  skewed(twoMoons(500, 0.25, 13), [1, 1], 3),
];

const mlpParams = {
  outcome: 'y',
  features: ['x1', 'x2'],
  model: { type: 'mlp', hidden: [16] },
  strategy: { name: 'fedavg' },
  rounds: 15,
  epochs: 2,
  batchSize: 16,
  learningRate: 0.05,
  seed: 7,
};

function done(run: ReturnType<typeof simulateJob>): Record<string, unknown> {
  if (run.decision.kind !== 'done')
    throw new Error(`job failed: ${run.decision.code} ${run.decision.reason}`);
  return run.decision.result as Record<string, unknown>;
}

describe('train: FedAvg versus the pooled model', () => {
  const run = simulateJob(train, mlpParams, moonSites);
  const result = done(run);
  const final = result.final as { accuracy: number };
  const central = pooledReferenceAccuracy(moonSites, {
    ...mlpParams,
    outcome: 'y',
    hidden: mlpParams.model.hidden,
  });
  const pct = (a: number): string => (100 * a).toFixed(2);

  it(`an MLP on label-skewed two-moons sites: FedAvg ${pct(final.accuracy)}% vs pooled ${pct(central)}% accuracy`, () => {
    expect(
      Math.abs(final.accuracy - central),
      `FedAvg ${pct(final.accuracy)}%, pooled ${pct(central)}%`,
    ).toBeLessThanOrEqual(0.02);
    // Well above what a linear model reaches on two moons (~88%), so the MLP did learn.
    expect(final.accuracy).toBeGreaterThan(0.93);
    expect(run.steps).toEqual(['prepare', ...new Array<string>(15).fill('round'), 'evaluate']);
  });

  it('records every round, the best model by validation loss and a model with its id', () => {
    const rounds = result.rounds as RoundRecord[];
    expect(rounds.map((r) => r.round)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(rounds.every((r) => r.sites === 3 && r.failed.length === 0)).toBe(true);
    const last = rounds[14];
    expect(last?.accuracy).toBe(final.accuracy);
    const best = result.best as { round: number; loss: number; id: string; name: string };
    expect(best.loss).toBe(Math.min(...rounds.map((r) => r.loss)));
    expect(best.name).toBe('model/best');
    // The result names the model; its weights are in the artifact 'model/final'.
    const model = result.model as {
      id: string;
      name: string;
      parameters: number;
      classes: string[];
    };
    expect(model.id).toMatch(/^[0-9a-f]{64}$/);
    expect(model).toMatchObject({ name: 'model/final', parameters: 2 * 16 + 16 + 16 + 1 });
    expect(model.classes).toEqual(['c0', 'c1']);
    const stored = run.decision.kind === 'done' ? run.decision.artifacts?.at(-1) : undefined;
    expect(stored?.name).toBe('model/final');
    const body = parseExportedModel(stored?.body);
    expect(body.id).toBe(model.id);
    expect(body.parameters).toHaveLength(model.parameters);
    expect((result.initial as { loss: number }).loss).toBeGreaterThan(last?.loss ?? Infinity);
  });
});

describe('train', () => {
  const three = [
    skewed(gaussianTask(400, 4, 3, 21), [1, 0.5, 1], 4),
    skewed(gaussianTask(400, 4, 3, 21), [0.5, 1, 1], 5),
  ];
  const softmax = {
    outcome: 'y',
    features: ['x1', 'x2', 'x3', 'x4'],
    model: { type: 'softmax' },
    strategy: { name: 'fedadam', eta: 0.3 },
    rounds: 10,
    optimizer: 'adam',
    learningRate: 0.05,
    classWeights: 'balanced',
    seed: 3,
  };

  it('is deterministic by seed, and another seed gives another model', () => {
    const a = done(simulateJob(train, softmax, three));
    const b = done(simulateJob(train, softmax, three));
    const c = done(simulateJob(train, { ...softmax, seed: 4 }, three));
    expect(b).toEqual(a);
    const id = (r: Record<string, unknown>): string => (r.model as { id: string }).id;
    expect(id(c)).not.toBe(id(a));
    expect((a.final as { accuracy: number }).accuracy).toBeGreaterThan(0.8);
  });

  it('completes a round without a site that refuses while minSites holds, and reports it', () => {
    const base = train.local.round as LocalStep<TrainParams>;
    const flaky: Algorithm<TrainParams> = {
      ...train,
      local: {
        ...train.local,
        round: {
          run: (ctx) => base.run(ctx),
          disclose: (out, ctx) =>
            ctx.round === 3 && ctx.table === moonSites[1]
              ? { status: 'refused', code: 'MIN_COUNT', reason: 'simulated refusal' }
              : base.disclose(out, ctx),
        },
      },
    };
    const params = { ...mlpParams, rounds: 4, minSites: 2 };
    const rounds = done(simulateJob(flaky, params, moonSites)).rounds as RoundRecord[];
    expect(rounds.map((r) => [r.round, r.sites, r.failed])).toEqual([
      [1, 3, []],
      [2, 3, []],
      [3, 2, ['site-2']],
      [4, 3, []],
    ]);
    const strict = simulateJob(flaky, { ...params, minSites: 3 }, moonSites);
    expect(strict.decision).toMatchObject({ kind: 'failed', code: 'TOO_FEW_SITES' });
  });

  it('refuses at the node below minCount per class present in the training split', () => {
    const run = simulateJob(train, { ...mlpParams, rounds: 1 }, moonSites, {
      policy: { minCount: 100, allowMinMax: false },
    });
    const refusals = run.rounds[1]?.map((r) => r.code);
    expect(refusals).toEqual(['PARAMETER_LIMIT', 'PARAMETER_LIMIT', undefined]);
    const small = simulateJob(train, { ...mlpParams, rounds: 1 }, moonSites, {
      policy: { minCount: 200, allowMinMax: false },
    });
    expect(small.rounds[0]?.map((r) => r.code)).toEqual(['MIN_COUNT', 'MIN_COUNT', undefined]);
  });

  it.each([
    [{ features: ['y', 'x1'] }, 'the outcome cannot be a feature'],
    [{ model: { type: 'forest' } }, 'model'],
    [{ model: { type: 'mlp', hidden: [0] } }, 'hidden'],
    [{ rounds: 0 }, 'rounds'],
    [{ validationFraction: 0.9 }, 'validationFraction'],
    [{ strategy: { name: 'fedsgd' } }, 'strategy'],
    [{ classWeights: [1, -1] }, 'classWeights'],
    [{ fraction: 0 }, 'fraction'],
    [{ unknown: 1 }, 'unknown'],
  ])('rejects params %j', (change, what) => {
    const parsed = train.params.safeParse({ ...mlpParams, ...change });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.message).toContain(what);
  });

  it('fails at the hub when the model does not fit the classes or the class weights', () => {
    const logistic = { ...softmax, model: { type: 'logistic' } };
    expect(simulateJob(train as Algorithm, logistic, three).decision).toMatchObject({
      kind: 'failed',
      code: 'INVALID_MODEL',
    });
    const weights = { ...softmax, classWeights: [1, 2] };
    expect(simulateJob(train as Algorithm, weights, three).decision).toMatchObject({
      kind: 'failed',
      code: 'CLASS_WEIGHTS',
    });
  });
});
