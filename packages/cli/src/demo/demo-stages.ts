import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraError, type JobView } from '@tessera/protocol';
import { saveSession } from '../config.js';
import { hubInit } from '../commands/hub.js';
import { loginToHub } from '../commands/login.js';
import { createHubApi, type HubApi } from '../hub-api.js';
import { createHubClient } from '../hub-client.js';
import { submitAndWait } from '../job-runner.js';
import { DEMO_ANALYSES, SECURE_ANALYSIS, analysisStage, secureCheckStage } from './analyses.js';
import { startHubProcess, startNodeProcess } from './components.js';
import { need, siteAeTitle, siteName, siteRows, type DemoState } from './demo-state.js';
import { findFreePort } from './free-port.js';
import {
  DEMO_SENDER_AE,
  imagingGenerateStage,
  imagingReadyStage,
  imagingSendStage,
} from './imaging.js';
import { deidCheckStage, imageStatsStage, imagingCohortStage } from './imaging-analyses.js';
import { compareWithPooled, pooledSummary } from './pooled-check.js';
import { createSite } from './site.js';
import type { Stage } from './stages.js';
import { predictionStage, trainingStage } from './training.js';

const prepare: Stage<DemoState> = {
  title: (s) => `preparing ${s.options.root}`,
  run: async (s) => {
    const root = s.options.root;
    for (const d of ['logs', 'secrets', 'config'])
      mkdirSync(join(root, d), { recursive: true, mode: 0o700 });
    // A fresh random admin password, in a 0600 file: no default credentials, nothing on argv.
    s.adminPasswordFile = join(root, 'secrets', 'admin-password');
    writeFileSync(s.adminPasswordFile, `${randomBytes(24).toString('base64url')}\n`, {
      mode: 0o600,
    });
    return Promise.resolve(undefined);
  },
};

const initHubStage: Stage<DemoState> = {
  title: 'initialising hub (keys, TLS certificate, database, admin)',
  run: async (s) => {
    s.hubDir = join(s.options.root, 'hub');
    const port = await findFreePort();
    const r = await hubInit(
      {
        dir: s.hubDir,
        port,
        adminEmail: s.options.adminEmail,
        adminPasswordFile: need(s.adminPasswordFile, 'admin password'),
      },
      s.io,
    );
    return r.url;
  },
};

const startHubStage: Stage<DemoState> = {
  title: 'starting hub',
  run: async (s) => {
    s.hub = await startHubProcess({
      dir: need(s.hubDir, 'hub folder'),
      logFile: join(s.options.root, 'logs', 'hub.log'),
      group: s.group,
    });
    return `pid ${s.hub.process.pid}`;
  },
};

/** A random password in a 0600 file: no default credentials, nothing on argv. */
function writePasswordFile(file: string): string {
  writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  return file;
}

/** Logs in with a password file; the connection is closed at the end of the demo. */
async function logIn(s: DemoState, email: string, passwordFile: string): Promise<HubApi> {
  const hub = need(s.hub, 'hub');
  const password = readFileSync(passwordFile, 'utf8').trim();
  const session = await loginToHub({ hub: hub.url, pin: hub.pin, email, password });
  // Stored in the demo folder so that `--keep` leaves a usable login (TESSERA_CONFIG_DIR).
  saveSession(join(s.options.root, 'config'), session);
  const client = createHubClient({ url: hub.url, pin: hub.pin, token: session.token });
  s.clients.push(client);
  return createHubApi(client);
}

const loginStage: Stage<DemoState> = {
  title: 'logging in as admin',
  run: async (s) => {
    s.api = await logIn(s, s.options.adminEmail, need(s.adminPasswordFile, 'admin password'));
    return undefined;
  },
};

const researcherStage: Stage<DemoState> = {
  title: (s) => `creating researcher ${s.options.researcherEmail}`,
  run: async (s) => {
    const file = writePasswordFile(join(s.options.root, 'secrets', 'researcher-password'));
    s.researcherPasswordFile = file;
    const password = readFileSync(file, 'utf8').trim();
    await need(s.api, 'admin login').createUser({
      email: s.options.researcherEmail,
      role: 'researcher',
      password,
    });
    return undefined;
  },
};

function siteStage(i: number): Stage<DemoState> {
  const name = siteName(i);
  return {
    title: `creating ${name} (trust, node init with a DICOM receiver, ${siteRows(i)} synthetic patients, approval)`,
    run: async (s) => {
      const hub = need(s.hub, 'hub');
      const dicomPort = await findFreePort();
      const site = await createSite({
        api: need(s.api, 'login'),
        root: s.options.root,
        name,
        hubUrl: hub.url,
        pin: hub.pin,
        seed: s.options.seed,
        siteIndex: i,
        rows: siteRows(i),
        project: s.options.project,
        dataset: s.options.dataset,
        dicom: { port: dicomPort, aeTitle: siteAeTitle(i), allow: [DEMO_SENDER_AE] },
        io: s.io,
      });
      s.sites.push(site);
      return `DICOM ${siteAeTitle(i)} on port ${String(dicomPort)}`;
    },
  };
}

