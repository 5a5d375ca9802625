import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { numberColumn, makeTable, runLocalStep, summary } from '@tessera/algorithms';
import { jobViewSchema, pinnedConnector, type TrustKeyResponse } from '@tessera/protocol';
import { Agent, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFakeNode, type FakeNode, type Reply } from '../test/helpers/fake-node.js';
import { initHub } from './init.js';

/*
 * kill -9 of a real hub process in the middle of a job, then a restart: the job finishes with the
 * right result (issue 2, "Done when"). The hub runs from sources through vite-node; two fake nodes
 * built from protocol functions answer with the real `summary` local step.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const VITE_NODE = join(ROOT, 'node_modules/vite-node/vite-node.mjs');
const SCRIPT = join(ROOT, 'packages/hub/test/helpers/run-hub.ts');

function spawnHub(dir: string): Promise<{ child: ChildProcess; url: string; pin: string }> {
  const child = spawn(process.execPath, [VITE_NODE, '-c', 'vitest.config.ts', SCRIPT, '--', dir], {
    cwd: ROOT,
    env: { ...process.env, TESSERA_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (l) => {
      const { url, pin } = JSON.parse(l) as { url: string; pin: string };
      resolve({ child, url, pin });
    });
    child.once('exit', (code) => {
      reject(new Error(`hub exited with ${code}`));
    });
  });
}

const exited = (c: ChildProcess) => new Promise((r) => c.once('exit', r));

describe('a real hub process killed mid-job', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child?.exitCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('finishes the job after a restart with the pooled summary', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-crash-'));
    const password = 'a long admin password';
    await initHub({ dir, port: 0, adminEmail: 'admin@example.org', adminPassword: password });
    const cfg = JSON.parse(await readFile(join(dir, 'hub.json'), 'utf8')) as { settings: object };
    cfg.settings = { ...cfg.settings, leaseMs: 1_000 };
    await writeFile(join(dir, 'hub.json'), JSON.stringify(cfg));

    let hub = await spawnHub(dir);
    child = hub.child;
    const agent = new Agent({ connect: pinnedConnector(hub.pin) as never });
    const call = async (
      path: string,
      auth?: string,
      body?: unknown,
      method = 'POST',
    ): Promise<Reply> => {
      const r = await request(`${hub.url}${path}`, {
        method: method as 'POST',
        dispatcher: agent,
        headers: {
          ...(auth === undefined ? {} : { authorization: `Bearer ${auth}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: r.statusCode, body: await r.body.json() };
    };
    const token = (
      (await call('/api/v1/auth/login', undefined, { email: 'admin@example.org', password }))
        .body as { token: string }
    ).token;
    await call('/api/v1/projects', token, { name: 'p' });
    const ages: Record<string, number[]> = {
      alpha: Array.from({ length: 40 }, (_, i) => 30 + ((i * 7919) % 50) + i / 7),
      beta: Array.from({ length: 25 }, (_, i) => 45 + ((i * 104_729) % 30) - i / 3),
    };
    const nodes: FakeNode[] = [];
    for (const name of Object.keys(ages)) {
      const k = (await call('/api/v1/trusts', token, { name })).body as TrustKeyResponse;
      await call('/api/v1/projects/p/trusts', token, { trust: name });
      const n = makeFakeNode(name, k.apiKey, (path, key, body) => call(path, key, body));
      expect((await n.enrol()).status).toBe(200);
      nodes.push(n);
    }
    const answer = async (n: FakeNode, waitMs: number) => {
      const task = (await n.poll(waitMs))[0]!;
      const p = n.open(task);
      const params = summary.params.parse(p.params);
      const outcome = runLocalStep(summary, p.step, {
        table: makeTable({ age: numberColumn(ages[n.name]!) }),
        params,
        input: p.input,
        round: p.round,
        policy: { minCount: 10, allowMinMax: false },
        randomBytes: (k) => randomBytes(k),
      });
      if (outcome.status !== 'ok') throw new Error(outcome.reason);
      const r = await n.submit(
        n.result(task, { taskId: p.taskId, status: 'ok', output: outcome.output }),
      );
      return { task, r };
    };

    const submitted = await call('/api/v1/jobs', token, {
      project: 'p',
      algorithm: 'summary',
      datasets: ['d'],
      params: { variables: ['age'] },
    });
    expect(submitted.status).toBe(201);
    const jobId = jobViewSchema.parse(submitted.body).id;
    const [alpha, beta] = nodes as [FakeNode, FakeNode];
    expect((await answer(alpha, 5_000)).r.status).toBe(200);
    const leased = (await beta.poll(5_000))[0]!;

    hub.child.kill('SIGKILL');
    await exited(hub.child);
    hub = await spawnHub(dir);
    child = hub.child;

    // Beta's task comes back once its lease (1 s) expires; alpha's result survived the kill.
    const { task, r } = await answer(beta, 10_000);
    expect(task.header).toMatchObject({ taskId: leased.header.taskId, attempt: 2 });
    expect(r.status).toBe(200);
    const view = jobViewSchema.parse(
      (await call(`/api/v1/jobs/${jobId}?wait=20000`, token, undefined, 'GET')).body,
    );
    expect(view.status).toBe('succeeded');
    // Independent reference: the pooled rows, two-pass mean and sample SD. Tolerance 1e-12 relative.
    const all = [...ages.alpha!, ...ages.beta!];
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (all.length - 1));
    const age = (
      view.result as { n: number; variables: { age: { count: number; mean: number; sd: number } } }
    ).variables.age;
    expect((view.result as { n: number }).n).toBe(65);
    expect(age.count).toBe(65);
    expect(Math.abs(age.mean - mean) / mean).toBeLessThan(1e-12);
    expect(Math.abs(age.sd - sd) / sd).toBeLessThan(1e-12);

    hub.child.kill('SIGTERM');
    expect(await exited(hub.child)).toBe(0);
    await agent.close();
  }, 180_000);
});
