import { jobViewSchema, type JobView } from '@tessera/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeNode } from '../../test/helpers/fake-node.js';
import { makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';
import {
  answerRound,
  roundsAlgorithms,
  type RoundEntry,
  type RoundsParams,
} from '../../test/helpers/rounds-algorithm.js';
import { TEST_DB_KINDS } from '../../test/helpers/test-db.js';
import { sweep } from './orchestrator.js';

/*
 * Steps that name their sites (issue 6: the clients sampled for a training round): tasks go to
 * the named trusts only, the step closes when they have answered or at its deadline, minSites
 * counts them, and a trust left out or timed out keeps its state and rejoins when named again.
 */
describe.each(TEST_DB_KINDS)('steps naming their sites on $name', (kind) => {
  let t: TestHub;
  afterEach(() => t.close());

  const start = async (o: { manual?: boolean } = {}) => {
    t = await makeTestHub({ kind, algorithms: roundsAlgorithms, ...o });
    const s = await t.setUp(['alpha', 'beta', 'gamma']);
    const nodes = s.keys.map((k) => t.node(k.name, k.apiKey)) as [FakeNode, FakeNode, FakeNode];
    for (const n of nodes) expect((await n.enrol()).status).toBe(200);
    const submit = async (params: Partial<RoundsParams>) => {
      const r = await t.req('POST', '/api/v1/jobs', s.researcher, {
        project: 'p1',
        algorithm: 'rounds',
        datasets: ['d'],
        params,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return jobViewSchema.parse(r.body);
    };
    const view = async (id: string): Promise<JobView> =>
      jobViewSchema.parse((await t.req('GET', `/api/v1/jobs/${id}`, s.researcher)).body);
    return { s, nodes, submit, view };
  };

  const tasksByRound = async (jobId: string) => {
    const rows = await t.db.query<{ round: number; name: string }>(
      `SELECT t.round, tr.name FROM tasks t JOIN trusts tr ON tr.id = t.trust_id
        WHERE t.job_id = $1 ORDER BY t.round, tr.name`,
      [jobId],
    );
    const out: string[][] = [];
    for (const r of rows) (out[r.round - 1] ??= []).push(r.name);
    return out;
  };

  it('dispatches each round only to the trusts it names; a trust left out rejoins when named', async () => {
    const { nodes, submit, view } = await start();
    const job = await submit({
      rounds: 3,
      plan: [['alpha', 'beta'], ['gamma', 'beta'], null],
    });
    // Round 1: gamma is not named, so its poll finds nothing.
    expect(await answerRound(nodes)).toEqual([
      { trust: 'alpha', round: 1 },
      { trust: 'beta', round: 1 },
    ]);
    // Round 2 goes to beta and gamma; alpha, left out, keeps its round-1 outcome.
    const during = await view(job.id);
    expect(during.sites).toEqual([
      { trust: 'alpha', status: 'ok' },
      { trust: 'beta', status: 'pending' },
      { trust: 'gamma', status: 'pending' },
    ]);
    expect(await answerRound(nodes)).toEqual([
      { trust: 'beta', round: 2 },
      { trust: 'gamma', round: 2 },
    ]);
    expect((await answerRound(nodes)).map((g) => g.trust)).toEqual(['alpha', 'beta', 'gamma']);
    const done = await view(job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
    expect((done.result as { rounds: RoundEntry[] }).rounds).toEqual([
      { round: 1, total: 11, sites: ['alpha', 'beta'] },
      { round: 2, total: 110, sites: ['beta', 'gamma'] },
      { round: 3, total: 111, sites: ['alpha', 'beta', 'gamma'] },
    ]);
    expect(await tasksByRound(job.id)).toEqual([
      ['alpha', 'beta'],
      ['beta', 'gamma'],
      ['alpha', 'beta', 'gamma'],
    ]);
    const audit = await t.db.query<{ details: string }>(
      `SELECT details FROM audit_log WHERE action = 'job.step' AND target = $1 ORDER BY seq`,
      [`job:${job.id}`],
    );
    expect(audit.map((a) => (JSON.parse(a.details) as { trusts: string[] }).trusts)).toEqual([
      ['alpha', 'beta'],
      ['beta', 'gamma'],
      ['alpha', 'beta', 'gamma'],
    ]);
  });

  it('closes a round without a trust whose task timed out while minSites holds; it gets the next round', async () => {
    const { nodes, submit, view } = await start({ manual: true });
    const job = await submit({ rounds: 3, minSites: 2, deadlineMs: 60_000 });
    // Round 1: gamma takes its task and never answers (a node killed mid-round).
    await answerRound(nodes, ['gamma']);
    expect((await view(job.id)).round).toBe(1);
    t.clock.advance!(60_001);
    await sweep(t.hub.deps, true);
    const after1 = await view(job.id);
    expect(after1.status).toBe('running');
    expect(after1.round).toBe(2);
    expect(after1.progress).toMatchObject({ round: 1, history: [{ round: 1, total: 11 }] });
    const round1 = await t.db.query<{ name: string; site_status: string; site_code: string }>(
      `SELECT tr.name, t.site_status, t.site_code FROM tasks t JOIN trusts tr ON tr.id = t.trust_id
        WHERE t.job_id = $1 AND t.round = 1 AND tr.name = 'gamma'`,
      [job.id],
    );
    expect(round1).toEqual([{ name: 'gamma', site_status: 'failed', site_code: 'NO_RESPONSE' }]);
    // Round 2: gamma is back and answers; round 3: only alpha answers, below minSites.
    expect(await answerRound(nodes)).toEqual([
      { trust: 'alpha', round: 2 },
      { trust: 'beta', round: 2 },
      { trust: 'gamma', round: 2 },
    ]);
    await answerRound(nodes, ['beta', 'gamma']);
    t.clock.advance!(60_001);
    await sweep(t.hub.deps, true);
    const failed = await view(job.id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('TOO_FEW_SITES');
    expect(failed.error?.reason).toMatch(/1 of 3 sites answered ok, 2 needed/);
    // What the finished rounds reported stays: progress and their models.
    expect(failed.progress).toMatchObject({
      round: 2,
      history: [
        { round: 1, total: 11, sites: ['alpha', 'beta'] },
        { round: 2, total: 111, sites: ['alpha', 'beta', 'gamma'] },
      ],
    });
    const names = await t.db.query<{ name: string }>(
      'SELECT name FROM job_artifacts WHERE job_id = $1 ORDER BY name',
      [job.id],
    );
    expect(names.map((n) => n.name)).toEqual(['model/round-1', 'model/round-2']);
  });

  it('fails the job with INVALID_DECISION when a step names a trust the job does not have', async () => {
    const { nodes, submit } = await start();
    const job = await submit({ rounds: 2, plan: [['alpha', 'zeta']] });
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('INVALID_DECISION');
    expect(job.error?.reason).toMatch(/"zeta", not among the job's trusts \(alpha, beta, gamma\)/);
    expect(await answerRound(nodes)).toEqual([]);
  });

  it('leaves out a named trust that was revoked, and fails when too few named trusts remain', async () => {
    const { s, nodes, submit } = await start();
    const trusts = await t.req('GET', '/api/v1/trusts', s.admin);
    const beta = (trusts.body as { id: string; name: string }[]).find((x) => x.name === 'beta');
    const revoked = await t.req('POST', `/api/v1/trusts/${beta!.id}/revoke`, s.admin, {});
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    const job = await submit({ rounds: 1, plan: [['alpha', 'beta']] });
    expect(job.status).toBe('running');
    const [alpha] = nodes;
    expect(await answerRound([alpha])).toEqual([{ trust: 'alpha', round: 1 }]);
    const audit = await t.db.query<{ details: string }>(
      `SELECT details FROM audit_log WHERE action = 'job.step' AND target = $1`,
      [`job:${job.id}`],
    );
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ trusts: ['alpha'], left: ['beta'] });
    const strict = await submit({ rounds: 1, minSites: 2, plan: [['alpha', 'beta']] });
    expect(strict.error).toEqual({
      code: 'TOO_FEW_SITES',
      reason: '1 enrolled site(s) of the 2 the step names in the project, 2 needed',
    });
  });
});
