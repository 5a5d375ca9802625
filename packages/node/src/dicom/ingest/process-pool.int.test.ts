import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, silentLogger } from '../../testing/helpers.js';
import { BASIC_PROFILE_ONLY } from '../deid/index.js';
import { generateImagingStudies } from '../synth/index.js';
import { keyedDeidentifier } from './process.js';
import { runJob, type ProcessJob, type Processor } from './process-job.js';
import { createProcessPool, defaultProcessWorkerUrl } from './process-pool.js';

/*
 * The store's worker threads, for real: the compiled worker (the suite builds before vitest)
 * gives what the same job gives on this thread; a worker that stops fails its job alone, with a
 * reason that quotes nothing it held, and the next job gets a fresh worker.
 */

const KEYS = {
  uidKey: Buffer.alloc(32, 0x11),
  dateKey: Buffer.alloc(32, 0x22),
  pseudonymKey: Buffer.alloc(32, 0x33),
};
const NOW = new Date('2026-01-02T03:04:05Z');

// The real worker, its message listener wrapped so that inputs named to do so stop the thread
// (exit, or an uncaught error) before the job runs: a worker crashing for real, without a crash
// planted in the product.
const FIXTURE = (real: string): string => `
import { parentPort } from 'node:worker_threads';
const on = parentPort.on.bind(parentPort);
parentPort.on = (event, listener) =>
  on(event, event !== 'message' ? listener : (req) => {
    if (req.job.input.endsWith('.exit')) process.exit(7);
    if (req.job.input.endsWith('.throw')) throw new Error('planted secret ${KEYS.uidKey.toString('hex')}');
    listener(req);
  });
await import(${JSON.stringify(real)});
`;

let base: { dir: string; cleanup: () => Promise<void> };
let inputs: string[];
let n = 0;
let pool: Processor | undefined;

beforeAll(async () => {
  base = await makeTempDir();
  mkdirSync(join(base.dir, 'store'));
  mkdirSync(join(base.dir, 'tmp'));
  const studies = generateImagingStudies({
    seed: 5,
    patients: [
      { id: 'MRN-1', sex: 'F', birthDate: '1960-02-03' },
      { id: 'MRN-2', sex: 'M', birthDate: '1980-04-05' },
    ],
    size: 16,
    slices: 4,
  });
  inputs = studies.files.map((f, i) => {
    const file = join(base.dir, `in-${String(i)}.dcm`);
    writeFileSync(file, f.bytes);
    return file;
  });
  writeFileSync(join(base.dir, 'fixture.mjs'), FIXTURE(defaultProcessWorkerUrl().href));
});

afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

afterAll(async () => {
  await base.cleanup();
});

function job(input: string): ProcessJob {
  n++;
  return {
    input,
    maxBytes: 1 << 20,
    output: join(base.dir, 'tmp', `out-${String(n)}.dcm`),
    storeRoot: join(base.dir, 'store'),
    options: BASIC_PROFILE_ONLY,
    now: NOW,
  };
}

