import { composedGaussianEpsilon, getAlgorithm } from '@tessera/algorithms';
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

function task(forProject = project, jobId?: string) {
  const p = makeTaskPayload({
    project: forProject,
    algorithm: { name: 'summary', version: getAlgorithm('summary')?.version ?? 'missing' },
    ...(jobId === undefined ? {} : { jobId }),
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
  const p = {
    taskId: '1b7c2a1e-5f7a-4c36-a1b1-1f0d6c0d2e55',
    jobId: '5e2b1c0d-3a4f-4b6e-9c8d-7f6e5d4c3b2a',
    project,
    traceId: 'a'.repeat(32),
  };

  it('fails a step whose privacy report is malformed, without spending', async () => {
    let calls = 0;
    const ledger = {
      spend: () => {
        calls++;
        return Promise.resolve({
          ok: true as const,
          repeated: false,
          spent: { epsilon: 0.5, delta: 0 },
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

/*
 * DP-FedAvg (issue 6): each round's noisy update names the RDP accountant of the job's repeated
 * Gaussian releases. The node charges the k-th release of a job ε(k) − ε(k−1) (and δ with the
 * first) from its OWN count of the job's releases, so after k rounds the job has spent exactly
 * the accountant's (ε(k), δ), whatever the step or the hub claimed.
 */
describe('the node charges DP-FedAvg rounds by the accountant', () => {
  const sigma = 1.5;
  const delta = 1e-6;
  const accountant = { method: 'rdp-gaussian', sigma, delta } as const;
  const epsilonAfter = (k: number): number => composedGaussianEpsilon(k, sigma, delta).epsilon;
  /** A round's output as the step writes it: one release at its own ε(1), δ, and the accountant. */
  const round = (claimed: number): ExecOutcome => ({
    status: 'ok',
    output: {
      update: [0.1, -0.2],
      privacy: {
        epsilon: claimed,
        delta,
        releases: [
          {
            mechanism: 'gaussian',
            epsilon: claimed,
            delta,
            noiseScale: 3,
            resolution: 2 ** -20,
            statistic: 'update',
          },
        ],
        accountant,
      },
    },
  });
  const jobA = '3f1e2d3c-4b5a-4697-8876-5a4b3c2d1e0f';
  const jobB = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';

  beforeEach(async () => {
    await approveProject({
      dir,
      project: 'diabetes',
      datasets: ['cohort'],
      budget: { epsilon: 2.2 * epsilonAfter(3), delta: 1e-5 },
    });
  });

  it('charges increments that sum to ε(k) over k rounds, δ once, and reports what it charged', async () => {
    const { runner, sent } = startRunner();
    // The step claims far less than the increments: the node's own count decides.
    next = round(1e-9);
    for (let k = 0; k < 3; k++) await runner.handle(task(project, jobA));
    const released = sent.map(opened);
    const reports = released.map((r) => {
      if (r.status !== 'ok') throw new Error(`round refused: ${JSON.stringify(r)}`);
      return (r.output as { privacy: { epsilon: number; delta: number } }).privacy;
    });
    const { entries } = await readAudit(paths.audit);
    const spends = entries
      .filter((e) => e.action === 'privacy.spent')
      .map((e) => e.details as { epsilon: number; delta: number; job: string });
    expect(spends.map((s) => s.job)).toEqual([jobA, jobA, jobA]);
    let total = 0;
    spends.forEach((s, i) => {
      const k = i + 1;
      expect(s.epsilon).toBeCloseTo(epsilonAfter(k) - epsilonAfter(k - 1), 12);
      expect(s.delta).toBe(k === 1 ? delta : 0);
      expect(reports[i]).toMatchObject({ epsilon: s.epsilon, delta: s.delta });
      total += s.epsilon;
      // The ledger's total after k rounds is the accountant's ε after k releases (rtol 1e-12).
      expect(Math.abs(total - epsilonAfter(k))).toBeLessThan(1e-12 * epsilonAfter(k));
    });
  });

  it('counts per job: another job starts again at ε(1); a redelivered round is charged once', async () => {
    const { runner, sent } = startRunner();
    next = round(1);
    const first = task(project, jobA);
    await runner.handle(first);
    await runner.handle({ ...first, header: { ...first.header, attempt: 2 } });
    await runner.handle(task(project, jobA));
    await runner.handle(task(project, jobB));
    expect(sent.map((s) => opened(s).status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const { entries } = await readAudit(paths.audit);
    const charged = entries
      .filter((e) => e.action === 'privacy.spent')
      .map((e) => (e.details as { epsilon: number }).epsilon);
    expect(charged).toHaveLength(3);
    expect(charged[0]).toBeCloseTo(epsilonAfter(1), 12);
    expect(charged[1]).toBeCloseTo(epsilonAfter(2) - epsilonAfter(1), 12);
    expect(charged[2]).toBeCloseTo(epsilonAfter(1), 12);
  });

  it('refuses with PRIVACY_BUDGET the round that would take the job past the budget', async () => {
    const { runner, sent } = startRunner();
    next = round(1);
    // Budget 2.2·ε(3): job A spends ε(3) in three rounds; job B's m-th round is released while
    // ε(3) + ε(m) stays within the budget, and refused from then on.
    for (let k = 0; k < 3; k++) await runner.handle(task(project, jobA));
    const statuses: string[] = [];
    for (let k = 0; k < 6; k++) {
      await runner.handle(task(project, jobB));
      statuses.push(opened(sent.at(-1)).status);
    }
    const allowed = [1, 2, 3, 4, 5, 6].filter(
      (m) => epsilonAfter(3) + epsilonAfter(m) <= 2.2 * epsilonAfter(3),
    ).length;
    expect(allowed).toBeGreaterThan(0);
    expect(allowed).toBeLessThan(6);
    expect(statuses).toEqual([
      ...new Array<string>(allowed).fill('ok'),
      ...new Array<string>(6 - allowed).fill('refused'),
    ]);
    const last = opened(sent.at(-1));
    expect(last).toMatchObject({ status: 'refused', code: 'PRIVACY_BUDGET' });
  });
});
