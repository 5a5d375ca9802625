import {
  SUM_FORMS,
  getAlgorithm,
  makeTable,
  numberColumn,
  parsePhaseStep,
  runLocalStep,
  runSecureStep,
  summary,
  type SecureNodeMemory,
  type SumForm,
} from '@tessera/algorithms';
import { errorBodySchema, jobViewSchema, type TaskPayload } from '@tessera/protocol';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeNode } from '../../test/helpers/fake-node.js';
import { makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';
import { TEST_DB_KINDS } from '../../test/helpers/test-db.js';

/*
 * Secure aggregation through the real orchestrator (issue 5): the hub accepts it for algorithms
 * with a sum form, runs the four phases as ordinary steps, hands the shares phase the identity
 * keys pinned at enrolment, gives the later phases the short securePhaseDeadlineMs, and finishes
 * with the pooled result. The nodes are fake (protocol only) and run the pure node part.
 */

const AGES: Record<string, number[]> = {
  alpha: Array.from({ length: 30 }, (_, i) => 20 + i),
  beta: Array.from({ length: 25 }, (_, i) => 40 + 2 * i),
  gamma: Array.from({ length: 40 }, (_, i) => 35 + (i % 17)),
};
const PARAMS = { variables: ['age'] };
const PHASE_DEADLINE_MS = 5_000;
const forms = SUM_FORMS['summary'] as Readonly<Record<string, SumForm>>;

/** One node's answer to a task: a plain step or a secure phase, as a real node computes it. */
function answer(n: FakeNode, p: TaskPayload, memory: Map<string, SecureNodeMemory | null>) {
  const ctx = {
    table: makeTable({ age: numberColumn(AGES[n.name] ?? []) }),
    params: summary.params.parse(p.params),
    input: p.input,
    round: p.round,
    policy: { minCount: 10, allowMinMax: false },
    randomBytes: (k: number) => randomBytes(k),
  };
  if (parsePhaseStep(p.step) === null) return runLocalStep(summary, p.step, ctx);
  if (parsePhaseStep(p.step)?.phase === 'masked') {
    // The hub relays to each node only the share boxes sealed to it.
    const boxes = (p.input as { shares: { to: string }[] }).shares;
    if (boxes.length === 0 || boxes.some((b) => b.to !== n.name)) {
      throw new Error(`${n.name} got share boxes that are not its own`);
    }
  }
  let input = p.input;
  let identityKeys = new Map<string, string>();
  if (parsePhaseStep(p.step)?.phase === 'shares') {
    const { identityKeys: roster, ...rest } = p.input as { identityKeys: Record<string, string> };
    identityKeys = new Map(Object.entries(roster));
    input = rest;
  }
  const node = { jobId: p.jobId, me: n.name, identity: n.keys.signPrivate, identityKeys };
  const r = runSecureStep(
    summary,
    forms,
    p.step,
    { ...ctx, input },
    node,
    memory.get(n.name) ?? null,
  );
  memory.set(n.name, r.memory);
  return r.outcome;
}

describe.each(TEST_DB_KINDS)('secure aggregation in the orchestrator on $name', (kind) => {
  let t: TestHub;
  afterEach(() => t.close());

  const start = async () => {
    t = await makeTestHub({
      kind,
      algorithms: { get: getAlgorithm },
      config: { securePhaseDeadlineMs: PHASE_DEADLINE_MS },
    });
    const s = await t.setUp(['alpha', 'beta', 'gamma']);
    const nodes = s.keys.map((k) => t.node(k.name, k.apiKey));
    for (const n of nodes) expect((await n.enrol()).status).toBe(200);
    return { s, nodes };
  };
  const submit = (researcher: string, algorithm: string, params: unknown) =>
    t.req('POST', '/api/v1/jobs', researcher, {
      project: 'p1',
      algorithm,
      datasets: ['d'],
      params,
      secureAggregation: true,
    });

  it('refuses secure aggregation of an algorithm without a sum form, naming it', async () => {
    const { s } = await start();
    const r = await submit(s.researcher, 'correlation', {});
    expect(r.status).toBe(422);
    expect(errorBodySchema.parse(r.body).error.message).toMatch(/correlation has no sum form/);
  });

  it('refuses at submission what the secure wrapper cannot run: grouped summaries, dp', async () => {
    const { s } = await start();
    const grouped = await submit(s.researcher, 'summary', { variables: ['age'], groupBy: 'sex' });
    expect(grouped.status).toBe(422);
    const noisy = await submit(s.researcher, 'histogram', {
      variable: 'age',
      edges: [0, 50, 100],
      dp: { mechanism: 'laplace', epsilon: 1 },
    });
    expect(noisy.status).toBe(422);
    expect(errorBodySchema.parse(noisy.body).error.message).toMatch(/differential privacy/);
    const jobs = await t.req('GET', '/api/v1/jobs?project=p1', s.researcher);
    expect(jobs.body).toEqual([]);
  });

  it('runs the four phases as steps, across a hub restart, and finishes with the pooled summary', async () => {
    const { s, nodes } = await start();
    const r = await submit(s.researcher, 'summary', PARAMS);
    expect(r.status).toBe(201);
    const job = jobViewSchema.parse(r.body);
    expect(job.secureAggregation).toBe(true);
    const memory = new Map<string, SecureNodeMemory | null>();
    const steps: string[] = [];
    for (let round = 0; round < 10; round++) {
      const view = jobViewSchema.parse(
        (await t.req('GET', `/api/v1/jobs/${job.id}`, s.researcher)).body,
      );
      if (view.status !== 'running') break;
      // A hub restarted mid-sum plans the rest from the database with the same secure wrapper.
      if (round === 2) await t.restart();
      for (const n of nodes) {
        const [task] = await n.poll();
        if (task === undefined) throw new Error(`no task for ${n.name}`);
        const p = n.open(task);
        if (n.name === 'alpha') steps.push(p.step);
        const phase = parsePhaseStep(p.step)?.phase;
        if (phase === 'shares') {
          const keys = (p.input as { identityKeys: Record<string, string> }).identityKeys;
          expect(keys).toEqual(Object.fromEntries(nodes.map((m) => [m.name, m.keys.public.sign])));
        }
        const left = Date.parse(p.deadline) - Date.now();
        if (phase !== undefined && phase !== 'keys')
          expect(left).toBeLessThanOrEqual(PHASE_DEADLINE_MS);
        else expect(left).toBeGreaterThan(PHASE_DEADLINE_MS);
        const outcome = answer(n, p, memory);
        const payload =
          outcome.status === 'ok'
            ? { taskId: p.taskId, status: 'ok' as const, output: outcome.output }
            : {
                taskId: p.taskId,
                status: 'refused' as const,
                code: outcome.code,
                reason: outcome.reason,
              };
        expect((await n.submit(n.result(task, payload))).status).toBe(200);
      }
    }
    expect(steps).toEqual([
      'stats#sa-keys',
      'stats#sa-shares',
      'stats#sa-masked',
      'stats#sa-unmask',
    ]);
    const done = jobViewSchema.parse(
      (await t.req('GET', `/api/v1/jobs/${job.id}`, s.researcher)).body,
    );
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    const all = Object.values(AGES).flat();
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const result = done.result as {
      n: number;
      variables: { age: { count: number; mean: number } };
      secureAggregation: { sites: number; threshold: number; dropped: string[] };
    };
    expect(result.n).toBe(all.length);
    expect(result.variables.age.count).toBe(all.length);
    expect(Math.abs(result.variables.age.mean - mean)).toBeLessThan(1e-6);
    expect(result.secureAggregation).toMatchObject({ sites: 3, threshold: 2, dropped: [] });
  });
});
