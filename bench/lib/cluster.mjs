// A real hub and real nodes on this machine, each its own process, set up through the public
// contract (DESIGN "Public contract"): `hub init`/`hub start`, `node init`, `node dataset import`,
// `node approve`, `node start`. Hub-side admin steps (trusts, users, projects) use the hub's
// HTTP API directly, which is what `tessera trust create` etc. call, minus a process start each.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { syntheticCsv } from './csv.mjs';
import { createHubHttp } from './hub-http.mjs';
import { progress, runCli } from './procs.mjs';

const ADMIN = 'bench-admin@example.org';
const RESEARCHER = 'bench-researcher@example.org';
/** Name of the dataset every bench node holds. */
export const DATASET = 'bench';

/** A free TCP port on 127.0.0.1 (there is a small race until the hub binds it). */
export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function secretFile(path, value) {
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return path;
}

/**
 * Initialises and starts a hub in `base/hub`, logs in an admin and a researcher.
 * @returns {{url, pin, dir, admin, researcher, proc}} with two logged-in HTTP clients.
 */
export async function startHub(procs, base) {
  const dir = join(base, 'hub');
  const adminPw = randomBytes(18).toString('base64url');
  const pwFile = secretFile(join(base, 'admin-password'), adminPw);
  const port = await freePort();
  progress(`hub init on port ${port}`);
  const init = JSON.parse(
    await runCli([
      'hub',
      'init',
      '--dir',
      dir,
      '--port',
      String(port),
      '--admin-email',
      ADMIN,
      '--admin-password-file',
      pwFile,
      '--json',
    ]),
  );
  progress('hub start');
  const proc = await procs.startCli(['hub', 'start', '--dir', dir], join(base, 'hub.log'));
  const url = proc.ready.url ?? init.url;
  const pin = proc.ready.pin ?? init.pin;
  const admin = createHubHttp(url, pin);
  await admin.login(ADMIN, adminPw);
  const researcherPw = randomBytes(18).toString('base64url');
  await admin.call('POST', '/api/v1/users', {
    email: RESEARCHER,
    role: 'researcher',
    password: researcherPw,
  });
  const researcher = createHubHttp(url, pin);
  await researcher.login(RESEARCHER, researcherPw);
  return { url, pin, dir, admin, researcher, proc };
}

/** Creates a project with the researcher as member and the given trusts. */
export async function createProject(hub, name, trusts) {
  const p = await hub.admin.call('POST', '/api/v1/projects', { name, description: 'bench' });
  const ref = encodeURIComponent(p.id ?? name);
  await hub.admin.call('POST', `/api/v1/projects/${ref}/members`, {
    email: RESEARCHER,
    role: 'researcher',
  });
  for (const t of trusts)
    await hub.admin.call('POST', `/api/v1/projects/${ref}/trusts`, { trust: t });
  return p;
}

/**
 * Creates trust `name` at the hub and prepares its node folder in `base/<name>`: init, a CSV
 * dataset of `rows` rows, approval of `projects`. Does not start it.
 */
export async function prepareNode(hub, base, name, index, rows, projects) {
  const t = await hub.admin.call('POST', '/api/v1/trusts', { name });
  const dir = join(base, name);
  const keyFile = secretFile(join(base, `${name}.api-key`), t.apiKey);
  await runCli([
    'node',
    'init',
    '--dir',
    dir,
    '--hub',
    hub.url,
    '--pin',
    hub.pin,
    '--name',
    name,
    '--api-key-file',
    keyFile,
    '--console-port',
    '0',
  ]);
  const csv = join(base, `${name}.csv`);
  writeFileSync(csv, syntheticCsv(rows, 1000 + index));
  await runCli(['node', 'dataset', 'import', '--dir', dir, '--name', DATASET, '--file', csv]);
  for (const p of projects) {
    await runCli(['node', 'approve', '--dir', dir, p, '--datasets', DATASET]);
  }
  return { name, dir };
}

/** Starts prepared nodes as processes (all at once) and waits until each says it is ready. */
export async function startNodes(procs, base, nodes) {
  return Promise.all(
    nodes.map(async (n) => {
      const p = await procs.startCli(
        ['node', 'start', '--dir', n.dir],
        join(base, `${n.name}.log`),
      );
      return { ...n, proc: p };
    }),
  );
}

/**
 * Waits until every named trust shows enrolled node keys at the hub.
 * @throws Error naming the trusts still missing after `timeoutMs`.
 */
export async function waitEnrolled(hub, names, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await hub.admin.call('GET', '/api/v1/trusts');
    const list = Array.isArray(r) ? r : (r.trusts ?? []);
    const missing = names.filter(
      (n) => !list.some((t) => t.name === n && t.nodeFingerprint !== null),
    );
    if (missing.length === 0) return;
    if (Date.now() > until)
      throw new Error(`not enrolled after ${timeoutMs} ms: ${missing.join(', ')}`);
    await new Promise((r2) => setTimeout(r2, 200));
  }
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping order. */
export async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
