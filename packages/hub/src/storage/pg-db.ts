import pg from 'pg';
import type { Db, Queryable } from './db.js';

/**
 * A PostgreSQL connection pool behind the {@link Db} interface, for hubs that outgrow the embedded
 * database or share one database between several processes.
 * @throws the driver's error when the first connection fails.
 */
export async function openPostgresDb(connectionString: string, max = 10): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => undefined);
  const probe = await pool.connect();
  probe.release();
  const query = async <T extends object>(sql: string, params: readonly unknown[] = []) => {
    const r = await pool.query<T & pg.QueryResultRow>(sql, [...params]);
    return r.rows as T[];
  };
  let closed = false;
  return {
    kind: 'postgres',
    query,
    async transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R> {
      const client = await pool.connect();
      const tx: Queryable = {
        async query<T extends object>(sql: string, params: readonly unknown[] = []) {
          const r = await client.query<T & pg.QueryResultRow>(sql, [...params]);
          return r.rows as T[];
        },
      };
      try {
        await client.query('BEGIN');
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
