import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LocalOutcome } from '@tessera/algorithms';
import type { Logger } from 'pino';
import type { DatasetRows } from '../guard/row-set.js';
import type { StepRequest, StepResponse } from './worker-messages.js';

/**
 * What a step produced: the algorithm's outcome (an ok one with the rows its cohort selected,
 * when the request asked for them), or why it did not finish.
 */
export type ExecOutcome =
  | (LocalOutcome & { readonly rows?: readonly DatasetRows[] })
  | {
      readonly status: 'failed';
      readonly code: 'TIMEOUT' | 'MEMORY_LIMIT' | 'STEP_FAILED';
      readonly reason: string;
    };

export interface ExecutorOptions {
  /** The compiled step-worker.js (tests may point at dist or at a fixture). */
  readonly workerUrl?: URL;
  /** Most steps running at once (worker threads kept). Default 2 (the target machine has 2 cores). */
  readonly poolSize?: number;
  /** Workers started at once, so the first step does not pay the start-up. Default 1. */
  readonly warm?: number;
  readonly timeoutMs?: number;
  /** Old-generation heap cap of each worker, MB. */
  readonly memoryMb?: number;
  readonly logger: Logger;
}

export interface Executor {
  /** Runs one step in a worker; never throws for a step's own failure. */
  run(req: Omit<StepRequest, 'id'>, timeoutMs?: number): Promise<ExecOutcome>;
  /** Waits up to `graceMs` for running steps, then terminates every worker. */
  close(graceMs?: number): Promise<void>;
}

interface Slot {
  readonly worker: Worker;
  ready: Promise<void>;
  busy: boolean;
}

/** The compiled worker beside this file, or in dist when running from sources (tests). */
export function defaultWorkerUrl(): URL {
  const sibling = new URL('./step-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  return new URL('../../dist/exec/step-worker.js', import.meta.url);
}

/**
 * A small pool of warm worker threads that run local steps under a heap cap (resourceLimits) and
 * a time limit (the worker is terminated). A worker that timed out, ran out of memory or crashed
 * is replaced; its step is reported as TIMEOUT, MEMORY_LIMIT or STEP_FAILED.
 */
export function createExecutor(o: ExecutorOptions): Executor {
  const url = o.workerUrl ?? defaultWorkerUrl();
  const poolSize = o.poolSize ?? 2;
  const memoryMb = o.memoryMb ?? 512;
  const defaultTimeout = o.timeoutMs ?? 120_000;
  const slots: Slot[] = [];
  const waiting: ((slot: Slot) => void)[] = [];
  const running = new Set<Promise<ExecOutcome>>();
  let nextId = 1;
  let closed = false;

  function spawn(): Slot {
    const worker = new Worker(url, {
      resourceLimits: {
        maxOldGenerationSizeMb: memoryMb,
        maxYoungGenerationSizeMb: Math.min(64, memoryMb / 4),
      },
      stdout: false,
      stderr: false,
    });
    const slot: Slot = { worker, busy: false, ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve) => {
      const onMsg = (m: StepResponse): void => {
        if (m.type === 'ready') {
          worker.off('message', onMsg);
          resolve();
        }
      };
      worker.on('message', onMsg);
      // A worker that dies before ready resolves too: the step then fails on its exit.
      worker.once('exit', () => {
        resolve();
      });
    });
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
    });
    slots.push(slot);
    return slot;
  }

  const warm = Math.min(o.warm ?? 1, poolSize);
  for (let i = 0; i < warm; i++) spawn();

  function acquire(): Promise<Slot> {
    const idle = slots.find((s) => !s.busy);
    if (idle !== undefined) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    if (slots.length < poolSize) {
      const s = spawn();
      s.busy = true;
      return Promise.resolve(s);
    }
    return new Promise((resolve) => waiting.push(resolve));
  }

  function release(slot: Slot, healthy: boolean): void {
    if (!healthy) {
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      void slot.worker.terminate();
    }
    const next = waiting.shift();
    if (next === undefined) {
      if (healthy) slot.busy = false;
      // Keep the warm workers warm after one was replaced, so the next step pays no start-up.
      else if (!closed && slots.length < warm) spawn();
      return;
    }
    if (healthy) {
      next(slot);
      return;
    }
    const fresh = spawn();
    fresh.busy = true;
    next(fresh);
  }

  async function execute(req: Omit<StepRequest, 'id'>, timeoutMs: number): Promise<ExecOutcome> {
    const slot = await acquire();
    await slot.ready;
    const id = nextId++;
    const { outcome, healthy } = await runOn(slot.worker, { ...req, id }, timeoutMs);
    release(slot, healthy && !closed);
    if (!healthy)
      o.logger.warn(
        { code: outcome.status === 'failed' ? outcome.code : null },
        'step worker replaced',
      );
    return outcome;
  }

  return {
    run(req, timeoutMs) {
      if (closed) return Promise.resolve(failed('STEP_FAILED', 'the node is shutting down'));
      const p = execute(req, Math.max(1, timeoutMs ?? defaultTimeout));
      running.add(p);
      void p.finally(() => running.delete(p));
      return p;
    },
    async close(graceMs = 5_000) {
      closed = true;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...running]),
        new Promise((r) => (timer = setTimeout(r, graceMs))),
      ]);
      clearTimeout(timer);
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

function failed(code: 'TIMEOUT' | 'MEMORY_LIMIT' | 'STEP_FAILED', reason: string): ExecOutcome {
  return { status: 'failed', code, reason };
}

function runOn(
  worker: Worker,
  req: StepRequest,
  timeoutMs: number,
): Promise<{ outcome: ExecOutcome; healthy: boolean }> {
  return new Promise((resolve) => {
    const finish = (outcome: ExecOutcome, healthy: boolean): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve({ outcome, healthy });
    };
    const onMessage = (m: StepResponse): void => {
      if (m.type === 'done' && m.id === req.id)
        finish(m.rows === undefined ? m.outcome : { ...m.outcome, rows: m.rows }, true);
      else if (m.type === 'threw' && m.id === req.id) {
        // Only the error's class: its message might quote data values.
        finish(failed('STEP_FAILED', `the local step failed (${m.errorName.slice(0, 60)})`), true);
      }
    };
    const onError = (e: Error): void => {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_WORKER_OUT_OF_MEMORY')
        finish(failed('MEMORY_LIMIT', 'the local step ran out of memory'), false);
      else finish(failed('STEP_FAILED', `the local step worker crashed (${e.name})`), false);
    };
    const onExit = (): void => {
      finish(failed('STEP_FAILED', 'the local step worker exited'), false);
    };
    const timer = setTimeout(() => {
      finish(
        failed('TIMEOUT', `the local step took longer than ${Math.round(timeoutMs / 1000)} s`),
        false,
      );
    }, timeoutMs);
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
    try {
      worker.postMessage(req);
    } catch {
      finish(failed('STEP_FAILED', 'the step request could not be sent to the worker'), true);
    }
  });
}
