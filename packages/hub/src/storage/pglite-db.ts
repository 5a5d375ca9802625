import { PGlite } from '@electric-sql/pglite';
import type { Db, Queryable } from './db.js';

/** A PGlite database that can also be dumped, to clone it cheaply (tests). */
export interface PgliteDb extends Db {
  /** A tarball of the data folder, for `openPgliteDb(undefined, { from })`. */
  dump(): Promise<Blob>;
}

/**
 * The embedded database: PostgreSQL compiled to WebAssembly, stored in `dataDir` (DESIGN "The
 * three parts"). One process owns the folder at a time. `dataDir` undefined keeps it in memory
 * (tests); `from` starts it as a copy of a dump, skipping the slow initdb.
 * @throws the PGlite error when the folder cannot be opened.
 */
export async function openPgliteDb(dataDir?: string, o: { from?: Blob } = {}): Promise<PgliteDb> {
  const pg = await PGlite.create({
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(o.from === undefined ? {} : { loadDataDir: o.from }),
  });
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
    dump: () => pg.dumpDataDir('none'),
  };
}
