import { getAlgorithm } from '@tessera/algorithms';
import {
  openJson,
  resultPayloadSchema,
  taskAd,
  type PartyKeys,
  type ResultPayload,
  type ResultSubmission,
} from '@tessera/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecOutcome, Executor } from '../exec/executor.js';
import { approveProject, setPolicy } from '../index.js';
import { readAudit } from '../store/audit-log.js';
import type { NodePaths } from '../store/layout.js';
import { loadPartyKeys } from '../store/node-config.js';
import {
  generatePartyKeys,
  headerFor,
  makeCollectingRunner,
  makeTask,
  makeTaskNode,
  makeTaskPayload,
} from '../testing/helpers.js';
import type { NodeIdentity } from './task-crypto.js';
import { spendBeforeRelease } from './privacy-release.js';

const TRUST = 'st-marys';
const project = { id: '7d0f1f52-7a4e-4a39-9c55-3b8b3a0f8d11', name: 'diabetes' };

let cleanup: () => Promise<void>;
let dir: string;
let paths: NodePaths;
let hub: PartyKeys;
let me: NodeIdentity;
/** What the fake step returns: a noisy output carrying its privacy report, unless changed. */
let next: ExecOutcome;

const noisy = (epsilon: number): ExecOutcome => ({
  status: 'ok',
  output: {
    counts: [12, 31],
    privacy: {
      epsilon,
      delta: 0,
      releases: [
        { mechanism: 'laplace', epsilon, delta: 0, noiseScale: 1 / epsilon, resolution: 1 },
      ],
    },
  },
});

beforeEach(async () => {
  ({ cleanup, dir, paths, hub, me } = await makeTaskNode({
    trust: TRUST,
    budget: { epsilon: 1, delta: 0 },
  }));
  // The fake step reports no rows, so the differencing guard (tested elsewhere) is off here.
  await setPolicy({ dir, differencingGuard: false });
  hub = generatePartyKeys();
  me = { name: TRUST, keys: await loadPartyKeys(paths), hubKeys: hub.public };
  next = noisy(0.4);
});
afterEach(async () => {
  await cleanup();
});

/** A node process: a fresh runner (and ledger) on the node folder, with a fake executor. */
function startRunner() {
  const executor: Executor = {
    run: () => Promise.resolve(next),
    close: () => Promise.resolve(),
  };
  return makeCollectingRunner({ paths, me, executor });
}

function task(forProject = project) {
  const p = makeTaskPayload({
    project: forProject,
    algorithm: { name: 'summary', version: getAlgorithm('summary')?.version ?? 'missing' },
  });
  return makeTask(hub, me.keys.public, p, headerFor(p, TRUST));
}

function opened(s: ResultSubmission | undefined): ResultPayload {
  if (s === undefined) throw new Error('nothing was sent');
  return resultPayloadSchema.parse(openJson(s.sealed, hub.sealPrivate, taskAd(s.header, 'result')));
}

describe('the node spends the privacy budget before a noisy release', () => {
  it('releases noisy outputs until the budget, then refuses with PRIVACY_BUDGET; the log shows both', async () => {
    const { runner, sent } = startRunner();
    await runner.handle(task());
    await runner.handle(task());
    await runner.handle(task());
    const [a, b, c] = sent.map(opened);
    expect(a?.status).toBe('ok');
    expect(b?.status).toBe('ok');
    expect(c).toMatchObject({ status: 'refused', code: 'PRIVACY_BUDGET' });
    const { entries } = await readAudit(paths.audit);
    const spent = entries.filter((e) => e.action === 'privacy.spent');
    const left = spent.map((e) => (e.details.remaining as { epsilon: number }).epsilon);
    expect(left).toHaveLength(2);
    expect(left[0]).toBeCloseTo(0.6, 12);
    expect(left[1]).toBeCloseTo(0.2, 12);
    // Each spend is audited before the release it pays for.
    const order = entries
      .map((e) => e.action)
      .filter(
        (x) => x === 'privacy.spent' || x.startsWith('task.released') || x === 'task.refused',
      );
    expect(order).toEqual([
      'privacy.spent',
      'task.released',
      'privacy.spent',
      'task.released',
      'task.refused',
    ]);
  });

  it('keeps the budget across a restart: a fresh node process refuses the release that would exceed it', async () => {
    await startRunner().runner.handle(task());
    await startRunner().runner.handle(task());
    const { runner, sent } = startRunner();
    await runner.handle(task());
    expect(opened(sent[0])).toMatchObject({ status: 'refused', code: 'PRIVACY_BUDGET' });
  });

  it('does not spend twice for a redelivered task', async () => {
    const { runner, sent } = startRunner();
    const t = task();
    await runner.handle(t);
    await runner.handle({ ...t, header: { ...t.header, attempt: 2 } });
    expect(sent).toHaveLength(2);
    const { entries } = await readAudit(paths.audit);
    expect(entries.filter((e) => e.action === 'privacy.spent')).toHaveLength(1);
  });

  it('spends nothing for a plain output, a refused step or a failed one', async () => {
    for (const o of [
      { status: 'ok', output: { counts: [12, 31] } },
      { status: 'refused', code: 'MIN_COUNT', reason: 'too few rows' },
      { status: 'failed', code: 'STEP_FAILED', reason: 'boom' },
    ] satisfies ExecOutcome[]) {
      next = o;
      await startRunner().runner.handle(task());
    }
    const { entries } = await readAudit(paths.audit);
    expect(entries.filter((e) => e.action === 'privacy.spent')).toHaveLength(0);
  });

  it('refuses a noisy release for a project the operator gave no budget', async () => {
    await approveProject({ dir, project: 'cardio', datasets: ['cohort'] });
    const { runner, sent } = startRunner();
    await runner.handle(task({ id: '0c9a4a4e-1d2b-4f0e-8a55-6b1f2f3e4d5c', name: 'cardio' }));
    const r = opened(sent[0]);
    expect(r).toMatchObject({ status: 'refused', code: 'PRIVACY_BUDGET' });
    expect(r.status === 'refused' && r.reason).toMatch(/cardio has no privacy budget/);
  });
});

describe('spendBeforeRelease', () => {
  const p = { taskId: '1b7c2a1e-5f7a-4c36-a1b1-1f0d6c0d2e55', project, traceId: 'a'.repeat(32) };

  it('fails a step whose privacy report is malformed, without spending', async () => {
    let calls = 0;
    const ledger = {
      spend: () => {
        calls++;
        return Promise.resolve({
          ok: true as const,
          repeated: false,
          remaining: { epsilon: 1, delta: 0 },
        });
      },
    };
    const out = await spendBeforeRelease(ledger, p, {
      status: 'ok',
      output: { privacy: { epsilon: -1, delta: 0 } },
    });
    expect(out).toMatchObject({ status: 'failed', code: 'STEP_FAILED' });
    expect(calls).toBe(0);
    expect(await spendBeforeRelease(ledger, p, noisy(0.5))).toEqual(noisy(0.5));
    expect(calls).toBe(1);
  });

  it('turns a refused spend into the task’s PRIVACY_BUDGET refusal', async () => {
    const ledger = {
      spend: () =>
        Promise.resolve({ ok: false as const, code: 'PRIVACY_BUDGET' as const, reason: 'used up' }),
    };
    expect(await spendBeforeRelease(ledger, p, noisy(0.5))).toEqual({
      status: 'refused',
      code: 'PRIVACY_BUDGET',
      reason: 'used up',
    });
  });
});