const startNodesStage: Stage<DemoState> = {
  title: (s) => `starting ${s.options.sites} nodes`,
  run: async (s) => {
    const started = await Promise.allSettled(
      s.sites.map((site) =>
        startNodeProcess({
          dir: site.nodeDir,
          name: site.name,
          logFile: join(s.options.root, 'logs', `${site.name}.log`),
          group: s.group,
        }),
      ),
    );
    for (const r of started) if (r.status === 'fulfilled') s.nodes.push(r.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    await waitForEnrolment(
      need(s.api, 'login'),
      s.sites.map((x) => x.name),
    );
    return s.nodes.map((n) => `pid ${n.process.pid}`).join(', ');
  },
};

/** Waits until the hub shows every named trust with pinned node keys (the node enrolled). */
async function waitForEnrolment(
  api: HubApi,
  names: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const trusts = await api.listTrusts();
    const waiting = names.filter((n) => trusts.find((t) => t.name === n)?.nodeFingerprint == null);
    if (waiting.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`nodes not enrolled after ${timeoutMs} ms: ${waiting.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const projectStage: Stage<DemoState> = {
  title: (s) => `creating project ${s.options.project} with ${s.options.sites} sites`,
  run: async (s) => {
    const api = need(s.api, 'admin login');
    const project = await api.createProject(
      s.options.project,
      'Tessera demo: synthetic cardiometabolic cohort',
    );
    await api.addMember(project.name, { email: s.options.researcherEmail, role: 'researcher' });
    for (const site of s.sites) await api.addTrust(project.name, site.name);
    return undefined;
  },
};

const researcherLoginStage: Stage<DemoState> = {
  title: 'logging in as researcher',
  run: async (s) => {
    s.researcher = await logIn(
      s,
      s.options.researcherEmail,
      need(s.researcherPasswordFile, 'researcher password'),
    );
    return undefined;
  },
};

const summaryStage: Stage<DemoState> = {
  title: (s) => `running summary over ${s.options.sites} sites`,
  run: async (s) => {
    const job = await submitAndWait(
      need(s.researcher, 'researcher login'),
      {
        project: s.options.project,
        algorithm: 'summary',
        datasets: [s.options.dataset],
        params: { variables: [...s.options.variables] },
      },
      { timeoutMs: 60_000 },
    );
    s.job = job;
    return `${job.status} in ${jobMs(job)} ms`;
  },
};

function jobMs(job: JobView): number {
  return job.finishedAt === null ? NaN : Date.parse(job.finishedAt) - Date.parse(job.createdAt);
}

const pooledStage: Stage<DemoState> = {
  title: 'comparing with the pooled rows (only the demo has them: it made the data)',
  run: async (s) => {
    const job = need(s.job, 'summary job');
    if (job.status !== 'succeeded') return 'skipped: the job failed';
    const { generateSite } = await import('../synth/index.js');
    const rows = s.sites.flatMap((site) => generateSite(site.generator));
    const c = compareWithPooled(job.result, pooledSummary(rows, s.options.variables));
    // Exact pooling (DESIGN "A job, end to end"): only floating-point rounding may differ.
    if (c.mismatches.length > 0 || c.maxRelativeDifference > 1e-9) {
      throw new TesseraError(
        'INTERNAL',
        `the federated summary differs from the pooled one (${c.mismatches.join(', ') || `relative difference ${c.maxRelativeDifference}`})`,
      );
    }
    return `equal within ${c.maxRelativeDifference.toExponential(1)} (relative) over ${rows.length} rows`;
  },
};

/** The demo, as an ordered list of stages (later issues append theirs). */
export function demoStages(sites: number): Stage<DemoState>[] {
  return [
    prepare,
    imagingGenerateStage,
    initHubStage,
    startHubStage,
    loginStage,
    researcherStage,
    ...Array.from({ length: sites }, (_, i) => siteStage(i)),
    startNodesStage,
    imagingSendStage,
    projectStage,
    researcherLoginStage,
    summaryStage,
    pooledStage,
    ...DEMO_ANALYSES.map(analysisStage),
    analysisStage(SECURE_ANALYSIS),
    secureCheckStage,
    trainingStage,
    predictionStage,
    imagingReadyStage,
    imagingCohortStage,
    imageStatsStage,
    deidCheckStage,
  ];
}
