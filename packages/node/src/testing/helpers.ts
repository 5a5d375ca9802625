import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generatePartyKeys,
  issueSecret,
  newTraceId,
  sealJson,
  signJson,
  taskAd,
  type PartyKeys,
  type PublicKeys,
  type ResultSubmission,
  type TaskEnvelope,
  type TaskHeader,
  type TaskPayload,
} from '@tessera/protocol';
import { pino } from 'pino';
import { approveProject, importDataset, initNode, type NodeInitOptions } from '../index.js';
import { nodePaths, type NodePaths } from '../store/layout.js';
import { loadPartyKeys } from '../store/node-config.js';
import type { NodeIdentity } from '../task/task-crypto.js';
import { createTaskRunner, type TaskRunner, type TaskRunnerDeps } from '../task/task-runner.js';

export const silentLogger = pino({ level: 'silent' });
export const TEST_PIN = `sha256/${Buffer.alloc(32, 7).toString('base64')}`;

/** A temp folder removed by the returned cleanup. */
export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-node-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Initialises a node in `<base>/node` with valid defaults. */
export async function makeNode(base: string, overrides: Partial<NodeInitOptions> = {}) {
  const dir = join(base, 'node');
  const apiKey = issueSecret('node').secret;
  const res = await initNode({
    dir,
    hubUrl: 'https://127.0.0.1:1',
    pin: TEST_PIN,
    name: 'st-marys',
    apiKey,
    consolePort: 0,
    ...overrides,
  });
  return { ...res, apiKey };
}

/** A CSV of `n` rows: age (number), sex (categorical), visit (date), id. */
export function makeCsv(n: number, seed = 1): string {
  const lines = ['id,age,sex,visit'];
  for (let i = 0; i < n; i++) {
    const age = 20 + ((i * 37 + seed * 11) % 60);
    const sex = i % 3 === 0 ? 'F' : 'M';
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(`P${1000 + i},${age},${sex},2020-01-${day}`);
  }
  return lines.join('\r\n') + '\r\n';
}

export async function writeCsvFile(base: string, name: string, text: string): Promise<string> {
  const file = join(base, name);
  await writeFile(file, text);
  return file;
}

/** The hub's side of a task: a payload sealed to the node and signed by the hub. */
export function makeTaskPayload(overrides: Partial<TaskPayload> = {}): TaskPayload {
  return {
    taskId: randomUUID(),
    jobId: randomUUID(),
    project: { id: randomUUID(), name: 'diabetes' },
    algorithm: { name: 'summary', version: '1.1.0' },
    step: 'stats',
    round: 0,
    datasets: ['cohort'],
    cohort: null,
    params: { variables: ['age', 'sex'] },
    input: null,
    secureAggregation: false,
    traceId: newTraceId(),
    deadline: new Date(Date.now() + 60_000).toISOString(),
    ...overrides,
  };
}

export function headerFor(
  p: TaskPayload,
  trust: string,
  overrides: Partial<TaskHeader> = {},
): TaskHeader {
  return {
    taskId: p.taskId,
    jobId: p.jobId,
    projectId: p.project.id,
    trust,
    round: p.round,
    attempt: 1,
    issuedAt: new Date().toISOString(),
    leaseExpiresAt: new Date(Date.now() + 60_000).toISOString(),
    ...overrides,
  };
}

/** Seals `payload` to `nodeSeal` under `header`'s associated data and signs it with `hub`. */
export function makeTask(
  hub: PartyKeys,
  nodeKeys: PublicKeys,
  payload: TaskPayload,
  header: TaskHeader,
): TaskEnvelope {
  const sealed = sealJson(payload, nodeKeys.seal, taskAd(header, 'task'));
  return { type: 'task', header, sealed, sig: signJson({ header, sealed }, hub.signPrivate) };
}

/**
 * A node that can take tasks: a fresh temp folder (removed by `cleanup`) holding a node named
 * `trust` with dataset `cohort` (`makeCsv(40)`) imported and approved for project diabetes
 * (with `budget` when given), a hub key pair, and the node's identity as its task runner sees it.
 */
export async function makeTaskNode(o: {
  trust: string;
  idColumn?: string;
  budget?: { epsilon: number; delta: number };
}): Promise<{
  base: string;
  cleanup: () => Promise<void>;
  dir: string;
  paths: NodePaths;
  hub: PartyKeys;
  me: NodeIdentity;
}> {
  const { dir: base, cleanup } = await makeTempDir();
  const { dir } = await makeNode(base, { name: o.trust });
  const paths = nodePaths(dir);
  await importDataset({
    dir,
    name: 'cohort',
    file: await writeCsvFile(base, 'a.csv', makeCsv(40)),
    ...(o.idColumn === undefined ? {} : { idColumn: o.idColumn }),
  });
  await approveProject({
    dir,
    project: 'diabetes',
    datasets: ['cohort'],
    ...(o.budget === undefined ? {} : { budget: o.budget }),
  });
  const hub = generatePartyKeys();
  const me = { name: o.trust, keys: await loadPartyKeys(paths), hubKeys: hub.public };
  return { base, cleanup, dir, paths, hub, me };
}

/**
 * A task runner whose hub answers every submission with `ack` (default accepted); what it sent
 * is pushed to `sent` (a new array unless given, e.g. to share one with a restarted runner).
 */
export function makeCollectingRunner(
  deps: Omit<TaskRunnerDeps, 'logger' | 'deliver'>,
  o: { ack?: string; sent?: ResultSubmission[] } = {},
): { runner: TaskRunner; sent: ResultSubmission[] } {
  const sent = o.sent ?? [];
  const ack = o.ack ?? 'accepted';
  const runner = createTaskRunner({
    ...deps,
    logger: silentLogger,
    deliver: (s) => {
      sent.push(s);
      return Promise.resolve(ack);
    },
  });
  return { runner, sent };
}

export { generatePartyKeys };
