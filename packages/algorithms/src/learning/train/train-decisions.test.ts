import { describe, expect, it } from 'vitest';
import type { Algorithm, HubDecision, JobArtifact, LocalStep } from '../../framework.js';
import { simulateJob } from '../../simulate.js';
import type { Table } from '../../table.js';
import { parseExportedModel } from '../export.js';
import { sampleSites } from '../strategies/index.js';
import { gaussianTask } from '../training/synthetic.js';
import { skewedTable, splitTask } from '../training/synthetic-tables.js';
import { trainEpsilon } from './dp.js';
import {
  train,
  validationSplit,
  type TrainParams,
  type TrainProgress,
  type TrainResult,
  type TrainState,
} from './index.js';

/*
 * What the hub part of `train` tells the hub at each step: the sampled sites, the round's
 * deadline and minimum, the progress, and the models as artifacts in the export format.
 * simulateJob runs every site at every step; the hub part must use the sampled ones only.
 */

const names = ['st-anne', 'st-bede', 'st-clare', 'st-dunstan', 'st-edith'];
const sites: Table[] = splitTask(gaussianTask(3000, 3, 2, 5), 5).map((task, s) =>
  skewedTable(task, { keep: s % 2 === 0 ? [1, 0.4] : [0.4, 1], shift: s - 2, seed: 60 + s }),
);
const base = {
  outcome: 'y',
  features: ['x1', 'x2', 'x3'],
  model: { type: 'logistic' },
  rounds: 4,
  fraction: 0.6,
  minSites: 2,
  roundDeadlineMs: 60_000,
  checkpointEvery: 2,
  learningRate: 0.1,
  seed: 11,
};

type Decision = HubDecision<unknown>;

/** Runs a job and records every decision the hub part made after the first. */
function record(alg: Algorithm<TrainParams, TrainState | null>, params: object, tables = sites) {
  const decisions: Decision[] = [];
  const recording: Algorithm = {
    ...(alg as Algorithm),
    aggregate: (p, s, step, results) => {
      const d = alg.aggregate(p as TrainParams, s as TrainState | null, step, results);
      decisions.push(d);
      return d;
    },
  };
  const run = simulateJob(recording, params, tables, { names });
  if (run.decision.kind !== 'done') throw new Error(JSON.stringify(run.decision));
  return { run, decisions, result: run.decision.result as TrainResult };
}

const artifactNames = (d: Decision): string[] =>
  ((d as { artifacts?: readonly JobArtifact[] }).artifacts ?? []).map((a) => a.name);

describe('train: decisions', () => {
  const { run, decisions, result } = record(train, base);
  const steps = decisions.filter((d) => d.kind === 'step');

  it('sends each round to the sites sampled for it, and the final evaluation to every site', () => {
    expect(run.steps).toEqual(['prepare', 'round', 'round', 'round', 'round', 'evaluate']);
    steps.slice(0, 4).forEach((d, i) => {
      const want = sampleSites(names, { fraction: 0.6, minimum: 2 }, 11, i + 1);
      expect(d).toMatchObject({ step: 'round', sites: want, minSites: 2, deadlineMs: 60_000 });
      expect(want).toHaveLength(3);
    });
    expect(steps[4]).toMatchObject({ step: 'evaluate', sites: names, deadlineMs: 60_000 });
    expect(result.rounds.map((r) => [r.round, r.sites, r.failed])).toEqual([
      [1, 3, []],
      [2, 3, []],
      [3, 3, []],
      [4, 3, []],
    ]);
  });

  it('takes a round’s metrics over the sites that evaluated its model: those of the next step', () => {
    const validation = (t: Table): number => validationSplit(t.rows, 0.2, 11).validation.length;
    result.rounds.forEach((r, i) => {
      const evaluators = (steps[i + 1] as { sites: readonly string[] }).sites;
      const rows = evaluators.reduce((s, n) => s + validation(sites[names.indexOf(n)] as Table), 0);
      expect(r.examples).toBe(rows);
    });
    expect(result.final.examples).toBe(sites.reduce((s, t) => s + validation(t), 0));
  });

  it('shows the progress at every step: rounds done and the evaluated rounds', () => {
    const progress = steps.map((d) => (d as { progress: TrainProgress }).progress);
    expect(progress.map((p) => [p.kind, p.total, p.done, p.metrics.length])).toEqual([
      ['rounds', 4, 0, 0],
      ['rounds', 4, 1, 0],
      ['rounds', 4, 2, 1],
      ['rounds', 4, 3, 2],
      ['rounds', 4, 4, 3],
    ]);
    const last = progress[4]?.metrics[2];
    const r3 = result.rounds[2];
    expect(last).toEqual({
      round: 3,
      loss: r3?.loss,
      accuracy: r3?.accuracy,
      auc: r3?.auc,
      sites: 3,
      failed: [],
    });
  });

  it('stores every checkpointEvery-th round’s model, the best whenever it changes, and the final', () => {
    const stored = decisions.flatMap(artifactNames);
    expect(stored.filter((n) => n.startsWith('model/round-'))).toEqual([
      'model/round-2',
      'model/round-4',
    ]);
    expect(stored.at(-1)).toBe('model/final');
    // model/round-1 is filed with the step that evaluated it (sending round 3), and is the first best.
    expect(artifactNames(steps[2] as Decision)).toEqual(['model/best']);
    const bests = decisions.flatMap((d) =>
      ((d as { artifacts?: readonly JobArtifact[] }).artifacts ?? []).filter(
        (a) => a.name === 'model/best',
      ),
    );
    const lastBest = parseExportedModel(bests.at(-1)?.body);
    expect(lastBest.id).toBe(result.best?.id);
    expect(lastBest.round).toBe(result.best?.round);
    expect(lastBest.metrics?.loss).toBe(result.best?.loss);
    expect(result.best?.loss).toBe(Math.min(...result.rounds.map((r) => r.loss)));
    const all = decisions.flatMap(
      (d) => (d as { artifacts?: readonly JobArtifact[] }).artifacts ?? [],
    );
    const round2 = parseExportedModel(all.find((a) => a.name === 'model/round-2')?.body);
    expect(round2).toMatchObject({ round: 2, metrics: { loss: result.rounds[1]?.loss } });
    expect(round2.provenance).toEqual({
      algorithm: 'train@0.2.0',
      strategy: 'fedavg',
      rounds: 2,
      sites: 5,
      secureAggregation: false,
    });
    const final = parseExportedModel(all.find((a) => a.name === 'model/final')?.body);
    expect(final).toMatchObject({
      id: result.model.id,
      round: 4,
      metrics: { loss: result.final.loss },
    });
    expect(result.model).toMatchObject({
      name: 'model/final',
      format: 'tessera-model',
      parameters: 4,
      classes: ['c0', 'c1'],
      round: 4,
    });
  });

  it('continues a round without a sampled site that does not answer, while minSites holds', () => {
    const timedOut: Algorithm<TrainParams, TrainState | null> = {
      ...train,
      // The hub lists no result for a site that missed the deadline.
      aggregate: (p, s, step, results) =>
        train.aggregate(
          p,
          s,
          step,
          step === 'round' && s?.step === 2
            ? results.filter((r) => r.trust !== s.sampled[0])
            : results,
        ),
    };
    const { result: r, decisions: d } = record(timedOut, base);
    const sampled2 = (d.filter((x) => x.kind === 'step')[1] as { sites: readonly string[] }).sites;
    expect(r.rounds[1]).toMatchObject({ round: 2, sites: 2, failed: [sampled2[0]] });
  });
});

