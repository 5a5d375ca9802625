import { jobViewSchema } from '@tessera/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeNode } from '../../test/helpers/fake-node.js';
import { makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';
import { TEST_DB_KINDS } from '../../test/helpers/test-db.js';
import { sweep } from './orchestrator.js';

/*
 * A hub that dies mid-job resumes from the database alone: a step whose results all arrived
 * before the crash is aggregated at start-up, exactly once; an open step keeps its deadline.
 */
describe.each(TEST_DB_KINDS)('resuming jobs after a restart on $name', (kind) => {
  let t: TestHub;
  afterEach(() => t.close());

  it('aggregates a step completed before the crash and finishes the job', async () => {
    t = await makeTestHub({ kind, manual: true });
    const s = await t.setUp(['alpha', 'beta']);
    const [alpha, beta] = s.keys.map((k) => t.node(k.name, k.apiKey)) as [FakeNode, FakeNode];
    await alpha.enrol();
    await beta.enrol();
    const job = jobViewSchema.parse(
      (
        await t.req('POST', '/api/v1/jobs', s.researcher, {
          project: 'p1',
          algorithm: 'two-step',
          datasets: ['d'],
          params: { weight: 2, minSites: 2 },
        })
      ).body,
    );
    const a1 = (await alpha.poll())[0]!;
    await alpha.submit(
      alpha.result(a1, { taskId: a1.header.taskId, status: 'ok', output: { n: 30 } }),
    );
    const b1 = (await beta.poll())[0]!;
    // The hub stored beta's result and died before closing the step (what submitResult commits
    // first): the state a SIGKILL between the two transactions leaves behind.
    await t.db.query(
      `UPDATE tasks SET status = 'done', result = $2::jsonb, site_status = 'ok', done_at = now()
        WHERE id = $1`,
      [
        b1.header.taskId,
        JSON.stringify({ taskId: b1.header.taskId, status: 'ok', output: { n: 12 } }),
      ],
    );
    await t.restart();
    const a2 = (await alpha.poll())[0]!;
    const b2 = (await beta.poll())[0]!;
    expect([a2.header.round, b2.header.round]).toEqual([2, 2]);
    // A second sweep (another process, a timer) must not aggregate round 1 again.
    await sweep(t.hub.deps, true);
    const rounds = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tasks WHERE job_id = $1 AND round = 2',
      [job.id],
    );
    expect(rounds[0]!.n).toBe(2);
    await t.restart();
    // Tasks leased before the restart come back once their lease expires.
    t.clock.advance!(60_001);
    const a2again = (await alpha.poll())[0]!;
    expect(a2again.header).toMatchObject({ taskId: a2.header.taskId, attempt: 2 });
    await alpha.submit(
      alpha.result(a2again, {
        taskId: a2.header.taskId,
        status: 'ok',
        output: alpha.open(a2again).input,
      }),
    );
    await beta.submit(
      beta.result(b2, { taskId: b2.header.taskId, status: 'ok', output: { n: 84 } }),
    );
    const view = jobViewSchema.parse(
      (await t.req('GET', `/api/v1/jobs/${job.id}`, s.researcher)).body,
    );
    expect(view.status).toBe('succeeded');
    // round 1: n = 30 + 12; round 2: alpha echoed the hub's input {n: 42}, beta sent 84.
    expect(view.result).toEqual({ n: 42, weighted: 126, sites: 2 });
    const audit = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'job.step' AND target = $1`,
      [`job:${job.id}`],
    );
    expect(audit[0]!.n).toBe(2);
  });
});
