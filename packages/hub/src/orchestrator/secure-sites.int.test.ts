import {
  parsePhaseStep,
  summary,
  type Algorithm,
  type HubDecision,
  type SecureNodeMemory,
} from '@tessera/algorithms';
import { artifactSummarySchema, jobViewSchema } from '@tessera/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';
import { AGES, answerSummary, resultOf } from '../../test/helpers/secure-answer.js';
import { TEST_DB_KINDS } from '../../test/helpers/test-db.js';

/*
 * Secure aggregation of a step that names its sites (issue 6: a training round's sampled
 * clients): all four phases go to the named trusts only, the masks are agreed among them only
 * (the shares phase's roster), and the decision's progress and artifacts come through the
 * wrapper. `summary` here is the real one with sites, progress and artifacts added to its
 * decisions, so the hub wraps it with the real sum form.
 */

const NAMED = ['alpha', 'beta', 'gamma'];

const namedSummary: Algorithm = {
  ...(summary as unknown as Algorithm),
  start(p) {
    const d = (summary as unknown as Algorithm).start(p);
    if (d.kind !== 'step') return d;
    return {
      ...d,
      sites: NAMED,
      progress: { stage: 'stats' },
      artifacts: [{ name: 'plan/sites', body: NAMED }],
    };
  },
  aggregate(p, state, step, results): HubDecision<unknown> {
    const d = (summary as unknown as Algorithm).aggregate(p, state, step, results);
    return d.kind === 'done' ? { ...d, artifacts: [{ name: 'summary/final', body: d.result }] } : d;
  },
};

describe.each(TEST_DB_KINDS)('secure aggregation among named sites on $name', (kind) => {
  let t: TestHub;
  afterEach(() => t.close());

  it('runs the four phases among the named trusts only and keeps progress and artifacts', async () => {
    t = await makeTestHub({
      kind,
      algorithms: { get: (n) => (n === 'summary' ? namedSummary : undefined) },
    });
    const s = await t.setUp(['alpha', 'beta', 'delta', 'gamma']);
    const nodes = s.keys.map((k) => t.node(k.name, k.apiKey));
    for (const n of nodes) expect((await n.enrol()).status).toBe(200);
    const r = await t.req('POST', '/api/v1/jobs', s.researcher, {
      project: 'p1',
      algorithm: 'summary',
      datasets: ['d'],
      params: { variables: ['age'] },
      secureAggregation: true,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const job = jobViewSchema.parse(r.body);
    expect(job.progress).toEqual({ stage: 'stats' });
    const memory = new Map<string, SecureNodeMemory | null>();
    const phases: string[] = [];
    for (let step = 0; step < 8; step++) {
      const got = [];
      for (const n of nodes) {
        const [task] = await n.poll();
        if (task !== undefined) got.push({ n, task, p: n.open(task) });
      }
      if (got.length === 0) break;
      expect(got.map((g) => g.n.name)).toEqual(NAMED);
      const phase = parsePhaseStep(got[0]!.p.step)?.phase ?? 'plain';
      phases.push(phase);
      if (phase === 'shares') {
        const keys = (got[0]!.p.input as { identityKeys: Record<string, string> }).identityKeys;
        expect(Object.keys(keys).sort()).toEqual(NAMED);
      }
      for (const { n, task, p } of got) {
        const payload = resultOf(p.taskId, answerSummary(n, p, memory));
        expect((await n.submit(n.result(task, payload))).status).toBe(200);
      }
    }
    expect(phases).toEqual(['keys', 'shares', 'masked', 'unmask']);
    const done = jobViewSchema.parse(
      (await t.req('GET', `/api/v1/jobs/${job.id}`, s.researcher)).body,
    );
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    // The pooled count and mean of the named trusts only (delta's 20 rows are not in it).
    const ages = [AGES.alpha, AGES.beta, AGES.gamma].flat();
    const result = done.result as {
      n: number;
      variables: { age: { mean: number } };
      secureAggregation: { sites: number };
    };
    expect(result.n).toBe(ages.length);
    // Fixed-point error: 3 sites · 2^-21 per summed element, far below 1e-6.
    const mean = ages.reduce((a, b) => a + b, 0) / ages.length;
    expect(Math.abs(result.variables.age.mean - mean)).toBeLessThan(1e-6);
    expect(result.secureAggregation.sites).toBe(3);
    expect(done.sites.map((x) => x.trust)).toEqual(NAMED);
    expect(done.progress).toEqual({ stage: 'stats' });
    const artifacts = artifactSummarySchema
      .array()
      .parse((await t.req('GET', `/api/v1/jobs/${job.id}/artifacts`, s.researcher)).body);
    expect(artifacts.map((a) => a.name)).toEqual(['plan/sites', 'summary/final']);
    const final = await t.req(
      'GET',
      `/api/v1/jobs/${job.id}/artifacts/summary/final`,
      s.researcher,
    );
    // The algorithm's own result, as it made it: the wrapper's report is added to the job's only.
    const { secureAggregation: _report, ...inner } = result;
    expect((final.body as { body: unknown }).body).toEqual(inner);
  });
});
