import { errorBodySchema, jobViewSchema, type JobView, type TaskEnvelope } from '@tessera/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestHub, type TestHub } from '../test/helpers/hub-fixture.js';
import type { FakeNode } from '../test/helpers/fake-node.js';
import { twoStepLocal } from '../test/helpers/test-algorithm.js';
import { TEST_DB_KINDS } from '../test/helpers/test-db.js';

/*
 * The foundation story, in process: an admin sets up trusts, a researcher runs a two-round job,
 * and two fake nodes built only from protocol functions enrol, poll, verify, open and answer.
 */

describe.each(TEST_DB_KINDS)('a job end to end on $name', (kind) => {
  let t: TestHub;
  let s: Awaited<ReturnType<TestHub['setUp']>>;
  let nodes: FakeNode[];
  const rows = { alpha: 120, beta: 80 };

  beforeAll(async () => {
    t = await makeTestHub({ kind });
    s = await t.setUp(['alpha', 'beta']);
    nodes = s.keys.map((k) => t.node(k.name, k.apiKey));
  });
  afterAll(() => t.close());

  it('enrols each node, pinning its keys, and is idempotent for the same keys', async () => {
    for (const n of nodes) {
      const r = await n.enrol();
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ type: 'enrolled', trust: { name: n.name } });
      expect((await n.enrol()).status).toBe(200);
    }
    const trusts = await t.req('GET', '/api/v1/trusts', s.admin);
    expect(
      (trusts.body as { nodeFingerprint: string | null }[]).every(
        (x) => x.nodeFingerprint !== null,
      ),
    ).toBe(true);
  });

  it('refuses a submission whose params do not fit, listing the issues', async () => {
    const r = await t.req('POST', '/api/v1/jobs', s.researcher, {
      project: 'p1',
      algorithm: 'two-step',
      datasets: ['d'],
      params: { weight: 'heavy' },
    });
    expect(r.status).toBe(400);
    const body = errorBodySchema.parse(r.body);
    expect(body.error.details?.issues).toEqual([expect.objectContaining({ path: 'weight' })]);
    const unknown = await t.req('POST', '/api/v1/jobs', s.researcher, {
      project: 'p1',
      algorithm: 'nope',
      datasets: ['d'],
      params: {},
    });
    expect(unknown.status).toBe(400);
  });

  it('refuses secure aggregation of an algorithm without a sum form instead of ignoring it', async () => {
    const r = await t.req('POST', '/api/v1/jobs', s.researcher, {
      project: 'p1',
      algorithm: 'two-step',
      datasets: ['d'],
      params: {},
      secureAggregation: true,
    });
    expect(r.status).toBe(422);
    expect(errorBodySchema.parse(r.body).error.message).toMatch(/two-step .*secure aggregation/);
    const jobs = await t.req('GET', '/api/v1/jobs?project=p1', s.researcher);
    expect(jobs.body).toEqual([]);
  });

  it('runs two rounds and finishes with the pooled result', async () => {
    const submitted = await t.req('POST', '/api/v1/jobs', s.researcher, {
      project: 'p1',
      algorithm: 'two-step',
      datasets: ['d'],
      params: { weight: 3, minSites: 2 },
    });
    expect(submitted.status).toBe(201);
    const job = jobViewSchema.parse(submitted.body);
    expect(job.status).toBe('running');
    // A held request for the job, answered when it finishes.
    const waiting = t.req('GET', `/api/v1/jobs/${job.id}?wait=20000`, s.researcher);
    for (let round = 1; round <= 2; round++) {
      for (const n of nodes) {
        const tasks: TaskEnvelope[] = await n.poll(1000);
        expect(tasks).toHaveLength(1);
        const task = tasks[0]!;
        expect(task.header).toMatchObject({ jobId: job.id, round, attempt: 1, trust: n.name });
        const payload = n.open(task);
        expect(payload.traceId).toMatch(/^[0-9a-f]{32}$/);
        const output = twoStepLocal(rows[n.name as keyof typeof rows], payload);
        const r = await n.submit(
          n.result(task, { taskId: task.header.taskId, status: 'ok', output }),
        );
        expect(r).toEqual({
          status: 200,
          body: { type: 'result-accepted', taskId: task.header.taskId, duplicate: false },
        });
      }
    }
    const done = await waiting;
    const view = jobViewSchema.parse(done.body);
    expect(view.status).toBe('succeeded');
    expect(view.result).toEqual({ n: 200, weighted: 600, sites: 2 });
    expect(view.round).toBe(2);
    expect(view.sites).toEqual([
      { trust: 'alpha', status: 'ok' },
      { trust: 'beta', status: 'ok' },
    ]);
  });

  it('keeps results from non-members and hides unlisted fields', async () => {
    const pw = 'observer password 1';
    await t.req('POST', '/api/v1/users', s.admin, {
      email: 'o@example.org',
      role: 'observer',
      password: pw,
    });
    const observer = await t.login('o@example.org', pw);
    const jobs = await t.req('GET', '/api/v1/jobs?project=p1', s.researcher);
    const id = (jobs.body as JobView[])[0]!.id;
    expect((await t.req('GET', `/api/v1/jobs/${id}`, observer)).status).toBe(404);
    // Admins see results only as members (DESIGN "Roles").
    expect((await t.req('GET', `/api/v1/jobs/${id}`, s.admin)).status).toBe(404);
    await t.req('POST', '/api/v1/projects/p1/members', s.researcher, {
      email: 'o@example.org',
      role: 'observer',
    });
    const seen = await t.req('GET', `/api/v1/jobs/${id}`, observer);
    expect(seen.status).toBe(200);
    expect(Object.keys(seen.body as object).sort()).toEqual(
      Object.keys(jobViewSchema.shape).sort(),
    );
    const submit = await t.req('POST', '/api/v1/jobs', observer, {
      project: 'p1',
      algorithm: 'two-step',
      datasets: ['d'],
      params: { weight: 1 },
    });
    expect(submit.status).toBe(403);
  });

  it('audits the story in a chain that verifies, with no secret or email in any log line', async () => {
    const verify = await t.req('GET', '/api/v1/audit/verify', s.admin);
    expect(verify.body).toMatchObject({ ok: true, brokenAt: null });
    const entries = (await t.req('GET', '/api/v1/audit?limit=1000', s.admin)).body as {
      action: string;
    }[];
    const actions = new Set(entries.map((e) => e.action));
    for (const a of [
      'user.create',
      'auth.login',
      'trust.create',
      'project.create',
      'project.trust.add',
      'node.enrol',
      'job.submit',
      'job.step',
      'task.result',
      'job.done',
    ]) {
      expect(actions).toContain(a);
    }
    const all = t.logs.join('');
    expect(t.logs.length).toBeGreaterThan(10);
    for (const k of s.keys) expect(all).not.toContain(k.apiKey);
    expect(all).not.toContain(s.admin);
    expect(all).not.toContain('@example.org');
    expect(all).not.toContain('password');
  });

  it('answers every request with an x-trace-id, and errors in the one error shape', async () => {
    const r = await t.hub.app.inject({ method: 'GET', url: '/api/v1/nowhere' });
    expect(r.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(errorBodySchema.parse(r.json()).error).toMatchObject({
      code: 'NOT_FOUND',
      traceId: r.headers['x-trace-id'],
    });
    const proto = await t.hub.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":"a@b.co","password":"x","__proto__":{"admin":true}}',
    });
    expect(proto.statusCode).toBe(400);
    expect(proto.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });
  });
});
