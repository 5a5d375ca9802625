import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { issueSecret } from '@tessera/protocol';
import { describeFailure, freePort, waitFor, type Harness, type Proc } from './harness.js';

/*
 * A node with its DICOM receiver, set up through the public contract only (`node init
 * --dicom-port P --dicom-ae TITLE --dicom-allow AE1,AE2`), and dcmtk's tools (Debian package
 * dcmtk, installed by .ci/run) as the independent sender and reader. No hub: the node keeps
 * trying to enrol in the background, which does not concern its imaging store.
 */

export const CALLED_AE = 'TESSERA_E2E';
export const CALLING_AE = 'STORESCU';

export interface DicomNode {
  readonly dir: string;
  readonly port: number;
  proc: Proc | null;
  /** (Re)starts `node start` and waits until echoscu is answered. */
  start(): Promise<Proc>;
  stop(): Promise<void>;
  /** `tessera node status --json`. */
  status(): Promise<{ dicom: Record<string, unknown>; datasets: { name: string; rows: number }[] }>;
  /** Every file of the store (dicom/store), sorted. */
  storedFiles(): string[];
  consoleUrl(): string;
}

/** Runs a dcmtk tool; resolves with its exit code and output (never rejects on a non-zero exit). */
export function dcmtk(
  tool: 'echoscu' | 'storescu' | 'dcmdump',
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      tool,
      args,
      { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err !== null && typeof err.code !== 'number') {
          reject(new Error(`${tool} could not run: ${err.message}`));
          return;
        }
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
      },
    );
  });
}

/** echoscu from `callingAe`; true when the receiver answered success. */
export async function echoOk(
  port: number,
  callingAe = CALLING_AE,
  extra: readonly string[] = [],
): Promise<boolean> {
  const r = await dcmtk('echoscu', [
    ...extra,
    '-aet',
    callingAe,
    '-aec',
    CALLED_AE,
    '127.0.0.1',
    String(port),
  ]);
  return r.code === 0;
}

/** storescu of every file under `folder` (recursively) in one association. */
export function storeFolder(port: number, folder: string, extra: readonly string[] = []) {
  return dcmtk('storescu', [
    ...extra,
    '-aet',
    CALLING_AE,
    '-aec',
    CALLED_AE,
    '+sd',
    '+r',
    '127.0.0.1',
    String(port),
    folder,
  ]);
}

/** `node init` with the DICOM options, then a node object to start and stop. */
export async function initDicomNode(
  h: Harness,
  name: string,
  extraInit: readonly string[] = [],
): Promise<DicomNode> {
  const dir = join(h.path('nodes'), name);
  const port = await freePort();
  const hubPort = await freePort();
  const keyFile = h.secretFile(`${name}.key`, `${issueSecret('node').secret}\n`);
  const init = await h.run([
    'node',
    'init',
    '--dir',
    dir,
    '--hub',
    `https://127.0.0.1:${hubPort}`,
    '--pin',
    `sha256/${Buffer.alloc(32, 9).toString('base64')}`,
    '--name',
    name,
    '--api-key-file',
    keyFile,
    '--console-port',
    '0',
    '--dicom-port',
    String(port),
    '--dicom-ae',
    CALLED_AE,
    '--dicom-allow',
    `${CALLING_AE},OTHER_AE`,
    ...extraInit,
  ]);
  if (init.code !== 0) throw new Error(describeFailure(init));
  const node: DicomNode = {
    dir,
    port,
    proc: null,
    async start() {
      const p = h.spawn(`node ${name}`, ['node', 'start', '--dir', dir]);
      node.proc = p;
      await waitFor(
        `node ${name}'s DICOM receiver`,
        async () => {
          if (!p.alive()) throw new Error(`node exited: ${JSON.stringify(await p.exited)}`);
          return p.output().includes('DICOM receiver on port') && (await echoOk(port));
        },
        { timeoutMs: 60_000, intervalMs: 200, context: () => p.tail(40) },
      );
      return p;
    },
    async stop() {
      const r = await node.proc?.stop(15_000);
      if (r !== undefined && r.code !== 0)
        throw new Error(
          `node ${name} stopped with ${JSON.stringify(r)}\n${node.proc?.tail(40) ?? ''}`,
        );
      node.proc = null;
    },
    async status() {
      return h.json(['node', 'status', '--dir', dir, '--json']);
    },
    storedFiles() {
      const out: string[] = [];
      const walk = (d: string): void => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory()) walk(join(d, e.name));
          else out.push(join(d, e.name));
        }
      };
      walk(join(dir, 'dicom', 'store'));
      return out.sort();
    },
    consoleUrl() {
      return readFileSync(join(dir, 'run', 'console.url'), 'utf8').trim();
    },
  };
  return node;
}

/** Changes a field of node.json's dicom section (as an operator editing the file would). */
export function patchDicomConfig(dir: string, patch: Record<string, unknown>): void {
  const file = join(dir, 'node.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { dicom?: Record<string, unknown> };
  config.dicom = { ...config.dicom, ...patch };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

/** A stored (uncompressed) zip archive of `entries`, names taken as given (for hostile names). */
export function storedZip(entries: readonly { name: string; data: Uint8Array }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = Buffer.from(e.data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
