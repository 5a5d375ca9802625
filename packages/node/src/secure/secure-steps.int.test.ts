import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTable, numberColumn, runLocalStep, summary } from '@tessera/algorithms';
import { generatePartyKeys, type TaskPayload } from '@tessera/protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExecOutcome } from '../exec/executor.js';
import { nodePaths } from '../store/layout.js';
import { parseFailpoints } from './failpoints.js';
import { createSecureSteps } from './secure-steps.js';

/*
 * The node's secure-aggregation handler on a real folder: the keys phase runs the step through
 * the plain path and keeps its output in a 0600 file, a task run again gets the same answer (never
 * re-randomised), a refusal keeps nothing, stale memory is swept, and failpoints are strict.
 */

const JOB = '11111111-2222-4333-8444-555555555555';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setUp(o: { exit?: (code: number) => void; failpoints?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-secure-'));
  dirs.push(dir);
  const paths = nodePaths(dir);
  const keys = generatePartyKeys();
  const me = { name: 'alpha', keys, hubKeys: generatePartyKeys().public };
  const steps = createSecureSteps({
    paths,
    me,
    logger: pino({ level: 'silent' }),
    now: () => new Date(),
    failpoints: parseFailpoints(o.failpoints),
    ...(o.exit === undefined ? {} : { exit: o.exit }),
  });
  return { dir, paths, steps };
}

function task(
  step: string,
  input: unknown,
  taskId = 'a0000000-0000-4000-8000-000000000001',
): TaskPayload {
  return {
    taskId,
    jobId: JOB,
    project: { id: 'b0000000-0000-4000-8000-000000000001', name: 'p1' },
    algorithm: { name: 'summary', version: '1.1.0' },
    step,
    round: 1,
    datasets: ['d'],
    cohort: null,
    params: { variables: ['age'] },
    input,
    secureAggregation: true,
    traceId: '0123456789abcdef0123456789abcdef',
    deadline: new Date(Date.now() + 60_000).toISOString(),
  };
}

/** A real summary output of 40 ages, as the worker would give it. */
function stats(): unknown {
  const out = runLocalStep(summary, 'stats', {
    table: makeTable({ age: numberColumn(Array.from({ length: 40 }, (_, i) => 30 + i)) }),
    params: summary.params.parse({ variables: ['age'] }),
    input: null,
    round: 0,
    policy: { minCount: 10, allowMinMax: false },
    randomBytes: (k) => new Uint8Array(k),
  });
  if (out.status !== 'ok') throw new Error('summary refused');
  return out.output;
}

describe('the secure-aggregation handler of a node', () => {
  it('runs step S of the keys phase through the plain path and keeps its output in a 0600 file', async () => {
    const { paths, steps } = setUp();
    const runPlain = vi.fn((p: TaskPayload): Promise<ExecOutcome> => {
      expect(p.step).toBe('stats');
      expect(p.input).toEqual({ inner: 1 });
      return Promise.resolve({ status: 'ok', output: stats() });
    });
    const keysTask = task('stats#sa-keys', { phase: 'keys', saRound: 0, input: { inner: 1 } });
    const first = await steps.run(keysTask, runPlain);
    expect(first.status).toBe('ok');
    const file = join(paths.dir, 'secure', `${JOB}.json`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(paths.dir, 'secure')).mode & 0o777).toBe(0o700);
    // The same task again (a resume after a crash): the kept answer, not new keys.
    const again = await steps.run(keysTask, runPlain);
    expect(again).toEqual(first);
    expect(runPlain).toHaveBeenCalledTimes(1);
  });

  it('reports a refusal at keys as a normal refusal and keeps no memory', async () => {
    const { paths, steps } = setUp();
    const refused: ExecOutcome = {
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'cohort has fewer than 10 rows',
    };
    const out = await steps.run(
      task('stats#sa-keys', { phase: 'keys', saRound: 0, input: null }),
      () => Promise.resolve(refused),
    );
    expect(out).toEqual(refused);
    expect(() => statSync(join(paths.dir, 'secure', `${JOB}.json`))).toThrow();
  });

  it('refuses a later phase without memory, and a shares phase without identity keys', async () => {
    const { steps } = setUp();
    const none = (): Promise<ExecOutcome> => Promise.reject(new Error('not called'));
    const masked = await steps.run(
      task('stats#sa-masked', {}, 'a0000000-0000-4000-8000-000000000002'),
      none,
    );
    expect(masked).toMatchObject({ status: 'refused', code: 'CRYPTO_FAILED' });
    const shares = await steps.run(
      task(
        'stats#sa-shares',
        { phase: 'shares', saRound: 0, threshold: 2, advertisements: {} },
        'a0000000-0000-4000-8000-000000000003',
      ),
      none,
    );
    expect(shares).toMatchObject({
      status: 'refused',
      code: 'CRYPTO_FAILED',
      reason: /identity keys/,
    });
  });

  it('exits at the unmask phase under exit-after:sa-masked, before answering', async () => {
    const exit = vi.fn((code: number) => {
      throw new Error(`exit ${String(code)}`);
    });
    const { steps } = setUp({ exit, failpoints: 'exit-after:sa-masked' });
    const unmask = task('stats#sa-unmask', {
      phase: 'unmask',
      saRound: 0,
      survivors: [],
      dropped: [],
    });
    await expect(steps.run(unmask, () => Promise.reject(new Error('not called')))).rejects.toThrow(
      'exit 75',
    );
    expect(exit).toHaveBeenCalledWith(75);
  });

  it('sweeps memory older than a day at start', () => {
    const { paths } = setUp();
    const dir = join(paths.dir, 'secure');
    mkdirSync(dir, { recursive: true });
    const old = join(dir, `${JOB}.json`);
    writeFileSync(old, '{}');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    createSecureSteps({
      paths,
      me: { name: 'alpha', keys: generatePartyKeys(), hubKeys: generatePartyKeys().public },
      logger: pino({ level: 'silent' }),
      now: () => new Date(),
      failpoints: new Set(),
    });
    expect(() => statSync(old)).toThrow();
  });

  it('refuses an unknown failpoint instead of running a normal node', () => {
    expect(() => parseFailpoints('exit-after:sa-keys')).toThrow(
      /unknown failpoint exit-after:sa-keys/,
    );
    expect([...parseFailpoints(' exit-after:sa-masked ,')]).toEqual(['exit-after:sa-masked']);
  });
});
