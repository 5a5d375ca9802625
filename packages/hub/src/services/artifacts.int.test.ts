import {
  artifactSummarySchema,
  artifactViewSchema,
  errorBodySchema,
  jobViewSchema,
} from '@tessera/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../test/helpers/fake-node.js';
import { makeTestHub, TRACE, type TestHub } from '../../test/helpers/hub-fixture.js';
import {
  answerRound,
  roundsAlgorithms,
  type RoundsParams,
} from '../../test/helpers/rounds-algorithm.js';
import { TEST_DB_KINDS } from '../../test/helpers/test-db.js';

/*
 * A job's artifacts (issue 6): stored with the decision that made them, listed and read by the
 * project's members only (an admin who is not a member cannot), every read audited with its
 * trace id; an artifact over maxArtifactBytes fails the job and stores nothing of its decision.
 */
describe.each(TEST_DB_KINDS)('job artifacts on $name', (kind) => {
  let t: TestHub;
  afterEach(() => t.close());

  const start = async (maxArtifactBytes?: number) => {
    t = await makeTestHub({
      kind,
      algorithms: roundsAlgorithms,
      ...(maxArtifactBytes === undefined ? {} : { config: { maxArtifactBytes } }),
    });
    const s = await t.setUp(['alpha', 'beta']);
    const nodes = s.keys.map((k) => t.node(k.name, k.apiKey));
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
    return { s, nodes, submit };
  };

  /** A GET with an x-trace-id header, as a client that sets its own trace id. */
  const traced = async (url: string, token: string): Promise<Reply> => {
    const r = await t.hub.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${token}`, 'x-trace-id': TRACE },
    });
    return { status: r.statusCode, body: JSON.parse(r.body) as unknown };
  };

  it('lists and reads the models of a finished job, to members only, auditing each read', async () => {
    const { s, nodes, submit } = await start();
    const job = await submit({ rounds: 2 });
    await answerRound(nodes);
    await answerRound(nodes);
    const base = `/api/v1/jobs/${job.id}/artifacts`;
    const list = await t.req('GET', base, s.researcher);
    expect(list.status).toBe(200);
    const entries = artifactSummarySchema.array().parse(list.body);
    expect(entries.map((e) => e.name)).toEqual(['model/final', 'model/round-1', 'model/round-2']);
    const round1 = { round: 1, total: 11, sites: ['alpha', 'beta'] };
    expect(entries[1]!.bytes).toBe(Buffer.byteLength(JSON.stringify(round1)));

    const read = await traced(`${base}/model/round-1`, s.researcher);
    expect(read.status).toBe(200);
    const view = artifactViewSchema.parse(read.body);
    expect(view).toMatchObject({
      name: 'model/round-1',
      jobId: job.id,
      project: job.project,
      bytes: entries[1]!.bytes,
    });
    expect(view.body).toEqual(round1);
    // A client that encodes the name as one path segment reads the same artifact.
    const encoded = await t.req(
      'GET',
      `${base}/${encodeURIComponent('model/round-1')}`,
      s.researcher,
    );
    expect(artifactViewSchema.parse(encoded.body).body).toEqual(round1);
    const audit = await t.db.query<{ actor: string; details: string; trace_id: string }>(
      `SELECT actor, details, trace_id FROM audit_log
        WHERE action = 'job.artifact.read' AND trace_id = $1`,
      [TRACE],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.trace_id).toBe(TRACE);
    expect(audit[0]!.actor).toMatch(/^user:[0-9a-f-]{36}$/);
    expect(JSON.parse(audit[0]!.details)).toEqual({ name: 'model/round-1', bytes: view.bytes });

    // An observer member reads; the admin, not a member, cannot even learn the job exists.
    await t.req('POST', '/api/v1/users', s.admin, {
      email: 'o@example.org',
      role: 'observer',
      password: 'observer password 1',
    });
    await t.req('POST', '/api/v1/projects/p1/members', s.researcher, {
      email: 'o@example.org',
      role: 'observer',
    });
    const observer = await t.login('o@example.org', 'observer password 1');
    expect((await t.req('GET', `${base}/model/final`, observer)).status).toBe(200);
    for (const url of [base, `${base}/model/final`]) {
      const denied = await t.req('GET', url, s.admin);
      expect(denied.status).toBe(404);
      expect(errorBodySchema.parse(denied.body).error.message).toBe('no such job');
    }
    const missing = await t.req('GET', `${base}/model/round-9`, s.researcher);
    expect(missing.status).toBe(404);
    expect(errorBodySchema.parse(missing.body).error.message).toBe(
      'job has no artifact model/round-9',
    );
    expect((await t.req('GET', `${base}/Model/x`, s.researcher)).status).toBe(400);
    const reads = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'job.artifact.read'`,
    );
    expect(reads[0]!.n).toBe(3);
  });

  it('keeps the model of each round as its decision commits, while the job runs', async () => {
    const { s, nodes, submit } = await start();
    const job = await submit({ rounds: 3 });
    const names = async () =>
      artifactSummarySchema
        .array()
        .parse((await t.req('GET', `/api/v1/jobs/${job.id}/artifacts`, s.researcher)).body)
        .map((e) => e.name);
    expect(await names()).toEqual([]);
    await answerRound(nodes);
    expect(await names()).toEqual(['model/round-1']);
    await answerRound(nodes);
    expect(await names()).toEqual(['model/round-1', 'model/round-2']);
  });

  it('fails the job with ARTIFACT_TOO_LARGE and keeps nothing of that decision', async () => {
    const { s, nodes, submit } = await start(4096);
    const job = await submit({ rounds: 3, pad: { round: 2, bytes: 5000 } });
    await answerRound(nodes);
    await answerRound(nodes);
    const view = jobViewSchema.parse(
      (await t.req('GET', `/api/v1/jobs/${job.id}`, s.researcher)).body,
    );
    expect(view.status).toBe('failed');
    expect(view.error?.code).toBe('ARTIFACT_TOO_LARGE');
    expect(view.error?.reason).toMatch(
      /^artifact model\/round-2 is 50\d\d bytes, more than the hub's limit of 4096 bytes \(maxArtifactBytes\)$/,
    );
    // Round 1's decision committed; round 2's did not happen: its progress and model are absent.
    expect(view.round).toBe(2);
    expect(view.progress).toMatchObject({ round: 1 });
    const list = artifactSummarySchema
      .array()
      .parse((await t.req('GET', `/api/v1/jobs/${job.id}/artifacts`, s.researcher)).body);
    expect(list.map((e) => e.name)).toEqual(['model/round-1']);
  });
});
