import { errorBodySchema, type AuditEntry } from '@tessera/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';

/** Sign-in, sessions, throttling and the HTTP edge (DESIGN "Users", "Input"). */
describe('sign-in and the HTTP edge', () => {
  let t: TestHub;
  const login = (email: string, password: string, address = '10.1.1.1') =>
    t.hub.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: address,
      payload: { email, password },
    });

  beforeAll(async () => {
    t = await makeTestHub({
      manual: true,
      config: { loginFailuresPerWindow: 3, bodyLimitBytes: 4096 },
    });
  });
  afterAll(() => t.close());

  it('signs in, answers /me, and ends the session at logout', async () => {
    const r = await login(ADMIN.email.toUpperCase(), ADMIN.password);
    expect(r.statusCode).toBe(200);
    const { token, user } = r.json<{ token: string; user: { email: string; role: string } }>();
    expect(token).toMatch(/^tss_/);
    expect(user).toMatchObject({ email: ADMIN.email, role: 'admin' });
    expect((await t.req('GET', '/api/v1/me', token)).body).toMatchObject({ email: ADMIN.email });
    expect((await t.req('POST', '/api/v1/auth/logout', token)).status).toBe(204);
    expect((await t.req('GET', '/api/v1/me', token)).status).toBe(401);
  });

  it('expires a session after 12 hours', async () => {
    const token = await t.login(ADMIN.email, ADMIN.password);
    t.clock.advance!(12 * 3_600_000 - 1_000);
    expect((await t.req('GET', '/api/v1/me', token)).status).toBe(200);
    t.clock.advance!(2_000);
    expect((await t.req('GET', '/api/v1/me', token)).status).toBe(401);
  });

  it('gives the same answer for an unknown account and a wrong password, and audits both', async () => {
    const unknown = await login('nobody@example.org', 'whatever whatever', '10.1.1.2');
    const wrong = await login(ADMIN.email, 'not the password', '10.1.1.3');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    const strip = (b: unknown) => ({ ...errorBodySchema.parse(b).error, traceId: undefined });
    expect(strip(unknown.json())).toEqual(strip(wrong.json()));
    const admin = await t.login(ADMIN.email, ADMIN.password);
    const audit = (await t.req('GET', '/api/v1/audit?limit=1000', admin)).body as AuditEntry[];
    const failed = audit.filter((e) => e.action === 'auth.login.failed');
    expect(failed.map((e) => e.details.address)).toEqual(['10.1.1.2', '10.1.1.3']);
    expect(JSON.stringify(failed)).not.toContain('not the password');
  });

  it('throttles sign-in per email, even with the right password, until the window passes', async () => {
    await t.req('POST', '/api/v1/users', await t.login(ADMIN.email, ADMIN.password), {
      email: 'victim@example.org',
      role: 'researcher',
      password: 'victim password 1',
    });
    const codes: number[] = [];
    for (let i = 0; i < 3; i++)
      codes.push((await login('victim@example.org', 'guess guess', `10.2.0.${i}`)).statusCode);
    codes.push((await login('victim@example.org', 'victim password 1', '10.2.0.9')).statusCode);
    expect(codes).toEqual([401, 401, 401, 429]);
    t.clock.advance!(15 * 60_000 + 1);
    expect((await login('victim@example.org', 'victim password 1', '10.2.0.9')).statusCode).toBe(
      200,
    );
  });

  it('throttles sign-in per client address across emails', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push((await login(`u${i}@example.org`, 'guess guess', '10.3.0.1')).statusCode);
    expect(codes).toEqual([401, 401, 401, 429]);
  });

  it('refuses a body over the limit with 413, bad JSON and unknown fields with 400 listing paths', async () => {
    const big = await t.hub.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(5000) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    const broken = await t.hub.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(broken.statusCode).toBe(400);
    const extra = await login('a@b.co', 'x');
    expect(extra.statusCode).toBe(401);
    const token = await t.login(ADMIN.email, ADMIN.password);
    const r = await t.req('POST', '/api/v1/users', token, {
      email: 'bad',
      role: 'king',
      password: 'short',
      extra: 1,
    });
    expect(r.status).toBe(400);
    const paths = (errorBodySchema.parse(r.body).error.details?.issues as { path: string }[]).map(
      (i) => i.path,
    );
    expect(paths).toEqual(expect.arrayContaining(['email', 'role', 'password']));
  });

  it('takes a valid x-trace-id from the client, puts it on audit entries and log lines', async () => {
    const traceId = 'fedcba9876543210fedcba9876543210';
    const r = await t.hub.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-trace-id': traceId },
      payload: { email: ADMIN.email, password: ADMIN.password },
    });
    expect(r.headers['x-trace-id']).toBe(traceId);
    const admin = await t.login(ADMIN.email, ADMIN.password);
    const audit = (await t.req('GET', '/api/v1/audit?limit=1000', admin)).body as AuditEntry[];
    expect(audit.some((e) => e.action === 'auth.login' && e.traceId === traceId)).toBe(true);
    expect(t.logs.some((l) => l.includes(`"traceId":"${traceId}"`))).toBe(true);
    const bogus = await t.hub.app.inject({
      method: 'GET',
      url: '/api/v1/health',
      headers: { 'x-trace-id': 'x; drop' },
    });
    expect(bogus.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('lets only admins manage users and trusts', async () => {
    const admin = await t.login(ADMIN.email, ADMIN.password);
    await t.req('POST', '/api/v1/users', admin, {
      email: 'obs@example.org',
      role: 'observer',
      password: 'observer pass 1',
    });
    const obs = await t.login('obs@example.org', 'observer pass 1');
    expect((await t.req('GET', '/api/v1/users', obs)).status).toBe(403);
    expect((await t.req('POST', '/api/v1/trusts', obs, { name: 'x' })).status).toBe(403);
    expect((await t.req('GET', '/api/v1/trusts', obs)).status).toBe(403);
    expect((await t.req('POST', '/api/v1/projects', obs, { name: 'x' })).status).toBe(403);
    expect((await t.req('GET', '/api/v1/audit', obs)).status).toBe(403);
    expect((await t.req('GET', '/api/v1/users', admin)).status).toBe(200);
  });
});
