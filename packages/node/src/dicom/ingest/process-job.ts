import {
  closeSync,
  existsSync,
  fdatasyncSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { isTesseraError } from '@tessera/protocol';
import type { DeidKeys, DeidOptions } from '../deid/index.js';
import type { InstanceRecord } from './dicom-index.js';
import { createLimiter } from './limiter.js';
import { processInstance, type Deidentify, type Expected } from './process.js';
import type { InstanceKey } from './record.js';
import { openRegularSync } from './safe-open.js';

/*
 * One input file's way through the store up to the commit: read it (no link followed, nothing
 * but a regular file, not past the size limit), parse, de-identify and encode it
 * (processInstance), and write the de-identified file to a temp file, complete and synced, unless
 * the store already holds it. This is what the store's worker threads run (process-pool.ts):
 * the file's bytes never cross threads, and the plain system calls cost less there than the
 * event loop's thread-pool round trips. It can also run on the calling thread (tests with their
 * own de-identifier). Every outcome is a result, never an exception.
 */

/** One input for a processor. */
export interface ProcessJob {
  /** The input: a Part 10 file, or a bare dataset in `transferSyntax`. */
  readonly input: string;
  /**
   * The input is the store's own temp file (a received C-STORE): removed, best effort, once it
   * is no longer needed (the instance is written or a duplicate).
   */
  readonly removeInput?: boolean;
  /** Inputs larger than this are not read. */
  readonly maxBytes: number;
  /** The temp file (0600, must not exist) the de-identified instance is written to. */
  readonly output: string;
  /** The store's root: an instance whose path exists there is a duplicate, not written. */
  readonly storeRoot: string;
  readonly transferSyntax?: string;
  readonly expected?: Expected;
  readonly options: DeidOptions;
  readonly now: Date;
  /**
   * The input is already de-identified (a held image released by the operator): it is parsed
   * and encoded, never de-identified again (that would remap its remapped UIDs).
   */
  readonly asIs?: boolean;
}

/** What became of one job. */
export type ProcessResult =
  /** The de-identified instance is in `output`, complete and synced. */
  | {
      readonly kind: 'written';
      readonly key: InstanceKey;
      readonly record: InstanceRecord;
      readonly burnedIn: boolean;
    }
  /** The store already holds it: nothing written. */
  | { readonly kind: 'duplicate'; readonly key: InstanceKey }
  /** Not read: a link, or not a regular file. */
  | { readonly kind: 'unreadable'; readonly reason: string }
  /** Not read: over `maxBytes`. */
  | { readonly kind: 'too-large'; readonly size: number }
  /** Read but not understood (or the worker running it stopped): nothing written. */
  | {
      readonly kind: 'failed';
      readonly reason: string;
      /** The DIMSE status for the sender. */
      readonly status: number;
      /** Which stage failed, for the log. */
      readonly stage: 'parse' | 'match' | 'deid' | 'encode' | 'worker';
    }
  /** A file system error (disk full, permissions): nothing written. Only its code is kept. */
  | { readonly kind: 'io-error'; readonly code: string };

/** Runs jobs. `run` never rejects for the input's own problems: those are results. */
export interface Processor {
  /** Resolves once the threads started with it have loaded their code. */
  ready(): Promise<void>;
  /** @throws TesseraError UNAVAILABLE when a worker pool is already closed. */
  run(job: ProcessJob): Promise<ProcessResult>;
  /** Stops taking jobs and ends its threads (the store closes it last). */
  close(): Promise<void>;
}

/** A request to a worker (process-worker.ts): run a job, or finish (the pool is closing). */
export type WorkerRequest =
  | { readonly type: 'run'; readonly id: number; readonly job: ProcessJob }
  | { readonly type: 'stop' };

/** What a worker says: that it is ready (once), then the result of each request. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly id: number; readonly result: ProcessResult };

/** What a worker is started with: the de-identification keys, sent once, never the vault key. */
export interface WorkerSetup {
  readonly keys: DeidKeys;
}

const asIs: Deidentify = (file) => ({ file, burnedIn: false });

/** Runs one job on this thread with `deidentify`, with plain (blocking) system calls. */
export function runJob(job: ProcessJob, deidentify: Deidentify): ProcessResult {
  try {
    const input = readInput(job.input, job.maxBytes);
    if (!(input instanceof Uint8Array)) return input;
    const done = processInstance(input, {
      deidentify: job.asIs === true ? asIs : deidentify,
      options: job.options,
      now: job.now,
      ...(job.transferSyntax === undefined ? {} : { transferSyntax: job.transferSyntax }),
      ...(job.expected === undefined ? {} : { expected: job.expected }),
    });
    if (!done.ok)
      return { kind: 'failed', reason: done.reason, status: done.status, stage: done.stage };
    if (existsSync(join(job.storeRoot, ...done.record.file.split('/')))) {
      if (job.removeInput === true) removeQuietly(job.input);
      return { kind: 'duplicate', key: done.key };
    }
    writeSynced(job.output, done.bytes);
    if (job.removeInput === true) removeQuietly(job.input);
    return { kind: 'written', key: done.key, record: done.record, burnedIn: done.burnedIn };
  } catch (e) {
    return { kind: 'io-error', code: (e as NodeJS.ErrnoException).code ?? 'error' };
  }
}

function readInput(file: string, max: number): Uint8Array | ProcessResult {
  let opened;
  try {
    opened = openRegularSync(file);
  } catch (e) {
    if (isTesseraError(e)) return { kind: 'unreadable', reason: e.message };
    throw e;
  }
  const { fd, size } = opened;
  try {
    if (size > max) return { kind: 'too-large', size };
    const buf = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, buf, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    // A file that shrank while read: what it holds now.
    return at === size ? buf : buf.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

// The data and the size that reads it back are synced; the name is made durable by the commit.
// A file left half-written by an error is removed.
function writeSynced(file: string, bytes: Uint8Array): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    try {
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    removeQuietly(file);
    throw e;
  }
}

// A file this thread no longer needs; one that cannot be removed is left to the store's
// clean-up of its temp folders (the receiver's is emptied when the node starts).
function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // gone already, or left behind
  }
}

/**
 * Jobs run on the calling thread, at most `concurrency` at once, each on a fresh turn of the
 * event loop (limiter.ts): for tests and callers with their own de-identifier (a function cannot
 * be sent to a worker).
 */
export function inThreadProcessor(deidentify: Deidentify, concurrency: number): Processor {
  const limiter = createLimiter(concurrency);
  return {
    ready: () => Promise.resolve(),
    run: (job) => limiter.run(() => runJob(job, deidentify)),
    close: () => Promise.resolve(),
  };
}
