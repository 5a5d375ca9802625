import { PGlite, parse, protocol } from '@electric-sql/pglite';
import type { Db, Queryable } from './db.js';
import { createStatementCache, type Statement } from './statement-cache.js';

/** A PGlite database that can also be dumped, to clone it cheaply (tests). */
export interface PgliteDb extends Db {
  /** A tarball of the data folder, for `openPgliteDb(undefined, { from })`. */
  dump(): Promise<Blob>;
}

/**
 * The embedded database: PostgreSQL compiled to WebAssembly, stored in `dataDir` (DESIGN "The
 * three parts"). One process owns the folder at a time. `dataDir` undefined keeps it in memory
 * (tests); `from` starts it as a copy of a dump, skipping the slow initdb.
 *
 * Statements go to PGlite as one extended-protocol message each (parse, bind, describe, execute,
 * sync): one call into the WebAssembly instead of the six PGlite's own `query` makes, which halves
 * the cost of a small statement; each distinct statement is prepared once under a name, which
 * saves planning it again on every call. Parameters are sent as text and typed by the server, as SQL
 * written for node-postgres expects. Writes reach the data folder as each call returns (NODEFS),
 * so a killed process keeps every committed transaction.
 * @throws the PGlite error when the folder cannot be opened.
 */
export async function openPgliteDb(dataDir?: string, o: { from?: Blob } = {}): Promise<PgliteDb> {
  const pg = await PGlite.create({
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(o.from === undefined ? {} : { loadDataDir: o.from }),
  });
  const statements = createStatementCache();
  const run: Run = async (sql, params = []) => {
    const st = statements.lookup(sql);
    const message = statementMessage(st, sql, params);
    const r = await pg
      .runExclusive(() => pg.execProtocol(message))
      .catch((e: unknown) => {
        // Its parse may have failed: parse it again, under a new name, next time.
        if (!st.prepared) statements.forget(sql);
        throw e;
      });
    const results = parse.parseResults(r.messages, pg.parsers);
    return { rows: results[0]?.rows ?? [], command: results[0]?.command };
  };
  // Our own lock: a statement outside a transaction must never run between another's statements.
  const lock = createLock();
  return {
    kind: 'pglite',
    query: <T extends object>(sql: string, params?: readonly unknown[]) =>
      lock(async () => (await run(sql, params)).rows as T[]),
    transaction: (fn) => lock(() => inTransaction(run, fn)),
    close: async () => {
      if (!pg.closed) await pg.close();
    },
    dump: () => pg.dumpDataDir('none'),
  };
}

type Run = (
  sql: string,
  params?: readonly unknown[],
) => Promise<{ rows: object[]; command: string | undefined }>;

async function inTransaction<R>(run: Run, fn: (tx: Queryable) => Promise<R>): Promise<R> {
  let open = true;
  const tx: Queryable = {
    async query<T extends object>(sql: string, params?: readonly unknown[]) {
      if (!open) throw new Error('the transaction is closed');
      return (await run(sql, params)).rows as T[];
    },
  };
  await run('BEGIN');
  try {
    const out = await fn(tx);
    open = false;
    // COMMIT of a transaction a failed statement aborted answers ROLLBACK: nothing was stored.
    const commit = await run('COMMIT');
    if (commit.command === 'ROLLBACK') throw new Error('the transaction was rolled back');
    return out;
  } catch (e) {
    if (open) {
      open = false;
      await run('ROLLBACK');
    }
    throw e;
  }
}

/** Runs tasks one at a time, in call order. */
function createLock(): <R>(task: () => Promise<R>) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const next = tail.then(task, task);
    tail = next.catch(() => undefined);
    return next;
  };
}

function statementMessage(st: Statement, sql: string, params: readonly unknown[]): Uint8Array {
  const s = protocol.serialize;
  const parts = [
    ...(st.prepared ? [] : [s.parse({ name: st.name, text: sql })]),
    s.bind({ statement: st.name, values: params.map(textParam) }),
    s.describe({ type: 'P' }),
    s.execute({}),
    s.sync(),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A parameter in PostgreSQL's text form. Strings pass as they are (JSON for jsonb columns is
 * stringified by the caller, as for node-postgres).
 * @throws TypeError for arrays and other values whose text form depends on the column type.
 */
function textParam(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Date) return v.toISOString();
  throw new TypeError('unsupported query parameter: pass text, numbers, booleans or dates');
}
