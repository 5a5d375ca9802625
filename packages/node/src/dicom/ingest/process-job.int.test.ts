import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../testing/helpers.js';
import { BASIC_PROFILE_ONLY } from '../deid/index.js';
import { generateImagingStudies } from '../synth/index.js';
import { keyedDeidentifier, processInstance } from './process.js';
import { runJob, type ProcessJob } from './process-job.js';

/*
 * One input's way up to the commit, on this thread, over real files: what the store's workers
 * run. The written temp file is compared with processInstance's bytes (the pure core), so the
 * I/O around it adds nothing and loses nothing.
 */

const KEYS = {
  uidKey: Buffer.alloc(32, 1),
  dateKey: Buffer.alloc(32, 2),
  pseudonymKey: Buffer.alloc(32, 3),
};
const deidentify = keyedDeidentifier(KEYS);
const NOW = new Date('2026-01-02T03:04:05Z');

let base: { dir: string; cleanup: () => Promise<void> };
let tmp: string;
let n = 0;
let instance: Uint8Array;

beforeAll(async () => {
  base = await makeTempDir();
  tmp = join(base.dir, 'tmp');
  mkdirSync(tmp);
  const studies = generateImagingStudies({
    seed: 3,
    patients: [{ id: 'MRN-9', sex: 'F', birthDate: '1970-01-01' }],
    size: 16,
    slices: 1,
    kinds: ['CT'],
  });
  instance = studies.files[0]?.bytes ?? new Uint8Array();
});

afterAll(async () => {
  await base.cleanup();
});

/** A fresh input file holding `bytes`, and a job for it (into an empty store by default). */
function makeJob(bytes: Uint8Array, over: Partial<ProcessJob> = {}): ProcessJob {
  n++;
  const input = join(base.dir, `in-${String(n)}.dcm`);
  writeFileSync(input, bytes);
  const storeRoot = join(base.dir, `store-${String(n)}`);
  mkdirSync(storeRoot);
  return {
    input,
    maxBytes: 1 << 20,
    output: join(tmp, `out-${String(n)}.dcm`),
    storeRoot,
    options: BASIC_PROFILE_ONLY,
    now: NOW,
    ...over,
  };
}

describe('runJob', () => {
  it('writes exactly what processInstance makes of the input, and keeps the input', () => {
    const job = makeJob(instance);
    const r = runJob(job, deidentify);
    const pure = processInstance(instance, { deidentify, options: BASIC_PROFILE_ONLY, now: NOW });
    if (r.kind !== 'written' || !pure.ok) throw new Error(`not written: ${r.kind}`);
    expect(readFileSync(job.output)).toEqual(Buffer.from(pure.bytes));
    expect(r.record).toEqual(pure.record);
    expect(r.key).toEqual(pure.key);
    expect(existsSync(job.input)).toBe(true);
  });

  it("removes the store's own input once the instance is written", () => {
    const job = makeJob(instance, { removeInput: true });
    expect(runJob(job, deidentify).kind).toBe('written');
    expect(existsSync(job.input)).toBe(false);
    expect(existsSync(job.output)).toBe(true);
  });

  it('writes nothing for an instance the store already holds', () => {
    const first = makeJob(instance);
    const r = runJob(first, deidentify);
    if (r.kind !== 'written') throw new Error(r.kind);
    const target = join(first.storeRoot, ...r.record.file.split('/'));
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, 'stored');
    const again = makeJob(instance, { removeInput: true, storeRoot: first.storeRoot });
    expect(runJob(again, deidentify)).toEqual({ kind: 'duplicate', key: r.key });
    expect(existsSync(again.output)).toBe(false);
    expect(existsSync(again.input)).toBe(false);
  });

  it('reads neither a link nor a folder, nor a file over the limit', () => {
    const job = makeJob(instance, { removeInput: true });
    const link = join(base.dir, 'link.dcm');
    symlinkSync(job.input, link);
    expect(runJob({ ...job, input: link }, deidentify)).toEqual({
      kind: 'unreadable',
      reason: 'a symbolic link, not followed',
    });
    expect(runJob({ ...job, input: tmp }, deidentify)).toEqual({
      kind: 'unreadable',
      reason: 'not a regular file',
    });
    expect(runJob({ ...job, maxBytes: 100 }, deidentify)).toEqual({
      kind: 'too-large',
      size: instance.length,
    });
    expect(existsSync(job.input)).toBe(true);
    expect(existsSync(job.output)).toBe(false);
  });

  it('fails on what it cannot parse, writing nothing and keeping the input', () => {
    const job = makeJob(new Uint8Array(200).fill(7), { removeInput: true });
    const r = runJob(job, deidentify);
    expect(r).toMatchObject({ kind: 'failed', stage: 'parse', status: 0xc000 });
    expect(existsSync(job.input)).toBe(true);
    expect(existsSync(job.output)).toBe(false);
  });

  it('gives a file system error its code and leaves no temp file', () => {
    const job = makeJob(instance, { output: join(base.dir, 'missing', 'out.dcm') });
    expect(runJob(job, deidentify)).toEqual({ kind: 'io-error', code: 'ENOENT' });
    const taken = makeJob(instance);
    writeFileSync(taken.output, 'taken');
    expect(runJob(taken, deidentify)).toEqual({ kind: 'io-error', code: 'EEXIST' });
    expect(readFileSync(taken.output, 'utf8')).toBe('taken');
  });

  it('keeps the UIDs of an already de-identified input as they are', () => {
    const once = makeJob(instance);
    const r1 = runJob(once, deidentify);
    if (r1.kind !== 'written') throw new Error(r1.kind);
    const output = readFileSync(once.output);
    const asIs = runJob(makeJob(output, { asIs: true }), deidentify);
    const twice = runJob(makeJob(output), deidentify);
    if (asIs.kind !== 'written' || twice.kind !== 'written') throw new Error('not written');
    expect(asIs.key).toEqual(r1.key);
    expect(twice.key.sop).not.toBe(r1.key.sop);
  });
});
