// A real hub and real nodes on this machine, each its own process (`tessera hub start`,
// `tessera node start`), set up the way the demo does it, with the CLI's building blocks
// (@tessera/cli: hubInit, nodeInit, startHubProcess, startNodeProcess) and the node operator
// functions (@tessera/node: importDataset, approveProject), so no CLI start-up is paid per step.
// Hub-side admin steps (users, trusts, projects) go through the hub's HTTP API.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort, hubInit, nodeInit, startHubProcess, startNodeProcess } from '@tessera/cli';
import { approveProject, importDataset } from '@tessera/node';
import { DATASET, syntheticCsv } from './csv.mjs';
import { createHubHttp } from './hub-http.mjs';
import { progress } from './procs.mjs';

const ADMIN = 'bench-admin@example.org';
const RESEARCHER = 'bench-researcher@example.org';

/** The CLI functions' output: stdout dropped, stderr lines as bench progress. */
const quietIo = { out: () => undefined, err: (t) => progress(t.trimEnd()) };

function secretFile(path, value) {
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  return path;
}

/**
 * Initialises a hub in `base/hub` (PGlite, or PostgreSQL at `databaseUrl`), starts it as a process registered with
 * `procs`, logs in an admin and creates and logs in a researcher.
 * @returns {{url, pin, dir, admin, researcher, proc}} with two logged-in HTTP clients.
 */
export async function startHub(procs, base, databaseUrl) {
  const dir = join(base, 'hub');
  const adminPw = randomBytes(18).toString('base64url');
  const pwFile = secretFile(join(base, 'admin-password'), adminPw);
  const port = await findFreePort();
  progress(`hub init on port ${port}`);
  await hubInit(
    {
      dir,
      port,
      adminEmail: ADMIN,
      adminPasswordFile: pwFile,
      ...(databaseUrl === undefined ? {} : { databaseUrl }),
    },
    quietIo,
  );
  progress('hub start');
  const hubProc = await startHubProcess({ dir, logFile: join(base, 'hub.log') });
  procs.track(hubProc.process);
  const { url, pin } = hubProc;
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
  return { url, pin, dir, databaseUrl, admin, researcher, proc: hubProc.process };
}

/** Creates a project with the researcher as member and the given trusts. */
export async function createProject(hub, name, trusts) {
  const p = await hub.admin.call('POST', '/api/v1/projects', { name, description: 'bench' });
  const ref = encodeURIComponent(p.id ?? name);
  await hub.admin.call('POST', `/api/v1/projects/${ref}/members`, {
    email: RESEARCHER,
    role: 'researcher',
  });
  for (const t of trusts) {
    await hub.admin.call('POST', `/api/v1/projects/${ref}/trusts`, { trust: t });
  }
  return p;
}

/**
 * Creates trust `name` at the hub and prepares its node folder `base/<name>`: `node init`, a CSV
 * dataset of `rows` rows (from `makeCsv(rows, seed)`, default the latency bench's), approval of
 * `projects` with the dataset exposed. Does not start it.
 */
export async function prepareNode(hub, base, name, index, rows, projects, makeCsv = syntheticCsv) {
  const t = await hub.admin.call('POST', '/api/v1/trusts', { name });
  const dir = join(base, name);
  const apiKeyFile = secretFile(join(base, `${name}.api-key`), t.apiKey);
  await nodeInit({ dir, hub: hub.url, pin: hub.pin, name, apiKeyFile, consolePort: 0 }, quietIo);
  const file = join(base, `${name}.csv`);
  writeFileSync(file, makeCsv(rows, 1000 + index), { mode: 0o600 });
  await importDataset({ dir, name: DATASET, file, replace: false });
  for (const project of projects) await approveProject({ dir, project, datasets: [DATASET] });
  return { name, dir };
}

/** Starts prepared nodes as processes (all at once) and waits until each says it is ready. */
export async function startNodes(procs, base, nodes) {
  const started = await Promise.allSettled(
    nodes.map((n) =>
      startNodeProcess({ dir: n.dir, name: n.name, logFile: join(base, `${n.name}.log`) }),
    ),
  );
  for (const r of started) if (r.status === 'fulfilled') procs.track(r.value.process);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return nodes.map((n, i) => ({ ...n, proc: started[i].value.process }));
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
    const missing = names.filter((n) => list.find((t) => t.name === n)?.nodeFingerprint == null);
    if (missing.length === 0) return;
    if (Date.now() > until) {
      throw new Error(`not enrolled after ${timeoutMs} ms: ${missing.join(', ')}`);
    }
    await new Promise((res) => setTimeout(res, 100));
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

/**
 * Creates a fresh database next to the one `adminUrl` names, for one bench run, and drops it at
 * teardown. Returns its URL.
 */
export async function freshPostgres(procs, adminUrl) {
  const { default: pg } = await import('pg');
  const name = `tessera_bench_${randomBytes(6).toString('hex')}`;
  const run = async (sql) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  procs.atTeardown(() => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
