import { readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeHub, makeCert, type FakeHub } from './testing/fake-hub.js';
import {
  TEST_PIN,
  headerFor,
  makeCsv,
  makeNode,
  makeTask,
  makeTaskPayload,
  makeTempDir,
  silentLogger,
  writeCsvFile,
} from './testing/helpers.js';
import {
  approveProject,
  importDataset,
  startNode,
  verifyNodeAudit,
  type RunningNode,
} from './index.js';
import { readAudit } from './store/audit-log.js';
import { loadPartyKeys } from './store/node-config.js';
import { nodePaths } from './store/layout.js';

const TRUST = 'st-marys';
const WORKER = new URL('../dist/exec/step-worker.js', import.meta.url);

let base: string;
let cleanup: () => Promise<void>;
let hub: FakeHub | undefined;
let node: RunningNode | undefined;
let cert: Awaited<ReturnType<typeof makeCert>>;

beforeEach(async () => {
  ({ dir: base, cleanup } = await makeTempDir());
  cert = await makeCert();
});
afterEach(async () => {
  await node?.close();
  await hub?.close();
  node = undefined;
  hub = undefined;
  await cleanup();
});

async function setUp(o: { pin?: string; hubSays?: string } = {}) {
  const probe = await startFakeHub({ apiKey: 'unused', trustName: TRUST, cert });
  const port = probe.port;
  await probe.close();
  const n = await makeNode(base, {
    name: TRUST,
    hubUrl: `https://127.0.0.1:${port}`,
    pin: o.pin ?? cert.pin,
    consolePort: 0,
  });
  hub = await startFakeHub({ apiKey: n.apiKey, trustName: o.hubSays ?? TRUST, cert, port });
  return n.dir;
}

/** TCP sockets in LISTEN state owned by this process: [address, port]. */
async function listeningSockets(): Promise<string[]> {
  const inodes = new Set<string>();
  for (const fd of await readdir('/proc/self/fd')) {
    const link = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m?.[1] !== undefined) inodes.add(m[1]);
  }
  const out: string[] = [];
  for (const file of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    const lines = (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').slice(1);
    for (const l of lines) {
      const f = l.trim().split(/\s+/);
      // f[1] local address:port (hex), f[3] state (0A = LISTEN), f[9] inode
      if (f[3] !== '0A' || !inodes.has(f[9] ?? '')) continue;
      const [addr, port] = (f[1] ?? '').split(':');
      out.push(`${addr === '0100007F' ? '127.0.0.1' : addr}:${parseInt(port ?? '0', 16)}`);
    }
  }
  return out.sort();
}

describe('node start against a real HTTPS hub', () => {
  it('enrols, long-polls, runs a delivered task and posts a result the hub can open', async () => {
    const dir = await setUp();
    await importDataset({
      dir,
      name: 'cohort',
      file: await writeCsvFile(base, 'a.csv', makeCsv(30)),
    });
    await approveProject({ dir, project: 'diabetes', datasets: ['cohort'] });
    node = await startNode({ dir, logger: silentLogger, workerUrl: WORKER });
    const health = await request(`${node.consoleUrl}/health`);
    expect(await health.body.json()).toEqual({ status: 'ok' });
    expect((await readFile(join(dir, 'run', 'console.url'), 'utf8')).trim()).toBe(node.consoleUrl);

    // Enrolment pins the hub's keys, then a task arrives on the open poll.
    await waitFor(() => hub?.nodeKeys !== null);
    const nodeKeys = await loadPartyKeys(nodePaths(dir));
    expect(hub?.nodeKeys).toEqual(nodeKeys.public);
    const p = makeTaskPayload({ params: { variables: ['age', 'sex'] } });
    const result = hub!.nextResult();
    hub!.push(makeTask(hub!.keys, nodeKeys.public, p, headerFor(p, TRUST)));
    expect(await result).toMatchObject({ taskId: p.taskId, status: 'ok' });

    // Only the console listens, on 127.0.0.1; the other listener is this test's hub.
    const consolePort = Number(new URL(node.consoleUrl).port);
    expect(await listeningSockets()).toEqual(
      [`127.0.0.1:${consolePort}`, `127.0.0.1:${hub!.port}`].sort(),
    );

    // The fake hub hands the result over before its answer reaches the node, which records the
    // acknowledgement only then: wait until the console counts it.
    const statusUrl = `${node.consoleUrl}/status`;
    const readStatus = async () =>
      (await (await request(statusUrl)).body.json()) as {
        tasks?: { acknowledged?: number };
      };
    await waitFor(async () => (await readStatus()).tasks?.acknowledged === 1);
    const status = await readStatus();
    expect(status).toMatchObject({ trust: TRUST, tasks: { acknowledged: 1 } });
    expect(JSON.stringify(status)).not.toMatch(/tsk_|PRIVATE KEY/);
    await node.close();
    node = undefined;
    expect((await verifyNodeAudit(dir)).ok).toBe(true);
  });

  it('finds a restarted hub again within a few seconds', async () => {
    const dir = await setUp();
    node = await startNode({ dir, logger: silentLogger, workerUrl: WORKER });
    await waitFor(() => hub?.nodeKeys !== null);
    const apiKey = (await readFile(join(dir, 'secrets', 'api-key'), 'utf8')).trim();
    const port = hub!.port;
    const keys = hub!.keys;
    await hub!.close();
    hub = await startFakeHub({ apiKey, trustName: TRUST, cert, port });
    // The same hub identity after the restart (its keys live in its data folder).
    Object.assign(hub, { keys });
    const t0 = Date.now();
    await waitFor(() => hub!.requests.length > 0, 10_000);
    expect(Date.now() - t0).toBeLessThan(8_000);
  });
});

describe('node start refuses to go on', () => {
  it('sends nothing to a hub whose TLS key does not match the pin, and stops', async () => {
    const dir = await setUp({ pin: TEST_PIN });
    node = await startNode({ dir, logger: silentLogger, workerUrl: WORKER });
    await expect(node.done).rejects.toMatchObject({ code: 'PIN_MISMATCH' });
    node = undefined;
    expect(hub!.requests).toEqual([]);
    const actions = (await readAudit(join(dir, 'audit.log'))).entries.map((e) => e.action);
    expect(actions).toContain('hub.pin-mismatch');
    await expect(readFile(join(dir, 'run', 'console.url'))).rejects.toThrow();
  });

  it('stops when the hub names another trust for its key, and audits it', async () => {
    const dir = await setUp({ hubSays: 'kings' });
    node = await startNode({ dir, logger: silentLogger, workerUrl: WORKER });
    await expect(node.done).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('kings'),
    });
    node = undefined;
    const entries = (await readAudit(join(dir, 'audit.log'))).entries;
    expect(entries.find((e) => e.action === 'hub.trust-mismatch')?.details).toEqual({
      configured: TRUST,
      hubSays: 'kings',
    });
    expect(hub!.requests).toEqual(['/api/v1/node/enrol']);
  });
});

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