describe('the process pool', () => {
  it('gives, on its threads, what the same jobs give on this one', async () => {
    pool = createProcessPool({ keys: KEYS, size: 2, logger: silentLogger });
    await pool.ready();
    const jobs = inputs.map(job);
    const results = await Promise.all(jobs.map((j) => (pool as Processor).run(j)));
    const here = keyedDeidentifier(KEYS);
    results.forEach((r, i) => {
      const j = jobs[i] as ProcessJob;
      const local = runJob({ ...j, output: `${j.output}.here` }, here);
      expect(r).toEqual(local);
      expect(readFileSync(j.output)).toEqual(readFileSync(`${j.output}.here`));
    });
    expect(results.every((r) => r.kind === 'written')).toBe(true);
  });

  it('fails the job of a worker that stops, and serves the next job with a fresh one', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
    pool = createProcessPool({
      keys: KEYS,
      size: 1,
      logger,
      workerUrl: pathToFileURL(join(base.dir, 'fixture.mjs')),
    });
    const exit = join(base.dir, 'a.exit');
    const thrown = join(base.dir, 'b.throw');
    writeFileSync(exit, readFileSync(inputs[0] as string));
    writeFileSync(thrown, readFileSync(inputs[0] as string));
    const [stopped, fine, threw, after] = await Promise.all([
      pool.run(job(exit)),
      pool.run(job(inputs[1] as string)),
      pool.run(job(thrown)),
      pool.run(job(inputs[2] as string)),
    ]);
    expect(stopped).toEqual({
      kind: 'failed',
      stage: 'worker',
      status: 0xa700,
      reason: 'the de-identification worker stopped (exit code 7)',
    });
    expect(threw).toEqual({
      kind: 'failed',
      stage: 'worker',
      status: 0xa700,
      reason: 'the de-identification worker stopped (Error)',
    });
    expect(fine.kind).toBe('written');
    expect(after.kind).toBe('written');
    // Logged without the thrown message: nothing the worker held reaches a log.
    expect(lines.filter((l) => l.includes('dicom worker stopped'))).toHaveLength(2);
    expect(lines.join('')).not.toContain(KEYS.uidKey.toString('hex'));
  });

  it('takes no job once closed, and fails a job still waiting', async () => {
    pool = createProcessPool({ keys: KEYS, size: 1, logger: silentLogger });
    const waiting = [pool.run(job(inputs[3] as string)), pool.run(job(inputs[4] as string))];
    await pool.close();
    const outs = await Promise.all(waiting);
    expect(outs.map((o) => o.kind === 'failed' && o.reason)).toContain(
      'the de-identification worker stopped (the store closed)',
    );
    await expect(pool.run(job(inputs[5] as string))).rejects.toThrow('the imaging store is closed');
  });

  it('lets idle workers end by themselves when closed, so their exit handlers run', async () => {
    const fixture = join(base.dir, 'exit-marker.mjs');
    const marker = join(base.dir, 'exited');
    writeFileSync(
      fixture,
      `import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
process.on('exit', () => appendFileSync(${JSON.stringify(marker)}, threadId + '\\n'));
await import(${JSON.stringify(defaultProcessWorkerUrl().href)});
`,
    );
    pool = createProcessPool({
      keys: KEYS,
      size: 2,
      logger: silentLogger,
      workerUrl: pathToFileURL(fixture),
    });
    await pool.ready();
    expect((await pool.run(job(inputs[7] as string))).kind).toBe('written');
    await pool.close();
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('refuses to start without the compiled worker', () => {
    expect(() =>
      createProcessPool({
        keys: KEYS,
        logger: silentLogger,
        workerUrl: pathToFileURL(join(base.dir, 'missing.js')),
      }),
    ).toThrow('the DICOM worker script is missing');
    expect(existsSync(join(base.dir, 'missing.js'))).toBe(false);
  });

  it('keeps a process alive while its workers load or run a job, and not once they are idle', () => {
    // A one-shot command (`node dicom import`): its only pending work is the pool's. It must
    // neither exit before the answer nor hang after it (no close() here on purpose).
    const script = join(base.dir, 'one-shot.mjs');
    const target = join(base.dir, 'tmp', 'one-shot.dcm');
    writeFileSync(
      script,
      `import { createProcessPool } from ${JSON.stringify(new URL('process-pool.js', defaultProcessWorkerUrl()).href)};
const keys = { uidKey: Buffer.alloc(32, 1), dateKey: Buffer.alloc(32, 2), pseudonymKey: Buffer.alloc(32, 3) };
const pool = createProcessPool({ keys, size: 1, logger: { warn() {} } });
await pool.ready();
const job = ${JSON.stringify({ ...job(inputs[6] as string), output: target })};
const r = await pool.run({ ...job, now: new Date(job.now) });
process.stdout.write(r.kind);
`,
    );
    const out = execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect(out).toBe('written');
    expect(existsSync(target)).toBe(true);
  });
});
