import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeFailure,
  freePort,
  waitFor,
  type Harness,
  type Proc,
  type RunResult,
} from './harness.js';
import { createHubHttp, listItems, type HubHttp } from './hub-http.js';
import { cliAdmin, httpAdmin, type AdminOps } from './admin-ops.js';
import type { AuditRecord, JobInfo, Site, SiteSpec, TrustInfo } from './cluster-types.js';

export type { AuditRecord, JobInfo, Site, SiteSpec, TrustInfo } from './cluster-types.js';

/*
 * A hub and its nodes, set up only through the public contract (DESIGN "Public contract"): `hub
 * init`, `login`, `user create`, `trust create`, `project …`, `node init`, `node dataset import`,
 * `node approve`, then `hub start` and `node start` as separate processes.
 */

export const PROJECT = 'study';
export const DATASET = 'patients';
export const ADMIN_EMAIL = 'admin@example.org';
export const RESEARCHER_EMAIL = 'researcher@example.org';
const ADMIN_PASSWORD = 'admin-password-e2e-0001';
const RESEARCHER_PASSWORD = 'researcher-password-e2e-0002';

export interface Cluster {
  readonly h: Harness;
  readonly hubDir: string;
  readonly url: string;
  readonly pin: string;
  readonly port: number;
  hub: Proc;
  readonly http: HubHttp;
  readonly adminToken: string;
  readonly researcherToken: string;
  /** Env of CLI commands run as the admin / the researcher (their TESSERA_CONFIG_DIR). */
  readonly adminEnv: Record<string, string>;
  readonly researcherEnv: Record<string, string>;
  readonly sites: Record<string, Site>;
  /** (Re)starts `hub start` on the same folder and waits for /api/v1/health. */
  startHub(): Promise<Proc>;
  /** (Re)starts `node start` for a site; waits for enrolment when `waitEnrolled`. */
  startNode(name: string, waitEnrolled?: boolean): Promise<Proc>;
  trusts(): Promise<TrustInfo[]>;
  audit(): Promise<AuditRecord[]>;
  /**
   * `tessera job run … --json` as the researcher: `algorithm` defaults to summary, `secure` adds
   * `--secure-aggregation`, `timeoutS` is `--timeout`; the process is given `waitMs` (default
   * timeoutS + 30 s, or 150 s) before it is killed.
   */
  runJob(o: {
    algorithm?: string;
    params: unknown;
    cohort?: unknown;
    timeoutS?: number;
    secure?: boolean;
    waitMs?: number;
  }): Promise<RunResult>;
  /** POST /api/v1/jobs as the researcher; returns the job id. */
  submitJob(o: { params: unknown; cohort?: unknown }): Promise<string>;
  /** GET /api/v1/jobs/:id until it has finished. */
  waitJob(id: string, timeoutMs?: number): Promise<JobInfo>;
  /** Output tails of every process, for failure messages. */
  readonly context: () => string;
}

export interface ClusterOptions {
  readonly sites: readonly SiteSpec[];
  /** Merged into hub.json `settings` before the first start (e.g. a short leaseMs). */
  readonly hubSettings?: Record<string, number>;
  /**
   * How the admin sets up users, projects and trusts: the CLI commands (default) or the hub's
   * HTTP API directly (faster; for test files whose subject is elsewhere).
   */
  readonly adminVia?: 'cli' | 'http';
  /** Start every node and wait until enrolled (default true). */
  readonly startNodes?: boolean;
}

