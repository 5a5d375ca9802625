import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable } from './db.js';

/**
 * The embedded database: PostgreSQL compiled to WebAssembly, stored in `dataDir` (DESIGN "The
 * three parts"). One process owns the folder at a time. `dataDir` undefined keeps it in memory
 * (tests).
 * @throws the PGlite error when the folder cannot be opened.
 */
export async function openPgliteDb(dataDir?: string): Promise<Db> {
  const pg = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  const wrap = (q: Pick<PGlite, 'query'>): Queryable => ({
    async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      const r = await q.query<T>(sql, [...params]);
      return r.rows;
    },
  });
  const base = wrap(pg);
  return {
    kind: 'pglite',
    query: (sql, params) => base.query(sql, params),
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    close: async () => {
      if (!pg.closed) await pg.close();
    },
  };
}
