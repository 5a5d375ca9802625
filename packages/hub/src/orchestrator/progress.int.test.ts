import { errorBodySchema, jobViewSchema } from '@tessera/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';
import { answerRound, roundsAlgorithms } from '../../test/helpers/rounds-algorithm.js';
import { TEST_DB_KINDS } from '../../test/helpers/test-db.js';
import { topics } from '../events.js';

/*
 * Progress of a running job (issue 6): each decision's progress is stored on the job and shown in
 * its view; a client waiting with ?wait=…&sinceRound=R is answered as soon as the next step opens,
 * so it sees every round without polling in a loop.
 */
describe.each(TEST_DB_KINDS)('job progress on $name', (kind) => {
  let t: TestHub;
  afterEach(() => t.close());

  const start = async () => {
    t = await makeTestHub({ kind, algorithms: roundsAlgorithms });
    const s = await t.setUp(['alpha', 'beta']);
    const nodes = s.keys.map((k) => t.node(k.name, k.apiKey));
    for (const n of nodes) expect((await n.enrol()).status).toBe(200);
    const r = await t.req('POST', '/api/v1/jobs', s.researcher, {
      project: 'p1',
      algorithm: 'rounds',
      datasets: ['d'],
      params: { rounds: 3 },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return { s, nodes, job: jobViewSchema.parse(r.body) };
  };

  it('stores the progress of every decision and shows it in the job view', async () => {
    const { s, nodes, job } = await start();
    expect(job.progress).toEqual({ round: 0, rounds: 3, history: [] });
    await answerRound(nodes);
    const listed = jobViewSchema
      .array()
      .parse((await t.req('GET', '/api/v1/jobs?project=p1', s.researcher)).body);
    expect(listed[0]!.progress).toEqual({
      round: 1,
      rounds: 3,
      history: [{ round: 1, total: 11, sites: ['alpha', 'beta'] }],
    });
    await answerRound(nodes);
    await answerRound(nodes);
    // 'done' has no progress of its own: the last one stays with the finished job.
    const done = jobViewSchema.parse(
      (await t.req('GET', `/api/v1/jobs/${job.id}`, s.researcher)).body,
    );
    expect(done.status).toBe('succeeded');
    expect(done.progress).toMatchObject({ round: 2, rounds: 3 });
  });

  it('answers a client waiting since round R when round R + 1 opens, with its progress', async () => {
    const { s, nodes, job } = await start();
    const url = `/api/v1/jobs/${job.id}?wait=30000&sinceRound=${String(job.round)}`;
    // Both listen before the round closes; the notification must reach them (else the test
    // times out: the event waiter below has a 10-minute timer of its own).
    const notified = t.hub.deps.events.wait(topics.job(job.id), 600_000);
    const waiting = t.req('GET', url, s.researcher);
    await answerRound(nodes);
    await notified;
    const seen = jobViewSchema.parse((await waiting).body);
    expect(seen.status).toBe('running');
    expect(seen.round).toBe(job.round + 1);
    expect(seen.progress).toMatchObject({ round: 1, history: [{ round: 1, total: 11 }] });
    // Already past sinceRound: answered at once, however long the wait.
    const past = await t.req('GET', `/api/v1/jobs/${job.id}?wait=30000&sinceRound=0`, s.researcher);
    expect(jobViewSchema.parse(past.body).round).toBe(seen.round);
    // Nothing new: held for the wait, then answered with the same round.
    const held = await t.req(
      'GET',
      `/api/v1/jobs/${job.id}?wait=50&sinceRound=${String(seen.round)}`,
      s.researcher,
    );
    expect(jobViewSchema.parse(held.body)).toMatchObject({ status: 'running', round: seen.round });
  });

  it('refuses a malformed wait query, naming the field', async () => {
    const { s, job } = await start();
    const r = await t.req('GET', `/api/v1/jobs/${job.id}?sinceRound=-1`, s.researcher);
    expect(r.status).toBe(400);
    expect(JSON.stringify(errorBodySchema.parse(r.body).error)).toMatch(/sinceRound/);
  });
});
