import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCsv, makeNode, makeTempDir, silentLogger, writeCsvFile } from '../testing/helpers.js';
import { readDatasetSchema } from '../data/dataset-format.js';
import { importDataset } from '../index.js';
import { createExecutor, type Executor } from './executor.js';

// The real worker is the compiled one (the suite builds before vitest).
const REAL_WORKER = new URL('../../dist/exec/step-worker.js', import.meta.url);

// A stand-in worker speaking the executor's message protocol that misbehaves on request, so the
// limits are tested on real threads without a misbehaving algorithm in the product.
const FIXTURE = `
import { parentPort } from 'node:worker_threads';
parentPort.on('message', (req) => {
  if (req.step === 'loop') { for (;;) {} }
  if (req.step === 'oom') { const keep = []; for (;;) keep.push(Array.from({ length: 1e5 }, (_, i) => ({ i }))); }
  if (req.step === 'exit') { process.exit(3); }
  parentPort.postMessage({ type: 'done', id: req.id, outcome: { status: 'ok', output: { echo: req.params } } });
});
parentPort.postMessage({ type: 'ready' });
`;

let base: string;
let cleanup: () => Promise<void>;
let executor: Executor | undefined;
beforeEach(async () => {
  ({ dir: base, cleanup } = await makeTempDir());
});
afterEach(async () => {
  await executor?.close(0);
  executor = undefined;
  await cleanup();
});

/** A stored dataset as the node names it to the worker: its folder and current version. */
const stored = async (dir: string) => ({ dir, version: (await readDatasetSchema(dir)).version });

const req = (step: string, over: Record<string, unknown> = {}) => ({
  algorithm: 'summary',
  step,
  datasets: [],
  cohort: null,
  params: { n: 1 },
  input: null,
  round: 0,
  policy: { minCount: 10, allowMinMax: false },
  ...over,
});

async function fixtureExecutor(
  o: { timeoutMs?: number; memoryMb?: number } = {},
): Promise<Executor> {
  const file = join(base, 'fixture-worker.mjs');
  await writeFile(file, FIXTURE);
  executor = createExecutor({
    workerUrl: pathToFileURL(file),
    logger: silentLogger,
    poolSize: 1,
    ...o,
  });
  return executor;
}

describe('executor limits', () => {
  it('terminates a step that runs past its time limit, then serves the next step', async () => {
    const ex = await fixtureExecutor();
    expect(await ex.run(req('loop'), 300)).toEqual({
      status: 'failed',
      code: 'TIMEOUT',
      reason: expect.stringContaining('longer than'),
    });
    expect(await ex.run(req('echo'), 5_000)).toEqual({ status: 'ok', output: { echo: { n: 1 } } });
  });

  it('reports MEMORY_LIMIT for a step that exceeds its heap cap, then serves the next step', async () => {
    const ex = await fixtureExecutor({ memoryMb: 32 });
    expect(await ex.run(req('oom'), 20_000)).toEqual({
      status: 'failed',
      code: 'MEMORY_LIMIT',
      reason: 'the local step ran out of memory',
    });
    expect(await ex.run(req('echo'), 5_000)).toMatchObject({ status: 'ok' });
  });

  it('reports STEP_FAILED when a worker dies', async () => {
    const ex = await fixtureExecutor();
    expect(await ex.run(req('exit'), 5_000)).toMatchObject({
      status: 'failed',
      code: 'STEP_FAILED',
    });
  });

  it('queues steps beyond the pool size instead of failing them', async () => {
    const ex = await fixtureExecutor();
    const outs = await Promise.all(
      [1, 2, 3, 4].map((n) => ex.run(req('echo', { params: { n } }), 5_000)),
    );
    expect(outs).toEqual([1, 2, 3, 4].map((n) => ({ status: 'ok', output: { echo: { n } } })));
  });
});

describe('the real step worker', () => {
  it('runs summary on a stored dataset with the cohort applied; results match a direct computation', async () => {
    const { dir } = await makeNode(base);
    const csv = makeCsv(40);
    await importDataset({
      dir,
      name: 'cohort',
      file: await writeCsvFile(base, 'a.csv', csv),
      idColumn: 'id',
    });
    executor = createExecutor({ workerUrl: REAL_WORKER, logger: silentLogger });
    const out = await executor.run(
      req('stats', {
        datasets: [await stored(join(dir, 'datasets', 'cohort'))],
        cohort: { variable: 'age', op: '>=', value: 40 },
        params: { variables: ['age'] },
      }),
      10_000,
    );
    // Independent reference: the ages straight from the CSV text.
    const ages = csv
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => Number(l.split(',')[1]))
      .filter((a) => a >= 40);
    const mean = ages.reduce((s, a) => s + a, 0) / ages.length;
    expect(out.status).toBe('ok');
    const stats = (out as { output: { variables: { age: { count: number; mean: number } } } })
      .output.variables.age;
    expect(stats.count).toBe(ages.length);
    expect(Math.abs(stats.mean - mean)).toBeLessThan(1e-12);
  });

  it('refuses a cohort under minCount without computing', async () => {
    const { dir } = await makeNode(base);
    await importDataset({
      dir,
      name: 'cohort',
      file: await writeCsvFile(base, 'a.csv', makeCsv(40)),
    });
    executor = createExecutor({ workerUrl: REAL_WORKER, logger: silentLogger });
    const out = await executor.run(
      req('stats', {
        datasets: [await stored(join(dir, 'datasets', 'cohort'))],
        cohort: { variable: 'age', op: '<', value: 25 },
        params: { variables: ['age'] },
      }),
      10_000,
    );
    expect(out).toMatchObject({ status: 'refused', code: 'MIN_COUNT' });
  });

  it('reports a thrown step as STEP_FAILED with only the error class, no message text', async () => {
    executor = createExecutor({ workerUrl: REAL_WORKER, logger: silentLogger });
    const secretish = join(base, 'age-is-51');
    const out = await executor.run(
      req('stats', {
        datasets: [{ dir: secretish, version: randomUUID() }],
        params: { variables: ['age'] },
      }),
      10_000,
    );
    expect(out).toEqual({
      status: 'failed',
      code: 'STEP_FAILED',
      reason: 'the local step failed (TesseraError)',
    });
  });
});
