import { appendFileSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  openJson,
  resultPayloadSchema,
  signJson,
  taskAd,
  verifyJson,
  type PartyKeys,
  type ResultSubmission,
  type TaskEnvelope,
} from '@tessera/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  generatePartyKeys,
  headerFor,
  makeCsv,
  makeCollectingRunner,
  makeTask,
  makeTaskNode,
  makeTaskPayload,
  silentLogger,
  writeCsvFile,
} from '../testing/helpers.js';
import { createExecutor, type Executor } from '../exec/executor.js';
import { importDataset, setPolicy } from '../index.js';
import { readAudit } from '../store/audit-log.js';
import type { NodePaths } from '../store/layout.js';
import type { NodeIdentity } from './task-crypto.js';
import type { TaskRunner } from './task-runner.js';
import { ackLogFile, listTasks, readTask, writeTask } from './task-store.js';

const REAL_WORKER = new URL('../../dist/exec/step-worker.js', import.meta.url);
const TRUST = 'st-marys';

let base: string;
let cleanup: () => Promise<void>;
let paths: NodePaths;
let hub: PartyKeys;
let me: NodeIdentity;
let executor: Executor;
let runs: number;
let sent: ResultSubmission[];
let runner: TaskRunner;

beforeEach(async () => {
  ({ base, cleanup, paths, hub, me } = await makeTaskNode({ trust: TRUST, idColumn: 'id' }));
  const real = createExecutor({ workerUrl: REAL_WORKER, logger: silentLogger });
  runs = 0;
  executor = {
    run: (req, t) => {
      runs++;
      return real.run(req, t);
    },
    close: (g) => real.close(g),
  };
  ({ runner, sent } = makeCollectingRunner({ paths, me, executor }));
});
afterEach(async () => {
  await executor.close(0);
  await cleanup();
});

/** The hub's view of a submission: signature by the node's key, opened with the hub's key. */
function hubOpens(s: ResultSubmission) {
  expect(verifyJson({ header: s.header, sealed: s.sealed }, s.sig, me.keys.public.sign)).toBe(true);
  return resultPayloadSchema.parse(openJson(s.sealed, hub.sealPrivate, taskAd(s.header, 'result')));
}

function goodTask(over: Parameters<typeof makeTaskPayload>[0] = {}): TaskEnvelope {
  const p = makeTaskPayload({ params: { variables: ['age', 'sex'] }, ...over });
  return makeTask(hub, me.keys.public, p, headerFor(p, TRUST));
}

const resign = (t: TaskEnvelope, signer = hub): TaskEnvelope => ({
  ...t,
  sig: signJson({ header: t.header, sealed: t.sealed }, signer.signPrivate),
});

async function actions() {
  return (await readAudit(paths.audit)).entries.map((e) => e.action);
}

