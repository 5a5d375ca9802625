import { jobViewSchema, verifyJson, type TaskEnvelope } from '@tessera/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';
import type { FakeNode } from '../../test/helpers/fake-node.js';
import { sweep } from '../orchestrator/orchestrator.js';

/** Leases, redelivery, deadlines and late results, with an injected clock. */
describe('task queue and step deadlines', () => {
  let t: TestHub;
  afterEach(() => t.close());

  async function start(params: Record<string, unknown>) {
    t = await makeTestHub({ manual: true, config: { leaseMs: 60_000, stepDeadlineMs: 600_000 } });
    const s = await t.setUp(['alpha', 'beta']);
    const nodes = s.keys.map((k) => t.node(k.name, k.apiKey));
    for (const n of nodes) await n.enrol();
    const r = await t.req('POST', '/api/v1/jobs', s.researcher, {
      project: 'p1',
      algorithm: 'two-step',
      datasets: ['d'],
      params,
    });
    const job = jobViewSchema.parse(r.body);
    return { s, nodes: nodes as [FakeNode, FakeNode], job };
  }
  const ok = (n: FakeNode, task: TaskEnvelope, value: number) =>
    n.submit(n.result(task, { taskId: task.header.taskId, status: 'ok', output: { n: value } }));

  it('offers a leased task again after its lease expires, same id, attempt 2, freshly signed', async () => {
    const { nodes } = await start({ weight: 1 });
    const [alpha] = nodes;
    const first = (await alpha.poll())[0]!;
    expect(first.header.attempt).toBe(1);
    expect(await alpha.poll()).toEqual([]);
    t.clock.advance!(59_000);
    expect(await alpha.poll()).toEqual([]);
    t.clock.advance!(1_001);
    const again = (await alpha.poll())[0]!;
    expect(again.header.taskId).toBe(first.header.taskId);
    expect(again.header.attempt).toBe(2);
    expect(again.header.leaseExpiresAt > first.header.leaseExpiresAt).toBe(true);
    expect(again.sig).not.toBe(first.sig);
    expect(
      verifyJson({ header: again.header, sealed: again.sealed }, again.sig, alpha.hubKeys!.sign),
    ).toBe(true);
    expect(alpha.open(again).taskId).toBe(first.header.taskId);
    // The first result wins; a second one for the same task is a duplicate.
    expect((await ok(alpha, again, 5)).body).toMatchObject({ duplicate: false });
    expect((await ok(alpha, first, 6)).body).toMatchObject({ duplicate: true });
  });

  it('fails a job at the deadline naming the site that never answered (NO_RESPONSE)', async () => {
    const { s, nodes, job } = await start({ weight: 1, minSites: 2 });
    const [alpha, beta] = nodes;
    const task = (await alpha.poll())[0]!;
    await ok(alpha, task, 10);
    await beta.poll();
    t.clock.advance!(600_001);
    await sweep(t.hub.deps, false);
    const view = jobViewSchema.parse(
      (await t.req('GET', `/api/v1/jobs/${job.id}`, s.researcher)).body,
    );
    expect(view.status).toBe('failed');
    expect(view.error?.code).toBe('TOO_FEW_SITES');
    expect(view.error?.reason).toContain('beta: failed NO_RESPONSE');
    expect(view.sites).toEqual([
      { trust: 'alpha', status: 'ok' },
      {
        trust: 'beta',
        status: 'failed',
        code: 'NO_RESPONSE',
        reason: 'the site did not answer before the deadline',
      },
    ]);
  });

  it('aggregates without a silent site when quorum allows, and answers its late result with 409', async () => {
    const { s, nodes, job } = await start({ weight: 2, minSites: 1 });
    const [alpha, beta] = nodes;
    const late = (await beta.poll())[0]!;
    await ok(alpha, (await alpha.poll())[0]!, 7);
    t.clock.advance!(600_001);
    await sweep(t.hub.deps, false);
    // Beta's round-1 task is closed; its late result must not count.
    const r2 = (await alpha.poll())[0]!;
    expect(r2.header.round).toBe(2);
    expect((await ok(beta, late, 3)).status).toBe(409);
    await ok(alpha, r2, 14);
    t.clock.advance!(600_001);
    await sweep(t.hub.deps, false);
    const view = jobViewSchema.parse(
      (await t.req('GET', `/api/v1/jobs/${job.id}`, s.researcher)).body,
    );
    expect(view.status).toBe('succeeded');
    expect(view.result).toEqual({ n: 7, weighted: 14, sites: 1 });
    expect(view.sites.find((x) => x.trust === 'beta')).toMatchObject({
      status: 'failed',
      code: 'NO_RESPONSE',
    });
  });

  it('reports a refusing site with its code and reason', async () => {
    const { s, nodes, job } = await start({ weight: 1, minSites: 2 });
    const [alpha, beta] = nodes;
    await ok(alpha, (await alpha.poll())[0]!, 50);
    const task = (await beta.poll())[0]!;
    await beta.submit(
      beta.result(task, {
        taskId: task.header.taskId,
        status: 'refused',
        code: 'MIN_COUNT',
        reason: '4 rows, minCount 10',
      }),
    );
    const view = jobViewSchema.parse(
      (await t.req('GET', `/api/v1/jobs/${job.id}`, s.researcher)).body,
    );
    expect(view.status).toBe('failed');
    expect(view.sites[1]).toEqual({
      trust: 'beta',
      status: 'refused',
      code: 'MIN_COUNT',
      reason: '4 rows, minCount 10',
    });
    expect(view.error?.reason).toContain('beta: refused MIN_COUNT (4 rows, minCount 10)');
  });
});
