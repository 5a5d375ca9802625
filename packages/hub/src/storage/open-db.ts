import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { openPgliteDb } from './pglite-db.js';
import { openPostgresDb } from './pg-db.js';

/**
 * Opens the hub's database: PostgreSQL when a URL is configured, else PGlite in `pgliteDir`, and
 * brings its schema up to date.
 * @throws the driver's error when it cannot connect or a migration fails.
 */
export async function openHubDb(o: { databaseUrl: string | null; pgliteDir: string }): Promise<Db> {
  const db =
    o.databaseUrl === null ? await openPgliteDb(o.pgliteDir) : await openPostgresDb(o.databaseUrl);
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}
