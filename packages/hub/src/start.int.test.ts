import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePartyKeys, pinnedConnector, type TrustKeyResponse } from '@tessera/protocol';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubPaths, isHubDir } from './hub-dir.js';
import { initHub } from './init.js';
import { startHub, verifyHubAudit, type RunningHub } from './start.js';
import { openPgliteDb } from './storage/pglite-db.js';
import { createPgDatabase, TEST_PG_URL } from '../test/helpers/test-db.js';

/** A real hub folder and a real HTTPS listener on an ephemeral port. */
describe('hub init and start over HTTPS', () => {
  let dir: string;
  let init: { url: string; pin: string };
  let hub: RunningHub;
  let agent: Agent;
  let apiKey: string;
  const password = 'a long admin password';

  const call = async (method: 'GET' | 'POST', path: string, auth?: string, body?: unknown) => {
    const r = await request(`${hub.url}${path}`, {
      method,
      dispatcher: agent,
      headers: {
        ...(auth === undefined ? {} : { authorization: `Bearer ${auth}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.statusCode, headers: r.headers, body: await r.body.json() };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-hub-'));
    init = await initHub({
      dir,
      port: 0,
      adminEmail: 'admin@example.org',
      adminPassword: password,
    });
    hub = await startHub({ dir });
    agent = new Agent({ connect: pinnedConnector(hub.pin) as never });
  });
  afterAll(async () => {
    await agent.close();
    await hub.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a pin and a URL, writes the actual URL to run/hub.url, and keeps files private', async () => {
    expect(init.pin).toMatch(/^sha256\/[A-Za-z0-9+/]{43}=$/);
    expect(hub.pin).toBe(init.pin);
    expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(hub.url).not.toMatch(/:0$/);
    expect((await readFile(hubPaths(dir).url, 'utf8')).trim()).toBe(hub.url);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const f of ['hub.json', 'keys/seal.pem', 'keys/sign.pem', 'tls/key.pem']) {
      expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);
    }
    expect(isHubDir(dir)).toBe(true);
  });

  it('refuses to init a folder that already holds a hub, and a short password', async () => {
    await expect(
      initHub({ dir, adminEmail: 'a@example.org', adminPassword: password }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const other = await mkdtemp(join(tmpdir(), 'tessera-hub-'));
    await expect(
      initHub({ dir: other, adminEmail: 'a@example.org', adminPassword: 'short' }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(isHubDir(other)).toBe(false);
    await rm(other, { recursive: true, force: true });
  });

  it('refuses a second hub process on the same folder, and verifies the audit of a running hub', async () => {
    await expect(startHub({ dir })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await verifyHubAudit(dir)).toMatchObject({ ok: true, brokenAt: null });
    expect((await call('GET', '/api/v1/health')).status).toBe(200);
  });

  it('connects with the right pin and refuses a server whose key does not match the pin', async () => {
    const r = await call('GET', '/api/v1/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok' });
    expect(r.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    const wrong = new Agent({ connect: pinnedConnector(`sha256/${'A'.repeat(43)}=`) as never });
    const err = await request(`${hub.url}/api/v1/health`, { dispatcher: wrong }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'PIN_MISMATCH' });
    await wrong.close();
  });

  it('never stores a node API key: not in the data folder, not in a dump of the database', async () => {
    const token = (
      (
        await call('POST', '/api/v1/auth/login', undefined, {
          email: 'admin@example.org',
          password,
        })
      ).body as { token: string }
    ).token;
    const created = await call('POST', '/api/v1/trusts', token, { name: 'alpha' });
    expect(created.status).toBe(201);
    apiKey = (created.body as TrustKeyResponse).apiKey;
    const enrol = await call('POST', '/api/v1/node/enrol', apiKey, {
      type: 'enrol',
      keys: generatePartyKeys().public,
      software: 't',
    });
    expect(enrol.status).toBe(200);
    const poll = await call('POST', '/api/v1/node/poll', apiKey, { type: 'poll', waitMs: 0 });
    expect(poll.body).toMatchObject({ trust: { name: 'alpha' }, tasks: [] });
    await hub.close();

    const secretPart = apiKey.slice('tsk_'.length + 13); // the 256 random bits
    const hits: string[] = [];
    for (const f of await listFiles(dir)) {
      const bytes = await readFile(f);
      if (bytes.includes(apiKey) || bytes.includes(secretPart)) hits.push(f);
    }
    expect(hits).toEqual([]);
    const db = await openPgliteDb(hubPaths(dir).db);
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    let dump = '';
    for (const { table_name } of tables) {
      const rows = await db.query<{ j: string }>(
        `SELECT row_to_json(t)::text AS j FROM "${table_name}" t`,
      );
      dump += rows.map((r) => r.j).join('\n');
    }
    await db.close();
    expect(tables.length).toBeGreaterThanOrEqual(10);
    expect(dump).toContain(apiKey.slice(4, 16)); // the key id is stored (lookup)
    expect(dump).not.toContain(secretPart);
    expect(dump).not.toContain(password);
    expect(dump).not.toContain(token.slice('tss_'.length + 13));

    // The audit chain of the stopped hub verifies, and fails after one byte is changed.
    expect(await verifyHubAudit(dir)).toMatchObject({ ok: true, brokenAt: null });
    const db2 = await openPgliteDb(hubPaths(dir).db);
    await db2.query(
      `UPDATE audit_log SET details = replace(details, 'alpha', 'alphb') WHERE action = 'trust.create'`,
    );
    const seq = (
      await db2.query<{ seq: number }>(`SELECT seq FROM audit_log WHERE action = 'trust.create'`)
    )[0]!.seq;
    await db2.close();
    expect(await verifyHubAudit(dir)).toMatchObject({ ok: false, brokenAt: seq });

    // Restart works on the same folder (and close() is safe to call twice).
    hub = await startHub({ dir });
    expect((await call('GET', '/api/v1/health')).status).toBe(200);
  }, 120_000);

  it('refuses to start on an invalid hub.json, listing the problem', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'tessera-hub-'));
    await writeFile(
      join(bad, 'hub.json'),
      JSON.stringify({ version: 1, host: '127.0.0.1', port: 'x' }),
    );
    await expect(startHub({ dir: bad })).rejects.toThrow(/port/);
    await rm(bad, { recursive: true, force: true });
  });
});

/** `hub init --database-url` and `hub start` on PostgreSQL, when CI provides one. */
describe.each(TEST_PG_URL === undefined ? [] : ['postgres'])('a hub on %s', () => {
  it('initialises, serves and verifies its audit without an embedded database', async () => {
    const pg = await createPgDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'tessera-hub-pg-'));
    try {
      const init = await initHub({
        dir,
        port: 0,
        databaseUrl: pg.url,
        adminEmail: 'admin@example.org',
        adminPassword: 'a long admin password',
      });
      expect(await readdir(dir)).not.toContain('db');
      const hub = await startHub({ dir });
      const agent = new Agent({ connect: pinnedConnector(init.pin) as never });
      const r = await request(`${hub.url}/api/v1/health`, { dispatcher: agent });
      expect(r.statusCode).toBe(200);
      await r.body.dump();
      await agent.close();
      await hub.close();
      expect(await verifyHubAudit(dir)).toMatchObject({ ok: true, entries: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
      await pg.drop();
    }
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else out.push(p);
  }
  return out;
}