describe('a valid task', () => {
  it('runs once, releases a sealed signed result, audits the released output and keeps it', async () => {
    const t = goodTask();
    await runner.handle(t);
    expect(sent).toHaveLength(1);
    const r = hubOpens(sent[0]!);
    expect(r).toMatchObject({ taskId: t.header.taskId, status: 'ok' });
    const { entries } = await readAudit(paths.audit);
    const released = entries.find((e) => e.action === 'task.released');
    expect(released?.details).toMatchObject({
      jobId: t.header.jobId,
      project: 'diabetes',
      algorithm: 'summary@1.1.0',
      step: 'stats',
    });
    expect(released?.details.output).toEqual(r.status === 'ok' ? r.output : null);
    expect(released?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect((await readTask(paths, t.header.taskId))?.state).toBe('acknowledged');
    // The project id is now bound to the approval.
    const policy = JSON.parse(await readFile(paths.policy, 'utf8')) as {
      approvals: { projectId: string }[];
    };
    expect(policy.approvals[0]?.projectId).toBe(t.header.projectId);
  });

  it('answers a redelivered task with the same submission, never computing or releasing twice', async () => {
    const t = goodTask();
    await runner.handle(t);
    const again = resign({
      ...t,
      header: { ...t.header, attempt: 2, issuedAt: new Date().toISOString() },
    });
    await Promise.all([runner.handle(again), runner.handle(again)]);
    expect(runs).toBe(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect((await actions()).filter((a) => a === 'task.released')).toHaveLength(1);
  });

  it('resumes a task a killed node had received but not finished', async () => {
    const t = goodTask();
    // What a node killed mid-step leaves: the record in state received.
    await writeTask(paths, {
      v: 1,
      taskId: t.header.taskId,
      jobId: t.header.jobId,
      projectId: t.header.projectId,
      round: 0,
      attempt: 1,
      state: 'received',
      receivedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      traceId: null,
      envelope: t,
      outcome: null,
      details: null,
      result: null,
      submission: null,
      audited: false,
      ack: null,
    });
    await runner.resume(await listTasks(paths));
    expect(runs).toBe(1);
    expect(hubOpens(sent[0]!)).toMatchObject({ status: 'ok' });
    // Its task.received entry, which a power cut could have lost, is audited before the release.
    expect((await actions()).filter((a) => a.startsWith('task.') || a === 'project.bound')).toEqual(
      ['task.received', 'project.bound', 'task.released'],
    );
  });
  it('audits an outcome once when the node stopped between its audit entry and its record', async () => {
    const t = goodTask();
    await runner.handle(t);
    const kept = await readTask(paths, t.header.taskId);
    // What a node killed right after auditing the release leaves: done, not marked audited, no ack.
    await writeTask(paths, { ...kept!, state: 'done', audited: false, ack: null });
    rmSync(ackLogFile(paths));
    const { runner: restarted } = makeCollectingRunner(
      { paths, me, executor },
      { ack: 'duplicate', sent },
    );
    await restarted.resume(await listTasks(paths));
    expect(runs).toBe(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect((await actions()).filter((a) => a === 'task.released')).toHaveLength(1);
    expect(await readTask(paths, t.header.taskId)).toMatchObject({
      state: 'acknowledged',
      audited: true,
      ack: 'duplicate',
    });
  });
});

describe('acknowledgements', () => {
  it('appends the ack to the ack log and never rewrites the done record', async () => {
    const t = goodTask();
    await runner.handle(t);
    const file = paths.task(t.header.taskId);
    const onDisk = JSON.parse(readFileSync(file, 'utf8')) as { state: string };
    expect(onDisk.state).toBe('done');
    const ino = statSync(file).ino;
    const lines = readFileSync(ackLogFile(paths), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { taskId: t.header.taskId, ack: 'accepted', at: expect.any(String) as unknown },
    ]);
    // Read back (as resume and status do) it is acknowledged, and the file is the same one.
    expect((await listTasks(paths))[0]).toMatchObject({ state: 'acknowledged', ack: 'accepted' });
    await runner.handle(t);
    expect(statSync(file).ino).toBe(ino);
  });

  it('delivers once more a task whose ack line a crash tore, and keeps later acks whole', async () => {
    const t = goodTask();
    await runner.handle(t);
    // A crash mid-append: the ack log ends with a torn line instead of the ack.
    rmSync(ackLogFile(paths));
    appendFileSync(ackLogFile(paths), `{"taskId":"${t.header.taskId}","ack":"acc`);
    const { runner: restarted } = makeCollectingRunner(
      { paths, me, executor },
      { ack: 'duplicate', sent },
    );
    await restarted.resume(await listTasks(paths));
    expect(runs).toBe(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(await readTask(paths, t.header.taskId)).toMatchObject({
      state: 'acknowledged',
      ack: 'duplicate',
    });
  });
});

describe('tampered tasks are refused, audited, and nothing runs', () => {
  async function expectRefused(t: TaskEnvelope, code: string, answered: boolean) {
    await runner.handle(t);
    expect(runs).toBe(0);
    expect(await listTasks(paths)).toEqual([]);
    const { entries } = await readAudit(paths.audit);
    const refusal = entries.find((e) => e.action === 'task.refused');
    expect(refusal?.details).toMatchObject({ taskId: t.header.taskId, code });
    expect(entries.some((e) => e.action === 'task.received' || e.action === 'task.released')).toBe(
      false,
    );
    expect(sent).toHaveLength(answered ? 1 : 0);
    if (answered) expect(hubOpens(sent[0]!)).toMatchObject({ status: 'refused', code });
  }

  it('altered ciphertext (re-signed by the hub)', async () => {
    const t = goodTask();
    const ct = t.sealed.ct;
    const flipped = ct[10] === 'A' ? 'B' : 'A';
    await expectRefused(
      resign({ ...t, sealed: { ...t.sealed, ct: ct.slice(0, 10) + flipped + ct.slice(11) } }),
      'CRYPTO_FAILED',
      true,
    );
  });

  it('altered associated data: header.round changed and re-signed by the hub key', async () => {
    const t = goodTask();
    await expectRefused(resign({ ...t, header: { ...t.header, round: 5 } }), 'CRYPTO_FAILED', true);
  });

  it('a task sealed to another node', async () => {
    const other = generatePartyKeys();
    const p = makeTaskPayload();
    await expectRefused(makeTask(hub, other.public, p, headerFor(p, TRUST)), 'CRYPTO_FAILED', true);
  });

  it('a task addressed to another trust is refused without an answer', async () => {
    const other = generatePartyKeys();
    const p = makeTaskPayload();
    await expectRefused(
      makeTask(hub, other.public, p, headerFor(p, 'kings')),
      'CRYPTO_FAILED',
      false,
    );
  });

  it('an unsigned task', async () => {
    const t = goodTask();
    await expectRefused({ ...t, sig: 'A'.repeat(86) }, 'BAD_SIGNATURE', true);
  });

  it('a task signed by another key than the pinned hub key', async () => {
    await expectRefused(resign(goodTask(), generatePartyKeys()), 'BAD_SIGNATURE', true);
  });
});

describe('policy at the node', () => {
  it('refuses a project the operator did not approve, with code and reason, audited', async () => {
    await runner.handle(goodTask({ project: { id: crypto.randomUUID(), name: 'oncology' } }));
    expect(runs).toBe(0);
    expect(hubOpens(sent[0]!)).toMatchObject({
      status: 'refused',
      code: 'PROJECT_NOT_APPROVED',
      reason: expect.stringContaining('oncology'),
    });
    const refusal = (await readAudit(paths.audit)).entries.find((e) => e.action === 'task.refused');
    expect(refusal?.details).toMatchObject({ code: 'PROJECT_NOT_APPROVED', project: 'oncology' });
  });

  it('applies a raised node minCount that a job cannot lower', async () => {
    await setPolicy({ dir: paths.dir, minCount: 100 });
    await runner.handle(goodTask({ params: { variables: ['age'], minCount: 1 } }));
    expect(hubOpens(sent[0]!)).toMatchObject({ status: 'refused', code: 'MIN_COUNT' });
    expect((await actions()).includes('task.released')).toBe(false);
  });
});

describe('operator changes while the node runs', () => {
  const count = (s: ResultSubmission) => {
    const r = hubOpens(s);
    return r.status === 'ok' ? (r.output as { rows: number }).rows : null;
  };

  it('the next task sees a re-imported dataset and a raised minCount', async () => {
    const project = { id: crypto.randomUUID(), name: 'diabetes' };
    await runner.handle(goodTask({ project }));
    expect(count(sent[0]!)).toBe(40);
    await importDataset({
      dir: paths.dir,
      name: 'cohort',
      file: await writeCsvFile(base, 'b.csv', makeCsv(55, 2)),
      idColumn: 'id',
      replace: true,
    });
    await runner.handle(goodTask({ project }));
    expect(count(sent[1]!)).toBe(55);
    await setPolicy({ dir: paths.dir, minCount: 100 });
    await runner.handle(goodTask({ project }));
    expect(hubOpens(sent[2]!)).toMatchObject({ status: 'refused', code: 'MIN_COUNT' });
    expect(runs).toBe(3);
  });
});