/** Builds the whole consortium in the harness folder. Throws with process output on failure. */
export async function startCluster(h: Harness, o: ClusterOptions): Promise<Cluster> {
  const hubDir = join(h.root, 'hub');
  const port = await freePort();
  const adminEnv = { TESSERA_CONFIG_DIR: h.path('cfg-admin') };
  const researcherEnv = { TESSERA_CONFIG_DIR: h.path('cfg-researcher') };
  const adminPw = h.secretFile('admin.pw', `${ADMIN_PASSWORD}\n`);
  const researcherPw = h.secretFile('researcher.pw', `${RESEARCHER_PASSWORD}\n`);
  const init = await h.json<{ url: string; pin: string }>([
    'hub',
    'init',
    '--dir',
    hubDir,
    '--port',
    String(port),
    '--admin-email',
    ADMIN_EMAIL,
    '--admin-password-file',
    adminPw,
    '--json',
  ]);
  if (o.hubSettings !== undefined) patchHubSettings(hubDir, o.hubSettings);
  const http = createHubHttp(init.url, init.pin);
  h.defer(() => http.close());
  const sites: Record<string, Site> = {};
  const context = (): string => h.procs.map((p) => p.tail(30)).join('\n');

  const c: Cluster = {
    h,
    hubDir,
    url: init.url,
    pin: init.pin,
    port,
    hub: null as unknown as Proc,
    http,
    adminToken: '',
    researcherToken: '',
    adminEnv,
    researcherEnv,
    sites,
    async startHub() {
      const p = h.spawn('hub', ['hub', 'start', '--dir', hubDir]);
      c.hub = p;
      await waitFor(
        'the hub to answer /api/v1/health',
        async () => {
          if (!p.alive()) throw new Error(`hub exited: ${JSON.stringify(await p.exited)}`);
          return (await http.call('GET', '/api/v1/health')).status === 200;
        },
        { timeoutMs: 60_000, intervalMs: 200, context: () => p.tail(60) },
      );
      return p;
    },
    async startNode(name, waitEnrolled = true) {
      const site = sites[name];
      if (site === undefined) throw new Error(`no site ${name}`);
      const p = h.spawn(`node ${name}`, ['node', 'start', '--dir', site.dir]);
      site.proc = p;
      if (waitEnrolled) {
        await waitFor(
          `node ${name} to enrol`,
          async () => {
            if (!p.alive())
              throw new Error(`node ${name} exited: ${JSON.stringify(await p.exited)}`);
            const t = (await c.trusts()).find((x) => x.name === name);
            return t !== undefined && t.nodeFingerprint !== null;
          },
          { timeoutMs: 60_000, intervalMs: 200, context: () => `${p.tail(60)}\n${c.hub.tail(30)}` },
        );
      }
      return p;
    },
    async trusts() {
      const body = await http.ok('GET', '/api/v1/trusts', { token: c.adminToken });
      return listItems(body, 'trusts') as unknown as TrustInfo[];
    },
    async audit() {
      // Paged: `after` is the last sequence number seen, at most 1000 entries a page.
      const all: AuditRecord[] = [];
      for (;;) {
        const after = all.at(-1)?.seq ?? 0;
        const body = await http.ok('GET', `/api/v1/audit?after=${after}&limit=1000`, {
          token: c.adminToken,
        });
        const page = listItems(body, 'entries') as unknown as AuditRecord[];
        all.push(...page);
        if (page.length < 1000) return all;
      }
    },
    runJob(j) {
      const args = [
        'job',
        'run',
        '--project',
        PROJECT,
        '--algorithm',
        j.algorithm ?? 'summary',
        '--datasets',
        DATASET,
        '--params',
        JSON.stringify(j.params),
        '--json',
        ...(j.cohort === undefined ? [] : ['--cohort', JSON.stringify(j.cohort)]),
        ...(j.timeoutS === undefined ? [] : ['--timeout', String(j.timeoutS)]),
        ...(j.secure === true ? ['--secure-aggregation'] : []),
      ];
      return h.run(args, researcherEnv, j.waitMs ?? ((j.timeoutS ?? 120) + 30) * 1000);
    },
    async submitJob(j) {
      const job = await http.ok<{ id: string }>('POST', '/api/v1/jobs', {
        token: c.researcherToken,
        body: {
          project: PROJECT,
          algorithm: 'summary',
          datasets: [DATASET],
          cohort: j.cohort ?? null,
          params: j.params,
        },
      });
      return job.id;
    },
    async waitJob(id, timeoutMs = 120_000) {
      return waitFor(
        `job ${id} to finish`,
        async () => {
          const a = await http.call('GET', `/api/v1/jobs/${id}?wait=5000`, {
            token: c.researcherToken,
          });
          if (a.status !== 200) return undefined;
          const job = a.body as JobInfo;
          return job.status === 'succeeded' || job.status === 'failed' ? job : undefined;
        },
        { timeoutMs, intervalMs: 100, context },
      );
    },
    context,
  };

  await c.startHub();
  (c as { adminToken: string }).adminToken = await http.login(ADMIN_EMAIL, ADMIN_PASSWORD);
  const admin = o.adminVia === 'http' ? httpAdmin(http, c.adminToken) : cliAdmin(h, adminEnv);
  if (o.adminVia !== 'http') await login(h, c.url, c.pin, ADMIN_EMAIL, adminPw, adminEnv);
  await admin.createUser(RESEARCHER_EMAIL, 'researcher', researcherPw, RESEARCHER_PASSWORD);
  await admin.createProject(PROJECT);
  await admin.addMember(PROJECT, RESEARCHER_EMAIL, 'researcher');
  await login(h, c.url, c.pin, RESEARCHER_EMAIL, researcherPw, researcherEnv);
  (c as { researcherToken: string }).researcherToken = await http.login(
    RESEARCHER_EMAIL,
    RESEARCHER_PASSWORD,
  );

  await Promise.all(
    o.sites.map(async (s) => {
      sites[s.name] = await setUpSite(h, c, admin, s);
    }),
  );
  if (o.startNodes !== false) {
    await Promise.all(o.sites.filter((s) => s.start !== false).map((s) => c.startNode(s.name)));
  }
  return c;
}

