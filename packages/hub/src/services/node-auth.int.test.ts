import { generatePartyKeys, issueSecret, type AuditEntry } from '@tessera/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';

/** The node API's key check (DESIGN "Node identity"). */
describe('node API keys', () => {
  let t: TestHub;
  let s: Awaited<ReturnType<TestHub['setUp']>>;
  const keys = generatePartyKeys().public;
  const enrol = (auth: string | undefined, address = '10.0.0.1') =>
    t.hub.app.inject({
      method: 'POST',
      url: '/api/v1/node/enrol',
      remoteAddress: address,
      headers: auth === undefined ? {} : { authorization: auth },
      payload: { type: 'enrol', keys, software: 't' },
    });
  const failures = async () =>
    ((await t.req('GET', '/api/v1/audit?limit=1000', s.admin)).body as AuditEntry[]).filter(
      (e) => e.action === 'node.auth.failed',
    );

  beforeAll(async () => {
    t = await makeTestHub({ config: { nodeAuthFailuresPerMinute: 5 } });
    s = await t.setUp(['alpha', 'beta']);
  });
  afterAll(() => t.close());

  it('accepts the right key and names the trust it matched', async () => {
    const r = await enrol(`Bearer ${s.keys[0]!.apiKey}`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ trust: { name: 'alpha' } });
  });

  it('refuses a wrong key with a known key id: 401 and an audit entry with the key id, never the key', async () => {
    const right = s.keys[0]!.apiKey;
    const keyId = right.split('_')[1]!;
    const wrong = `tsk_${keyId}_${issueSecret('node').secret.slice(17)}`;
    const r = await enrol(`Bearer ${wrong}`, '10.0.0.2');
    expect(r.statusCode).toBe(401);
    expect(r.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const last = (await failures()).at(-1)!;
    expect(last.details).toEqual({ keyId, address: '10.0.0.2', reason: 'wrong key' });
    expect(JSON.stringify(last)).not.toContain(wrong);
  });

  it('refuses a malformed key, a missing one and a session token: 401 and audited', async () => {
    const before = (await failures()).length;
    for (const auth of [
      'Bearer not-a-key',
      undefined,
      `Bearer ${s.admin}`,
      `Basic ${s.keys[0]!.apiKey}`,
    ]) {
      expect((await enrol(auth, '10.0.0.3')).statusCode).toBe(401);
    }
    const after = await failures();
    expect(after.length).toBe(before + 4);
    expect(after.at(-4)!.details).toMatchObject({ keyId: null, reason: 'malformed' });
  });

  it('refuses a revoked key, and a rotated-out key, and takes the new one', async () => {
    const beta = s.keys[1]!;
    const rotated = await t.req('POST', '/api/v1/trusts/beta/rotate-key', s.admin);
    expect(rotated.status).toBe(200);
    const fresh = (rotated.body as { apiKey: string }).apiKey;
    expect((await enrol(`Bearer ${beta.apiKey}`, '10.0.0.4')).statusCode).toBe(401);
    expect((await enrol(`Bearer ${fresh}`, '10.0.0.4')).statusCode).toBe(200);
    expect((await t.req('POST', `/api/v1/trusts/${beta.id}/revoke`, s.admin)).status).toBe(200);
    expect((await enrol(`Bearer ${fresh}`, '10.0.0.4')).statusCode).toBe(401);
    expect((await failures()).at(-1)!.details).toMatchObject({ reason: 'revoked' });
  });

  it('rate-limits an address after repeated failures with 429, leaving other addresses alone', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await enrol('Bearer junk', '10.9.9.9')).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect((await enrol(`Bearer ${s.keys[0]!.apiKey}`, '10.9.9.8')).statusCode).toBe(200);
  });

  it('answers 409 to other keys than the pinned ones until an admin resets them', async () => {
    const alpha = s.keys[0]!;
    const other = t.node('alpha', alpha.apiKey);
    expect((await other.enrol()).status).toBe(409);
    expect((await t.req('POST', '/api/v1/trusts/alpha/reset-keys', s.admin)).status).toBe(200);
    expect((await other.enrol()).status).toBe(200);
  });

  it('answers 409 to a poll before enrolment', async () => {
    const k = (await t.req('POST', '/api/v1/trusts', s.admin, { name: 'gamma' })).body as {
      apiKey: string;
    };
    const r = await t.hub.app.inject({
      method: 'POST',
      url: '/api/v1/node/poll',
      headers: { authorization: `Bearer ${k.apiKey}` },
      payload: { type: 'poll', waitMs: 0 },
    });
    expect(r.statusCode).toBe(409);
  });
});
