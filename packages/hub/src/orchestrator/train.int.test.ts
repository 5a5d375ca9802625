import {
  SUM_FORMS,
  categoricalColumn,
  getAlgorithm,
  makeTable,
  numberColumn,
  parsePhaseStep,
  simulateJob,
  simulateSecureJob,
  train,
  type SecureNodeMemory,
  type SumForm,
  type Table,
} from '@tessera/algorithms';
import {
  artifactSummarySchema,
  artifactViewSchema,
  jobViewSchema,
  type JobView,
  type TaskEnvelope,
} from '@tessera/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeNode } from '../../test/helpers/fake-node.js';
import { makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';
import { answerTask, resultOf } from '../../test/helpers/secure-answer.js';
import { TEST_DB_KINDS } from '../../test/helpers/test-db.js';

/*
 * The real `train` (issue 6) through the hub, restarted between every two steps: the job ends
 * with rounds 1…R each once, each round's model kept as an artifact, each step sent to the sites
 * it sampled only, and the very result the same algorithm gives in one process (simulateJob,
 * simulateSecureJob) on the same tables. The nodes are fake (protocol only) and run the pure node
 * part as a real node does.
 */

const TRUSTS = ['alpha', 'beta', 'delta', 'gamma'];
const ROUNDS = 3;
const PARAMS = {
  outcome: 'y',
  features: ['x1', 'x2'],
  model: { type: 'logistic' },
  strategy: { name: 'fedavg' },
  rounds: ROUNDS,
  learningRate: 0.1,
  seed: 5,
};

/** A site's rows: y = yes when 1.5·x1 − x2 + noise > 0, features shifted per site (non-IID). */
function siteTable(site: number, rows: number): Table {
  let s = 0x9e3779b9 ^ (site * 7919);
  const uniform = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const x1: number[] = [];
  const x2: number[] = [];
  const y: string[] = [];
  for (let i = 0; i < rows; i++) {
    const a = uniform() * 4 - 2 + 0.3 * site;
    const b = uniform() * 4 - 2 - 0.2 * site;
    x1.push(a);
    x2.push(b);
    y.push(1.5 * a - b + (uniform() - 0.5) > 0 ? 'yes' : 'no');
  }
  return makeTable({
    x1: numberColumn(x1),
    x2: numberColumn(x2),
    y: categoricalColumn(y, ['no', 'yes']),
  });
}
const TABLES = new Map(TRUSTS.map((name, i) => [name, siteTable(i, 120)]));
const tableOf = (trust: string): Table => {
  const table = TABLES.get(trust);
  if (table === undefined) throw new Error(`no table for ${trust}`);
  return table;
};
const trainForms = SUM_FORMS['train'] as Readonly<Record<string, SumForm>>;

describe.each(TEST_DB_KINDS)('train through the hub on $name', (kind) => {
  let t: TestHub;
  afterEach(() => t.close());

  /**
   * Submits a train job and plays every node until no task is left, restarting the hub after
   * each step. Returns the finished job and, per step, its name and the trusts that got it.
   */
  const runJob = async (params: object, secureAggregation: boolean) => {
    t = await makeTestHub({ kind, algorithms: { get: getAlgorithm } });
    const s = await t.setUp(TRUSTS);
    const nodes = s.keys.map((k) => t.node(k.name, k.apiKey));
    for (const n of nodes) expect((await n.enrol()).status).toBe(200);
    const r = await t.req('POST', '/api/v1/jobs', s.researcher, {
      project: 'p1',
      algorithm: 'train',
      datasets: ['d'],
      params,
      secureAggregation,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const job = jobViewSchema.parse(r.body);
    const memory = new Map<string, SecureNodeMemory | null>();
    const steps: { step: string; trusts: string[] }[] = [];
    for (let i = 0; i < 100; i++) {
      const got: { n: FakeNode; task: TaskEnvelope }[] = [];
      for (const n of nodes) {
        const [task] = await n.poll();
        if (task !== undefined) got.push({ n, task });
      }
      if (got.length === 0) break;
      for (const { n, task } of got) {
        const p = n.open(task);
        if (n === got[0]!.n) steps.push({ step: p.step, trusts: got.map((g) => g.n.name) });
        const outcome = answerTask(train, trainForms, tableOf(n.name), n, p, memory);
        expect((await n.submit(n.result(task, resultOf(p.taskId, outcome)))).status).toBe(200);
      }
      // A hub restart between every two steps: the next one is planned from the database.
      await t.restart();
    }
    const done: JobView = jobViewSchema.parse(
      (await t.req('GET', `/api/v1/jobs/${job.id}`, s.researcher)).body,
    );
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    const artifact = async (name: string) =>
      artifactViewSchema.parse(
        (await t.req('GET', `/api/v1/jobs/${job.id}/artifacts/${name}`, s.researcher)).body,
      ).body;
    const list = artifactSummarySchema
      .array()
      .parse((await t.req('GET', `/api/v1/jobs/${job.id}/artifacts`, s.researcher)).body);
    return { done, steps, artifacts: list.map((a) => a.name), artifact };
  };

  const finalArtifact = (d: { artifacts?: readonly { name: string; body: unknown }[] }) =>
    d.artifacts?.find((a) => a.name === 'model/final')?.body;

  it('resumes after restarts between rounds and ends with rounds 1…R once and their models', async () => {
    const params = { ...PARAMS, strategy: { name: 'fedavg' } };
    const run = await runJob(params, false);
    expect(run.steps.map((x) => x.step)).toEqual([
      'prepare',
      ...Array<string>(ROUNDS).fill('round'),
      'evaluate',
    ]);
    const result = run.done.result as { rounds: { round: number }[] };
    expect(result.rounds.map((x) => x.round)).toEqual([1, 2, 3]);
    expect(run.done.progress).toMatchObject({ kind: 'rounds', total: ROUNDS });
    expect(run.artifacts).toEqual([
      'model/best',
      'model/final',
      'model/round-1',
      'model/round-2',
      'model/round-3',
    ]);
    // Reference: the same algorithm and tables in one process. Equal exactly: the same pure code
    // on the same values, and JSON numbers survive jsonb unchanged (shortest round-trip text,
    // stored as exact decimals).
    const reference = simulateJob(train, params, TRUSTS.map(tableOf), { names: TRUSTS });
    if (reference.decision.kind !== 'done') throw new Error(reference.decision.reason);
    expect(run.done.result).toEqual(reference.decision.result);
    expect(await run.artifact('model/final')).toEqual(finalArtifact(reference.decision));
  }, 120_000);

  it('sends each round to the sites it sampled only, as the one-process run does', async () => {
    const params = { ...PARAMS, fraction: 0.5, minSites: 2 };
    const run = await runJob(params, false);
    const reference = simulateJob(train, params, TRUSTS.map(tableOf), { names: TRUSTS });
    if (reference.decision.kind !== 'done') throw new Error(reference.decision.reason);
    const sampled = reference.rounds.map((r) => r.map((x) => x.trust));
    expect(run.steps.map((x) => x.trusts)).toEqual(sampled);
    // Two of four sites per round, not always the same two.
    const rounds = run.steps.filter((x) => x.step === 'round').map((x) => x.trusts.join());
    expect(rounds.every((x) => x.split(',').length === 2)).toBe(true);
    expect(new Set(rounds).size).toBeGreaterThan(1);
    expect(run.done.result).toEqual(reference.decision.result);
    expect(await run.artifact('model/final')).toEqual(finalArtifact(reference.decision));
  }, 120_000);

  it('trains sampled rounds under secure aggregation, every phase among the sampled sites', async () => {
    const params = { ...PARAMS, fraction: 0.75, minSites: 2 };
    const run = await runJob(params, true);
    const reference = simulateSecureJob(train, trainForms, params, TRUSTS.map(tableOf), {
      names: TRUSTS,
    });
    if (reference.decision.kind !== 'done') throw new Error(reference.decision.reason);
    // Each round's four phases go to the same three sampled trusts.
    const rounds = run.steps.filter((x) => parsePhaseStep(x.step)?.step === 'round');
    expect(rounds).toHaveLength(ROUNDS * 4);
    for (let k = 0; k < ROUNDS; k++) {
      const phases = rounds.slice(4 * k, 4 * k + 4);
      expect(phases.map((x) => parsePhaseStep(x.step)?.phase)).toEqual([
        'keys',
        'shares',
        'masked',
        'unmask',
      ]);
      for (const x of phases) expect(x.trusts).toEqual(phases[0]!.trusts);
      expect(phases[0]!.trusts).toHaveLength(3);
    }
    expect(run.steps.map((x) => x.trusts)).toEqual(
      reference.rounds.map((r) => r.map((x) => x.trust)),
    );
    // The masks cancel exactly in the ring and the fixed-point sums decode alike: the secure run
    // through the hub equals the secure run in one process.
    expect(run.done.result).toEqual(reference.decision.result);
    expect(run.artifacts).toContain('model/round-3');
  }, 180_000);
});
