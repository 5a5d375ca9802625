import { Writable } from 'node:stream';
import { generatePartyKeys, type TrustKeyResponse } from '@tessera/protocol';
import { createHub, type Hub } from '../../src/app.js';
import { manualClock, systemClock, type Clock } from '../../src/clock.js';
import type { HubSettings } from '../../src/config.js';
import type { AlgorithmLookup } from '../../src/deps.js';
import { createLogger } from '../../src/logging.js';
import { insertUser } from '../../src/services/users.js';
import type { Db } from '../../src/storage/db.js';
import { makeFakeNode, type FakeNode, type Reply } from './fake-node.js';
import { testAlgorithms } from './test-algorithm.js';
import { TEST_DB_KINDS, type TestDbKind } from './test-db.js';

export const ADMIN = { email: 'admin@example.org', password: 'correct horse battery' };
export const TRACE = '0123456789abcdef0123456789abcdef';

export interface TestHub {
  readonly hub: Hub;
  readonly db: Db;
  readonly clock: Clock & { advance?: (ms: number) => void };
  /** Every log line the hub wrote. */
  readonly logs: string[];
  req(method: 'GET' | 'POST', url: string, token?: string, body?: unknown): Promise<Reply>;
  login(email: string, password: string): Promise<string>;
  /** Admin token, researcher token and a project with the given trusts, as a story's set-up. */
  setUp(
    trusts: string[],
  ): Promise<{ admin: string; researcher: string; project: string; keys: TrustKeyResponse[] }>;
  node(name: string, apiKey: string): FakeNode;
  /** Closes the hub and builds a new one on the same database and keys, as after a crash. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** An in-process hub on a fresh database, with a first admin. */
export async function makeTestHub(
  o: {
    kind?: TestDbKind;
    manual?: boolean;
    config?: Partial<HubSettings>;
    algorithms?: AlgorithmLookup;
  } = {},
): Promise<TestHub> {
  const opened = await (o.kind ?? TEST_DB_KINDS[0]!).open();
  const clock = o.manual === true ? manualClock(new Date()) : systemClock;
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const keys = generatePartyKeys();
  const build = () =>
    createHub({
      config: { sweepIntervalMs: 60_000, ...o.config },
      db: opened.db,
      logger: createLogger({ level: 'debug', stream }),
      clock,
      keys,
      algorithms: o.algorithms ?? testAlgorithms,
    });
  let hub = await build();
  await opened.db.transaction((tx) =>
    insertUser({ clock }, tx, { ...ADMIN, role: 'admin' }, { actor: 'system', traceId: TRACE }),
  );
  const req: TestHub['req'] = async (method, url, token, body) => {
    const r = await hub.app.inject({
      method,
      url,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: r.statusCode, body: r.body === '' ? null : (JSON.parse(r.body) as unknown) };
  };
  const login = async (email: string, password: string) => {
    const r = await req('POST', '/api/v1/auth/login', undefined, { email, password });
    if (r.status !== 200) throw new Error(`login failed: ${JSON.stringify(r.body)}`);
    return (r.body as { token: string }).token;
  };
  const t: TestHub = {
    get hub() {
      return hub;
    },
    db: opened.db,
    clock,
    logs,
    req,
    login,
    async setUp(trusts) {
      const admin = await login(ADMIN.email, ADMIN.password);
      const rPassword = 'researcher password 1';
      await req('POST', '/api/v1/users', admin, {
        email: 'r@example.org',
        role: 'researcher',
        password: rPassword,
      });
      const researcher = await login('r@example.org', rPassword);
      const keys: TrustKeyResponse[] = [];
      for (const name of trusts) {
        keys.push((await req('POST', '/api/v1/trusts', admin, { name })).body as TrustKeyResponse);
      }
      await req('POST', '/api/v1/projects', researcher, { name: 'p1' });
      for (const name of trusts)
        await req('POST', '/api/v1/projects/p1/trusts', researcher, { trust: name });
      return { admin, researcher, project: 'p1', keys };
    },
    node: (name, apiKey) =>
      makeFakeNode(name, apiKey, async (path, key, body) => {
        const r = await hub.app.inject({
          method: 'POST',
          url: path,
          headers: { authorization: `Bearer ${key}` },
          payload: body as object,
        });
        return { status: r.statusCode, body: JSON.parse(r.body) as unknown };
      }),
    async restart() {
      await hub.close();
      hub = await build();
    },
    async close() {
      await hub.close();
      await opened.drop();
    },
  };
  return t;
}
