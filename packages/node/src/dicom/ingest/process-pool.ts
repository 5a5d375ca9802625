import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TesseraError } from '@tessera/protocol';
import type { Logger } from 'pino';
import type { DeidKeys } from '../deid/index.js';
import type {
  ProcessJob,
  ProcessResult,
  Processor,
  WorkerMessage,
  WorkerRequest,
  WorkerSetup,
} from './process-job.js';

/*
 * The imaging store's worker threads (issue 7, receiving at least Orthanc's rate while
 * de-identifying): each instance is read, parsed, de-identified, encoded and written to its
 * synced temp file off the event loop (process-job.ts), so the receiver's sockets, the commits
 * and the console are served meanwhile, and instances are processed on every core. Only paths
 * and small results cross threads. Each worker runs one job at a time; a worker that stops (a
 * crash, out of memory) fails that job alone, with its reason, and the next job gets a fresh
 * worker. Idle workers do not keep the process alive.
 */

/** DIMSE "Refused: Out of Resources" (PS3.4 B.2.3): the worker, not the data, failed. */
const OUT_OF_RESOURCES = 0xa700;

export interface ProcessPoolOptions {
  /** The de-identification keys, sent to each worker once when it starts. */
  readonly keys: DeidKeys;
  /** Worker threads at most (default: the machine's available parallelism, at least 1). */
  readonly size?: number;
  /**
   * Workers started at once, so the first instances do not wait for a thread to load its code
   * (default: all of them). The others start when first needed.
   */
  readonly warm?: number;
  /** The compiled process-worker.js (tests may point at dist or at a fixture). */
  readonly workerUrl?: URL;
  readonly logger: Logger;
}

interface Job {
  readonly id: number;
  readonly job: ProcessJob;
  readonly resolve: (out: ProcessResult) => void;
}

interface Slot {
  readonly worker: Worker;
  /** Settles once the worker has loaded its code (or stopped). */
  readonly loaded: Promise<void>;
  job: Job | null;
  /** Why the worker failed, from its 'error' event, for the instance it was running. */
  error: string | null;
}

/** The compiled worker beside this file, or in dist when running from sources (tests). */
export function defaultProcessWorkerUrl(): URL {
  const sibling = new URL('./process-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL('../../../dist/dicom/ingest/process-worker.js', import.meta.url);
}

/** The default pool size: one worker per core the process may use. */
export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism());
}

/**
 * A pool of at most `size` worker threads running the store's jobs in arrival order.
 * @throws TesseraError INTERNAL when the worker script is missing (the node is not built);
 *   RangeError when size is not a positive integer.
 */
export function createProcessPool(o: ProcessPoolOptions): Processor {
  const size = o.size ?? defaultPoolSize();
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError('the worker pool size must be a positive integer');
  const url = o.workerUrl ?? defaultProcessWorkerUrl();
  if (url.protocol === 'file:' && !existsSync(fileURLToPath(url)))
    throw new TesseraError('INTERNAL', 'the DICOM worker script is missing: build the node first');
  const setup: WorkerSetup = { keys: o.keys };
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (): Slot => {
    const worker = new Worker(url, {
      workerData: setup,
      // A small young generation: the bytes of an instance live outside the heap, and each
      // worker's resident memory stays ~20 MB lower at no measurable cost in CPU.
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    let loaded!: () => void;
    const slot: Slot = {
      worker,
      loaded: new Promise<void>((resolve) => (loaded = resolve)),
      job: null,
      error: null,
    };
    // A worker keeps the process alive while it loads or runs a job, not while it waits.
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'ready') {
        loaded();
        if (slot.job === null) worker.unref();
        return;
      }
      const job = slot.job;
      if (job?.id !== m.id) return;
      slot.job = null;
      worker.unref();
      job.resolve(m.result);
      dispatch();
    });
    // A reply that cannot be read leaves the worker's state unknown: it is replaced.
    worker.on('messageerror', () => {
      slot.error = 'its reply could not be read';
      void worker.terminate();
    });
    worker.on('error', (e) => {
      slot.error = errorName(e);
    });
    worker.once('exit', (exitCode) => {
      loaded();
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      const job = slot.job;
      slot.job = null;
      if (job !== null) {
        const why = closed ? 'the store closed' : (slot.error ?? `exit code ${String(exitCode)}`);
        o.logger.warn({ exitCode, error: slot.error }, 'dicom worker stopped');
        job.resolve(failed(`the de-identification worker stopped (${why})`));
      }
      dispatch();
    });
    slots.push(slot);
    return slot;
  };

  const warm = Math.min(o.warm ?? size, size);
  const started = Array.from({ length: warm }, () => spawn().loaded);

  function dispatch(): void {
    while (!closed && queue.length > 0) {
      const slot = slots.find((s) => s.job === null) ?? (slots.length < size ? spawn() : null);
      if (slot === null) return;
      const job = queue.shift();
      if (job === undefined) return;
      slot.job = job;
      slot.worker.ref();
      const req: WorkerRequest = { type: 'run', id: job.id, job: job.job };
      slot.worker.postMessage(req);
    }
  }

  return {
    async ready() {
      await Promise.all(started);
    },
    run(job) {
      if (closed)
        return Promise.reject(new TesseraError('UNAVAILABLE', 'the imaging store is closed'));
      return new Promise<ProcessResult>((resolve) => {
        queue.push({ id: nextId++, job, resolve });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) {
        job.resolve(failed('the de-identification worker stopped (the store closed)'));
      }
      await Promise.all(slots.map(stop));
    },
  };
}

/** How long a closing pool waits for a worker to finish its job and end by itself. */
const STOP_GRACE_MS = 2000;

// An idle worker is asked to end, so it ends like a program (a profiler attached to it writes
// its profile); one still busy, or not ending in time, is terminated.
async function stop(slot: Slot): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    slot.worker.once('exit', () => {
      resolve();
    });
  });
  if (slot.job !== null) {
    await slot.worker.terminate();
    return;
  }
  const req: WorkerRequest = { type: 'stop' };
  slot.worker.postMessage(req);
  const timer = setTimeout(() => {
    void slot.worker.terminate();
  }, STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

// The job's temp file may be half-written: the store removes it.
function failed(reason: string): ProcessResult {
  return { kind: 'failed', stage: 'worker', status: OUT_OF_RESOURCES, reason };
}

// Only an error's class and code: its message could quote anything the worker held.
function errorName(e: unknown): string {
  if (!(e instanceof Error)) return typeof e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return 'out of memory';
  return code === undefined ? e.name : `${e.name} ${code}`;
}
