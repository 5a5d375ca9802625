import { getAlgorithm, parsePhaseStep, type SecureNodeMemory } from '@tessera/algorithms';
import { errorBodySchema, jobViewSchema } from '@tessera/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';
import { AGES, answerSummary, resultOf } from '../../test/helpers/secure-answer.js';
import { TEST_DB_KINDS } from '../../test/helpers/test-db.js';

/*
 * Secure aggregation through the real orchestrator (issue 5): the hub accepts it for algorithms
 * with a sum form, runs the four phases as ordinary steps, hands the shares phase the identity
 * keys pinned at enrolment, gives the later phases the short securePhaseDeadlineMs, and finishes
 * with the pooled result. The nodes are fake (protocol only) and run the pure node part.
 */

const PARAMS = { variables: ['age'] };
const PHASE_DEADLINE_MS = 5_000;

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
        const payload = resultOf(p.taskId, answerSummary(n, p, memory));
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
    const all = [AGES.alpha, AGES.beta, AGES.gamma].flat();
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
