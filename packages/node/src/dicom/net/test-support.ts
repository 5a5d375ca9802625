/*
 * Helpers for the network tests (imported by *.test.ts only): Debian's dcmtk as the independent
 * peer, Part 10 files built with its dump2dcm, a receiver whose store records what it gets, and a
 * logger whose lines a test can read.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { ReceivedInstance, StoreOutcome } from '../contracts.js';
import { startDicomServer, type DicomServer, type DicomServerOptions } from './server.js';

/** What a dcmtk tool printed and how it exited. */
export interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a dcmtk tool from /usr/bin without a shell; resolves whatever the exit code. */
export function runTool(
  tool: string,
  args: readonly string[],
  timeoutMs = 20_000,
): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(`/usr/bin/${tool}`, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

export const TRANSFER = {
  implicit: '1.2.840.10008.1.2',
  explicit: '1.2.840.10008.1.2.1',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
} as const;

/** A synthetic CT instance to build; `pixelBytes` of random pixel data (or one JPEG fragment). */
export interface InstanceSpec {
  readonly name: string;
  readonly transfer: keyof typeof TRANSFER;
  readonly sopInstanceUid: string;
  readonly pixelBytes?: number;
}

/** Builds a Part 10 file with dump2dcm; returns its path. */
export async function makeInstance(dir: string, spec: InstanceSpec): Promise<string> {
  const pixels = join(dir, `${spec.name}.raw`);
  await writeFile(pixels, randomBytes(spec.pixelBytes ?? 8192));
  const side = Math.max(1, Math.floor(Math.sqrt((spec.pixelBytes ?? 8192) / 2)));
  const lines = [
    '(0008,0016) UI =CTImageStorage',
    `(0008,0018) UI [${spec.sopInstanceUid}]`,
    '(0008,0060) CS [CT]',
    '(0010,0010) PN [Synthetic^Patient]',
    '(0010,0020) LO [SYN-0001]',
    '(0020,000d) UI [1.2.826.0.1.3680043.2.1125.1]',
    '(0020,000e) UI [1.2.826.0.1.3680043.2.1125.2]',
    '(0028,0002) US 1',
    '(0028,0004) CS [MONOCHROME2]',
    `(0028,0010) US ${side}`,
    `(0028,0011) US ${side}`,
    '(0028,0100) US 16',
    '(0028,0101) US 16',
    '(0028,0102) US 15',
    '(0028,0103) US 0',
  ];
  const args: string[] = [];
  if (spec.transfer === 'jpegBaseline') {
    lines.unshift('(0002,0010) UI =JPEGBaseline');
    lines.push(
      '(7fe0,0010) OB (PixelSequence #=2)',
      '(fffe,e000) pi (no value available)',
      `(fffe,e000) pi =${pixels}`,
      '(fffe,e0dd) na (SequenceDelimitationItem)',
    );
  } else {
    lines.push(`(7fe0,0010) OW =${pixels}`);
    args.push(spec.transfer === 'implicit' ? '+ti' : '+te');
  }
  const dump = join(dir, `${spec.name}.dump`);
  const out = join(dir, `${spec.name}.dcm`);
  await writeFile(dump, lines.join('\n') + '\n');
  const r = await runTool('dump2dcm', [...args, dump, out]);
  if (r.code !== 0) throw new Error(`dump2dcm failed: ${r.stderr}`);
  return out;
}

/**
 * The data set of a Part 10 file as dcmtk wrote it: everything after the meta group, whose end
 * is read from the group length (0002,0000) dcmtk always writes at byte 132 (PS3.10 7.1).
 */
export async function datasetOf(file: string): Promise<Buffer> {
  const b = await readFile(file);
  if (b.toString('latin1', 128, 132) !== 'DICM' || b.readUInt16LE(132) !== 2) {
    throw new Error(`${file} has no meta group length`);
  }
  return b.subarray(144 + b.readUInt32LE(140));
}

/** One instance as the test store saw it: the record and the bytes of its temporary file. */
export interface Stored {
  readonly received: ReceivedInstance;
  readonly bytes: Buffer;
}

/** Lines logged by a capture logger, parsed. */
export type LogLines = Record<string, unknown>[];

/** A pino logger at debug level whose lines land in the returned array. */
export function captureLogger(): { logger: Logger; lines: LogLines } {
  const lines: LogLines = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) {
        if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Resolves once `count` lines with message `msg` have been logged. */
export async function loggedAtLeast(lines: LogLines, msg: string, count = 1): Promise<void> {
  while (lines.filter((l) => l.msg === msg).length < count) {
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A receiver on 127.0.0.1:0 whose store reads each file, moves it to `keptDir`, and answers. */
export async function startRecordingServer(o: {
  tmpDir: string;
  keptDir: string;
  logger: Logger;
  /** The outcome for an instance; default success. */
  decide?: (r: ReceivedInstance) => StoreOutcome | Promise<StoreOutcome>;
  overrides?: Partial<DicomServerOptions>;
}): Promise<{ server: DicomServer; stored: Stored[] }> {
  const stored: Stored[] = [];
  const server = await startDicomServer({
    port: 0,
    host: '127.0.0.1',
    aeTitle: 'TESSERA',
    allow: ['MODALITY', 'PACS'],
    tmpDir: o.tmpDir,
    logger: o.logger,
    onStore: async (r) => {
      const bytes = await readFile(r.file);
      stored.push({ received: r, bytes });
      await rename(r.file, join(o.keptDir, `${String(stored.length)}.ds`));
      return (await o.decide?.(r)) ?? { status: 0, result: 'stored' };
    },
    ...o.overrides,
  });
  return { server, stored };
}