async function setUpSite(h: Harness, c: Cluster, admin: AdminOps, s: SiteSpec): Promise<Site> {
  const t = await admin.createTrust(s.name);
  if (t.name !== s.name || typeof t.apiKey !== 'string') {
    throw new Error(`trust create answered ${JSON.stringify(t)}`);
  }
  const keyFile = h.secretFile(`${s.name}.key`, `${t.apiKey}\n`);
  if (s.inProject !== false) await admin.addTrust(PROJECT, s.name);
  const dir = join(h.path('nodes'), s.name);
  await mustRun(h, [
    'node',
    'init',
    '--dir',
    dir,
    '--hub',
    c.url,
    '--pin',
    s.pin ?? c.pin,
    '--name',
    s.name,
    '--api-key-file',
    keyFile,
    '--console-port',
    '0',
    ...(s.minCount === undefined ? [] : ['--min-count', String(s.minCount)]),
  ]);
  const csvFile = join(h.path('data'), `${s.name}.csv`);
  writeFileSync(csvFile, s.csv);
  await mustRun(
    h,
    ['node', 'dataset', 'import', '--dir', dir, '--name', DATASET, '--file', csvFile],
    {},
    180_000,
  );
  await mustRun(h, ['node', 'approve', '--dir', dir, PROJECT, '--datasets', DATASET]);
  return { name: s.name, dir, apiKey: t.apiKey, csvFile, proc: null };
}

async function login(
  h: Harness,
  url: string,
  pin: string,
  email: string,
  pwFile: string,
  env: Record<string, string>,
): Promise<void> {
  await mustRun(
    h,
    ['login', '--hub', url, '--pin', pin, '--email', email, '--password-file', pwFile],
    env,
  );
}

/** Runs a command that must exit 0. */
export async function mustRun(
  h: Harness,
  args: readonly string[],
  env?: Record<string, string>,
  timeoutMs?: number,
): Promise<RunResult> {
  const r = await h.run(args, env, timeoutMs);
  if (r.code !== 0) throw new Error(describeFailure(r));
  return r;
}

/** Merges `settings` into `<hubDir>/hub.json` (the hub reads it at start). */
export function patchHubSettings(hubDir: string, settings: Record<string, number>): void {
  const file = join(hubDir, 'hub.json');
  const cfg = JSON.parse(readFileSync(file, 'utf8')) as { settings?: Record<string, unknown> };
  cfg.settings = { ...(cfg.settings ?? {}), ...settings };
  writeFileSync(file, `${JSON.stringify(cfg, null, 2)}\n`);
}

/** The JSON document `job run --json` printed (whatever its exit code). */
export function jobOutput(r: RunResult): JobInfo {
  try {
    return JSON.parse(r.stdout) as JobInfo;
  } catch {
    throw new Error(`job run printed no JSON document\n${describeFailure(r)}`);
  }
}
