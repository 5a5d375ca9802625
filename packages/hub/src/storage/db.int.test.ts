import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB_KINDS } from '../../test/helpers/test-db.js';
import type { Db } from './db.js';
import { loadMigrations, migrate } from './migrate.js';

describe.each(TEST_DB_KINDS)('storage on $name', (kind) => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await kind.open());
  });
  afterAll(() => drop());

  it('records every committed migration once, and a second run applies nothing', async () => {
    const files = await loadMigrations();
    const rows = await db.query<{ version: string }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(files.map((f) => f.version));
    expect(await migrate(db)).toEqual([]);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    const now = new Date().toISOString();
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO users (id, email, role, password_hash, created_at)
         VALUES ('00000000-0000-4000-8000-000000000001', 'a@example.org', 'admin', 'x', $1)`,
        [now],
      );
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO users (id, email, role, password_hash, created_at)
           VALUES ('00000000-0000-4000-8000-000000000002', 'b@example.org', 'admin', 'x', $1)`,
          [now],
        );
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await db.query<{ email: string }>('SELECT email FROM users ORDER BY email');
    expect(rows.map((r) => r.email)).toEqual(['a@example.org']);
  });

  it('reports a transaction whose failed statement was caught as rolled back', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO users (id, email, role, password_hash, created_at)
           VALUES ('00000000-0000-4000-8000-000000000004', 'c@example.org', 'admin', 'x', now())`,
        );
        await tx.query('SELECT 1 / 0').catch(() => undefined);
      }),
    ).rejects.toThrow('rolled back');
    const rows = await db.query('SELECT 1 FROM users WHERE email = $1', ['c@example.org']);
    expect(rows).toEqual([]);
  });

  it('never runs a statement between the statements of a transaction', async () => {
    let inside = false;
    const seen: boolean[] = [];
    const tx = db.transaction(async (t) => {
      inside = true;
      await t.query('SELECT 1');
      await t.query('SELECT 2');
      inside = false;
    });
    const outside = db.query('SELECT 3').then(() => seen.push(inside));
    await Promise.all([tx, outside]);
    expect(seen).toEqual([false]);
  });

  it('returns timestamps, booleans, jsonb and integers as JS values', async () => {
    const rows = await db.query<{ t: unknown; b: boolean; j: unknown; n: number }>(
      `SELECT $1::timestamptz AS t, true AS b, $2::jsonb AS j, 42::int AS n`,
      ['2026-01-02T03:04:05.678Z', JSON.stringify({ x: [1, 0.1, 'y'] })],
    );
    const r = rows[0]!;
    expect(new Date(r.t as string).toISOString()).toBe('2026-01-02T03:04:05.678Z');
    expect(r.b).toBe(true);
    expect(r.j).toEqual({ x: [1, 0.1, 'y'] });
    expect(r.n).toBe(42);
  });

  it('refuses a second user with the same email (unique constraint, SQLSTATE 23505)', async () => {
    await expect(
      db.query(
        `INSERT INTO users (id, email, role, password_hash, created_at)
         VALUES ('00000000-0000-4000-8000-000000000003', 'a@example.org', 'admin', 'x', now())`,
      ),
    ).rejects.toMatchObject({ code: '23505' });
  });
});
