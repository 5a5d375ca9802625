import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../testing/helpers.js';
import { echo, sendInstances } from './scu.js';
import type { DicomServer } from './server.js';
import {
  captureLogger,
  datasetOf,
  makeInstance,
  runTool,
  startRecordingServer,
  TRANSFER,
  type Stored,
} from './test-support.js';

let base: string;
let cleanupBase: () => Promise<void>;
let files: { implicit: string; explicit: string; jpeg: string; big: string };
let running: DicomServer | undefined;
let storescp: ChildProcess | undefined;
let n = 0;

beforeAll(async () => {
  ({ dir: base, cleanup: cleanupBase } = await makeTempDir());
  const src = join(base, 'src');
  await mkdir(src);
  const uid = (i: number) => `1.2.826.0.1.3680043.2.1125.8.${String(i)}`;
  files = {
    implicit: await makeInstance(src, {
      name: 'imp',
      transfer: 'implicit',
      sopInstanceUid: uid(1),
    }),
    explicit: await makeInstance(src, {
      name: 'exp',
      transfer: 'explicit',
      sopInstanceUid: uid(2),
    }),
    jpeg: await makeInstance(src, {
      name: 'jpg',
      transfer: 'jpegBaseline',
      sopInstanceUid: uid(3),
      pixelBytes: 5000,
    }),
    big: await makeInstance(src, {
      name: 'big',
      transfer: 'explicit',
      sopInstanceUid: uid(4),
      pixelBytes: 700_000,
    }),
  };
});
afterAll(() => cleanupBase());
afterEach(async () => {
  await running?.close();
  running = undefined;
  if (storescp !== undefined && storescp.exitCode === null) {
    storescp.kill('SIGTERM');
    await once(storescp, 'exit');
  }
  storescp = undefined;
});

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** dcmtk's storescp on a free port, writing what it receives to `out`; ready when it echoes. */
async function startStorescp(out: string): Promise<number> {
  const port = await freePort();
  storescp = spawn('/usr/bin/storescp', ['-aet', 'STORESCP', '+xa', '-od', out, String(port)], {
    stdio: 'ignore',
  });
  const ae = { host: '127.0.0.1', port, calledAe: 'STORESCP', callingAe: 'TESSERA' };
  for (;;) {
    try {
      await echo({ ...ae, timeoutMs: 2000 });
      return port;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function startOurs(
  decide?: (uid: string) => number,
): Promise<{ port: number; stored: Stored[] }> {
  const dir = join(base, `ours-${String(++n)}`);
  await mkdir(join(dir, 'kept'), { recursive: true });
  const { server, stored } = await startRecordingServer({
    tmpDir: join(dir, 'tmp'),
    keptDir: join(dir, 'kept'),
    logger: captureLogger().logger,
    decide: (r) => {
      const status = decide?.(r.sopInstanceUid) ?? 0;
      return status === 0
        ? { status, result: 'stored' }
        : { status, comment: 'refused by the test', result: 'quarantined' };
    },
  });
  running = server;
  return { port: server.port, stored };
}

const to = (port: number, calledAe = 'TESSERA') => ({
  host: '127.0.0.1',
  port,
  calledAe,
  callingAe: 'MODALITY',
});

describe('DICOM sender', () => {
  it('sends to dcmtk storescp, which stores files dcmdump reads with the same data sets', async () => {
    const out = join(base, 'storescp-out');
    await mkdir(out);
    const port = await startStorescp(out);
    const sent = [files.implicit, files.explicit, files.jpeg, files.big];
    const results = await sendInstances({ ...to(port, 'STORESCP'), files: sent });
    expect(results).toEqual(sent.map((file) => ({ file, status: 0 })));
    const received = (await readdir(out)).sort();
    expect(received).toHaveLength(4);
    const byUid = new Map<string, string>();
    for (const name of received) {
      const dump = await runTool('dcmdump', [
        '+P',
        'SOPInstanceUID',
        '+P',
        'TransferSyntaxUID',
        join(out, name),
      ]);
      expect(dump.code).toBe(0);
      const uid = /\(0008,0018\) UI \[([0-9.]+)\]/.exec(dump.stdout)?.[1];
      byUid.set(uid ?? '?', join(out, name));
    }
    for (const [i, file] of sent.entries()) {
      const got = byUid.get(`1.2.826.0.1.3680043.2.1125.8.${String(i + 1)}`);
      expect(got).toBeDefined();
      // storescp re-encodes what it parsed; for these files that is the same bytes
      expect((await datasetOf(got!)).equals(await datasetOf(file))).toBe(true);
    }
    const jpegDump = await runTool('dcmdump', [
      '+P',
      'TransferSyntaxUID',
      byUid.get('1.2.826.0.1.3680043.2.1125.8.3')!,
    ]);
    expect(jpegDump.stdout).toContain('=JPEGBaseline');
  });

  it('echoes dcmtk storescp and our receiver', async () => {
    const out = join(base, 'storescp-echo');
    await mkdir(out);
    const port = await startStorescp(out);
    expect(await echo(to(port, 'STORESCP'))).toEqual({ status: 0 });
    const ours = await startOurs();
    expect(await echo(to(ours.port))).toEqual({ status: 0 });
  });

  it('sends to our receiver byte for byte, small PDUs included, and reports each status', async () => {
    const ours = await startOurs((uid) => (uid.endsWith('.2') ? 0xc000 : 0));
    const notDicom = join(base, 'not-dicom.dcm');
    await writeFile(notDicom, 'hello, I am not DICOM');
    const sent = [files.implicit, notDicom, files.explicit, files.jpeg, files.big];
    const results = await sendInstances({ ...to(ours.port), files: sent, maxPdu: 16384 });
    expect(results.map((r) => [r.file, r.status])).toEqual([
      [files.implicit, 0],
      [notDicom, 0xc000],
      [files.explicit, 0xc000],
      [files.jpeg, 0],
      [files.big, 0],
    ]);
    expect(results[1]!.comment).toMatch(/DICM|preamble|Part 10/i);
    expect(results[2]!.comment).toBe('refused by the test');
    const good = [files.implicit, files.explicit, files.jpeg, files.big];
    expect(ours.stored.map((s) => s.received.transferSyntax)).toEqual([
      TRANSFER.implicit,
      TRANSFER.explicit,
      TRANSFER.jpegBaseline,
      TRANSFER.explicit,
    ]);
    for (const [i, file] of good.entries()) {
      expect(ours.stored[i]!.bytes.equals(await datasetOf(file))).toBe(true);
    }
  });

  it('opens another association past 128 presentation contexts, and reports refused SOP classes', async () => {
    const ours = await startOurs();
    const dir = join(base, 'many');
    await mkdir(dir);
    // 130 storage SOP classes of our own under the storage root, and one private class: one
    // dump2dcm file, copied with its SOP Class UID replaced by others of the same length
    const template = join(dir, 'template.dump');
    const templateUid = '1.2.840.10008.5.1.4.1.1.9100';
    await writeFile(template, `(0008,0016) UI [${templateUid}]\n(0008,0018) UI [1.2.3.4]\n`);
    const made = await runTool('dump2dcm', ['+te', template, join(dir, 'template.dcm')]);
    expect(made.code).toBe(0);
    const bytes = await readFile(join(dir, 'template.dcm'));
    const many: string[] = [];
    for (let i = 0; i < 131; i++) {
      const uid =
        i < 130 ? `1.2.840.10008.5.1.4.1.1.9${String(100 + i)}` : '1.3.6.1.4.1.9999.77777.1.2.3';
      expect(uid).toHaveLength(templateUid.length);
      const file = join(dir, `${String(i)}.dcm`);
      await writeFile(
        file,
        Buffer.from(bytes.toString('latin1').replaceAll(templateUid, uid), 'latin1'),
      );
      many.push(file);
    }
    const results = await sendInstances({ ...to(ours.port), files: many });
    expect(results.slice(0, 130).every((r) => r.status === 0)).toBe(true);
    expect(results[130]).toMatchObject({
      status: 0x0122,
      comment: 'SOP class not accepted by the receiver',
    });
    expect(ours.stored).toHaveLength(130);
  });

  it('throws when the receiver refuses the calling AE title', async () => {
    const ours = await startOurs();
    await expect(echo({ ...to(ours.port), callingAe: 'STRANGER' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('calling AE title not recognized') as unknown,
    });
    await expect(
      sendInstances({ ...to(ours.port), callingAe: 'STRANGER', files: [files.explicit] }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(ours.stored).toEqual([]);
  });
});
