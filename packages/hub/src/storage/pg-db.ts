import pg from 'pg';
import type { Db, MessageBus, Queryable } from './db.js';
import { createStatementCache } from './statement-cache.js';

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
  // Named statements: each connection parses and plans a statement once, not on every call.
  const statements = createStatementCache();
  const config = (text: string, params: readonly unknown[]): pg.QueryConfig => {
    const { name } = statements.lookup(text);
    return { text, values: [...params], ...(name === '' ? {} : { name }) };
  };
  const query = async <T extends object>(sql: string, params: readonly unknown[] = []) => {
    const r = await pool.query<T & pg.QueryResultRow>(config(sql, params));
    return r.rows as T[];
  };
  let closed = false;
  const bus = createPgBus(connectionString, () => closed);
  return {
    kind: 'postgres',
    query,
    bus,
    async transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R> {
      const client = await pool.connect();
      const tx: Queryable = {
        async query<T extends object>(sql: string, params: readonly unknown[] = []) {
          const r = await client.query<T & pg.QueryResultRow>(config(sql, params));
          return r.rows as T[];
        },
      };
      try {
        await client.query('BEGIN');
        const out = await fn(tx);
        // COMMIT of a transaction a failed statement aborted answers ROLLBACK: nothing was stored.
        const commit = await client.query('COMMIT');
        if (commit.command === 'ROLLBACK') throw new Error('the transaction was rolled back');
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
      await bus.closeAll();
      await pool.end();
    },
  };
}

const CHANNEL_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * LISTEN/NOTIFY over one dedicated connection per subscription. A lost connection is re-opened
 * after a second; messages sent meanwhile are lost, which only delays a wake-up (polls and job
 * waits re-read the database on their own).
 */
function createPgBus(
  connectionString: string,
  isClosed: () => boolean,
): MessageBus & { closeAll(): Promise<void> } {
  const clients = new Set<pg.Client>();
  const publisher = new pg.Pool({ connectionString, max: 1 });
  publisher.on('error', () => undefined);
  const listen = async (channel: string, onMessage: (payload: string) => void) => {
    const client = new pg.Client({ connectionString });
    client.on('notification', (m) => {
      if (m.channel === channel) onMessage(m.payload ?? '');
    });
    client.on('error', () => {
      clients.delete(client);
      void client.end().catch(() => undefined);
      if (!isClosed())
        setTimeout(() => void listen(channel, onMessage).catch(() => undefined), 1_000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${channel}`);
    clients.add(client);
    return client;
  };
  return {
    async publish(channel, payload) {
      await publisher.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async subscribe(channel, onMessage) {
      if (!CHANNEL_RE.test(channel)) throw new Error('bad channel name');
      const client = await listen(channel, onMessage);
      return async () => {
        clients.delete(client);
        await client.end();
      };
    },
    async closeAll() {
      await Promise.all([...clients].map((c) => c.end().catch(() => undefined)));
      clients.clear();
      await publisher.end();
    },
  };
}
