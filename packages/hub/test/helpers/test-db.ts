import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../../src/storage/db.js';
import { migrate } from '../../src/storage/migrate.js';
import { openPgliteDb } from '../../src/storage/pglite-db.js';
import { openPostgresDb } from '../../src/storage/pg-db.js';

/** The PostgreSQL server for storage tests, when CI provides one. */
export const TEST_PG_URL = process.env.TESSERA_TEST_DATABASE_URL;

export interface TestDbKind {
  readonly name: 'pglite' | 'postgres';
  /** A fresh, migrated database; `drop` closes it and removes what it created. */
  open(): Promise<{ db: Db; url: string | null; drop: () => Promise<void> }>;
}

let template: Promise<Blob> | undefined;
/** A migrated empty database, made once per test file and cloned, since initdb is slow. */
function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const db = await openPgliteDb();
    await migrate(db);
    const dump = await db.dump();
    await db.close();
    return dump;
  })();
  return template;
}

const pglite: TestDbKind = {
  name: 'pglite',
  async open() {
    const db = await openPgliteDb(undefined, { from: await pgliteTemplate() });
    return { db, url: null, drop: () => db.close() };
  },
};

/** A fresh PostgreSQL database per call, dropped afterwards, so test files never share state. */
export async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (TEST_PG_URL === undefined) throw new Error('TESSERA_TEST_DATABASE_URL is not set');
  const name = `tessera_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

const postgres: TestDbKind = {
  name: 'postgres',
  async open() {
    const created = await createPgDatabase();
    const db = await openPostgresDb(created.url, 4);
    await migrate(db);
    return {
      db,
      url: created.url,
      async drop() {
        await db.close();
        await created.drop();
      },
    };
  },
};

/** PGlite always; PostgreSQL as well when TESSERA_TEST_DATABASE_URL is set. */
export const TEST_DB_KINDS: readonly TestDbKind[] =
  TEST_PG_URL === undefined ? [pglite] : [pglite, postgres];
