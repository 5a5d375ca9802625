import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

/** The committed migrations, resolved from this module so it works from src/ and dist/ alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

const FILE_RE = /^(\d{3})_([a-z0-9_]+)\.sql$/;
// Any constant: serialises migrations of several hub processes sharing one PostgreSQL.
const MIGRATION_LOCK = 7_301_001;

export interface Migration {
  readonly version: string;
  readonly name: string;
  readonly sql: string;
}

/** Reads `NNN_name.sql` files in order. @throws when a file name does not fit the pattern. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const out: Migration[] = [];
  for (const f of files) {
    const m = FILE_RE.exec(f);
    if (m?.[1] === undefined || m[2] === undefined) throw new Error(`bad migration name ${f}`);
    out.push({ version: m[1], name: m[2], sql: await readFile(`${dir}/${f}`, 'utf8') });
  }
  return out;
}

/**
 * Applies every migration not yet recorded in schema_migrations, each in its own transaction,
 * in order. Returns the versions applied now.
 * @throws the driver's error; the failing migration is rolled back, earlier ones stay.
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version text PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const applied: string[] = [];
  for (const m of await loadMigrations(dir)) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [
        m.version,
      ]);
      if (seen.length > 0) return false;
      await runScript(tx, m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}

async function runScript(tx: { query: Db['query'] }, sql: string): Promise<void> {
  // Statements are split on `;` at line ends: migrations hold no functions or quoted semicolons.
  const statements = sql
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
  for (const s of statements) await tx.query(s);
}
