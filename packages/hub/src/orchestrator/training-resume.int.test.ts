import { jobViewSchema } from '@tessera/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeNode } from '../../test/helpers/fake-node.js';
import { makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';
import { answerRound, roundsAlgorithms, X_OF } from '../../test/helpers/rounds-algorithm.js';
import { TEST_DB_KINDS } from '../../test/helpers/test-db.js';

/*
 * A training job survives hub restarts (issue 6): state, progress and the round's model commit
 * with each decision, so a restarted hub resumes from the last finished round — re-dispatching
 * the open step, or closing at start-up a step whose results all arrived before the crash — and
 * every round runs, and keeps its model, exactly once.
 */
describe.each(TEST_DB_KINDS)('resuming a training job on $name', (kind) => {
  let t: TestHub;
  afterEach(() => t.close());

  it('finishes rounds 1…4 exactly once across restarts, with every round’s model', async () => {
    t = await makeTestHub({ kind, manual: true, algorithms: roundsAlgorithms });
    const s = await t.setUp(['alpha', 'beta', 'gamma']);
    const [alpha, beta, gamma] = s.keys.map((k) => t.node(k.name, k.apiKey)) as [
      FakeNode,
      FakeNode,
      FakeNode,
    ];
    for (const n of [alpha, beta, gamma]) expect((await n.enrol()).status).toBe(200);
    const r = await t.req('POST', '/api/v1/jobs', s.researcher, {
      project: 'p1',
      algorithm: 'rounds',
      datasets: ['d'],
      params: { rounds: 4, minSites: 3 },
    });
    const job = jobViewSchema.parse(r.body);
    const view = async () =>
      jobViewSchema.parse((await t.req('GET', `/api/v1/jobs/${job.id}`, s.researcher)).body);

    // Round 1, then a restart between rounds: round 2 is still open and offered again.
    await answerRound([alpha, beta, gamma]);
    await t.restart();
    expect((await view()).progress).toMatchObject({ round: 1 });

    // Round 2: alpha and beta answer; gamma's result is stored and the hub dies before it
    // closes the step (what a SIGKILL between submitResult's two transactions leaves).
    const [g2] = await gamma.poll();
    await answerRound([alpha, beta]);
    expect((await view()).round).toBe(2);
    await t.db.query(
      `UPDATE tasks SET status = 'done', result = $2::jsonb, site_status = 'ok', done_at = now()
        WHERE id = $1`,
      [
        g2!.header.taskId,
        JSON.stringify({ taskId: g2!.header.taskId, status: 'ok', output: { x: X_OF.gamma } }),
      ],
    );
    await t.restart();
    // Start-up closed round 2; round 3 is open, with round 2's progress and model.
    const resumed = await view();
    expect(resumed.round).toBe(3);
    expect(resumed.progress).toMatchObject({ round: 2 });

    await answerRound([alpha, beta, gamma]);
    // Round 4 is taken by every node and the hub restarts before any answer: the open step is
    // offered again once the leases run out, the same tasks (attempt 2).
    const taken = await Promise.all([alpha, beta, gamma].map((n) => n.poll()));
    await t.restart();
    expect(await answerRound([alpha, beta, gamma])).toEqual([]);
    t.clock.advance!(60_001);
    const nodes = [alpha, beta, gamma];
    const again = await Promise.all(nodes.map((n) => n.poll()));
    expect(again.map((a) => [a[0]?.header.taskId, a[0]?.header.attempt])).toEqual(
      taken.map((a) => [a[0]?.header.taskId, 2]),
    );
    for (const [i, n] of nodes.entries()) {
      const task = again[i]![0]!;
      const output = { x: X_OF[n.name] };
      const sent = await n.submit(
        n.result(task, { taskId: task.header.taskId, status: 'ok', output }),
      );
      expect(sent.status).toBe(200);
    }

    const done = await view();
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    const result = done.result as { rounds: { round: number; total: number }[] };
    expect(result.rounds).toEqual([
      { round: 1, total: 111, sites: ['alpha', 'beta', 'gamma'] },
      { round: 2, total: 111, sites: ['alpha', 'beta', 'gamma'] },
      { round: 3, total: 111, sites: ['alpha', 'beta', 'gamma'] },
      { round: 4, total: 111, sites: ['alpha', 'beta', 'gamma'] },
    ]);
    const artifacts = await t.db.query<{ name: string; body: { round: number } }>(
      'SELECT name, body FROM job_artifacts WHERE job_id = $1 ORDER BY name',
      [job.id],
    );
    expect(artifacts.map((a) => [a.name, a.body.round])).toEqual([
      ['model/final', 4],
      ['model/round-1', 1],
      ['model/round-2', 2],
      ['model/round-3', 3],
      ['model/round-4', 4],
    ]);
    // One step opened per round, one task per trust and round: nothing ran twice.
    const steps = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'job.step' AND target = $1`,
      [`job:${job.id}`],
    );
    expect(steps[0]!.n).toBe(4);
    const tasks = await t.db.query<{ round: number; n: number }>(
      'SELECT round, count(*)::int AS n FROM tasks WHERE job_id = $1 GROUP BY round ORDER BY round',
      [job.id],
    );
    expect(tasks).toEqual([1, 2, 3, 4].map((round) => ({ round, n: 3 })));
  });
});