describe('train: DP-FedAvg', () => {
  const dp = { clip: 0.5, noiseMultiplier: 1.2, delta: 1e-5 };
  const params = { ...base, fraction: 1, dp };

  it('reports ε after each round and in the result; sites withhold their training loss', () => {
    const { result, decisions } = record(train, params);
    result.rounds.forEach((r) => {
      expect(r.epsilon).toBe(trainEpsilon(dp, r.round));
      expect(r.trainLoss).toBeNull();
    });
    expect(result.privacy).toMatchObject({
      mechanism: 'gaussian',
      epsilon: trainEpsilon(dp, 4),
      delta: 1e-5,
      rounds: 4,
      noiseMultiplier: 1.2,
      clip: 0.5,
      sensitivity: 1,
    });
    const progress = decisions
      .filter((d) => d.kind === 'step')
      .map((d) => (d as { progress: TrainProgress }).progress.epsilon);
    expect(progress).toEqual([0, 1, 2, 3, 4].map((k) => trainEpsilon(dp, k)));
    const final = decisions.at(-1) as { artifacts: readonly JobArtifact[] };
    const model = parseExportedModel(final.artifacts.at(-1)?.body);
    expect(model.provenance.privacy?.epsilon).toBe(trainEpsilon(dp, 4));
  });

  it('noises the updates with the node’s randomness: another seed, another model', () => {
    const a = simulateJob(train, params, sites, { seed: 1 });
    const b = simulateJob(train, params, sites, { seed: 2 });
    const id = (r: typeof a) =>
      r.decision.kind === 'done' ? (r.decision.result as TrainResult).model.id : '';
    expect(id(a)).not.toBe(id(b));
    // Each round's output carried a privacy report naming the job's accountant.
    const report = (a.rounds[1]?.[0]?.output as { privacy: { accountant: unknown } }).privacy;
    expect(report.accountant).toEqual({ method: 'rdp-gaussian', sigma: 0.6, delta: 1e-5 });
  });

  it('fails the job when a site releases an update without the noise dp asks for', () => {
    const round = train.local.round as LocalStep<TrainParams>;
    const plain: Algorithm<TrainParams> = {
      ...train,
      local: {
        ...train.local,
        round: {
          run: (ctx) => round.run(ctx),
          disclose: (out, ctx) => {
            const o = round.disclose(out, ctx);
            if (o.status !== 'ok' || ctx.table !== sites[0]) return o;
            const { privacy: _, ...rest } = o.output as Record<string, unknown>;
            return { status: 'ok', output: rest };
          },
        },
      },
    };
    const run = simulateJob(plain, params, sites, { names });
    expect(run.decision).toMatchObject({ kind: 'failed', code: 'PRIVACY_REPORT' });
    expect(run.decision.kind === 'failed' && run.decision.reason).toMatch(
      /st-anne: an update without the noise/,
    );
    // And the reverse: a report where no dp was asked for.
    const stray: Algorithm<TrainParams> = {
      ...train,
      local: {
        ...train.local,
        round: {
          run: (ctx) => round.run(ctx),
          disclose: (out, ctx) => {
            const o = round.disclose(out, ctx);
            if (o.status !== 'ok' || ctx.table !== sites[1]) return o;
            return { status: 'ok', output: { ...(o.output as object), privacy: { epsilon: 1 } } };
          },
        },
      },
    };
    const strayRun = simulateJob(stray, base, sites, { names });
    expect(strayRun.decision).toMatchObject({ kind: 'failed', code: 'PRIVACY_REPORT' });
    expect(strayRun.decision.kind === 'failed' && strayRun.decision.reason).toMatch(
      /st-bede: a privacy report that dp was not asked for/,
    );
  });
});
