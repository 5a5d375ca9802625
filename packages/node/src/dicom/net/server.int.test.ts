import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../testing/helpers.js';
import type { ReceivedInstance, StoreOutcome } from '../contracts.js';
import type { DicomServer, DicomServerOptions } from './server.js';
import {
  captureLogger,
  datasetOf,
  makeInstance,
  runTool,
  startRecordingServer,
  TRANSFER,
  type LogLines,
  type Stored,
} from './test-support.js';

let base: string;
let cleanupBase: () => Promise<void>;
let files: { implicit: string; explicit: string; jpeg: string; big: string };
let running: DicomServer | undefined;
let n = 0;

beforeAll(async () => {
  ({ dir: base, cleanup: cleanupBase } = await makeTempDir());
  const src = join(base, 'src');
  await mkdir(src);
  files = {
    implicit: await makeInstance(src, {
      name: 'imp',
      transfer: 'implicit',
      sopInstanceUid: '1.2.826.0.1.3680043.2.1125.9.1',
    }),
    explicit: await makeInstance(src, {
      name: 'exp',
      transfer: 'explicit',
      sopInstanceUid: '1.2.826.0.1.3680043.2.1125.9.2',
    }),
    jpeg: await makeInstance(src, {
      name: 'jpg',
      transfer: 'jpegBaseline',
      sopInstanceUid: '1.2.826.0.1.3680043.2.1125.9.3',
      pixelBytes: 3001,
    }),
    // 600 KB: many PDVs at storescu's PDU size, several TCP chunks per PDU
    big: await makeInstance(src, {
      name: 'big',
      transfer: 'explicit',
      sopInstanceUid: '1.2.826.0.1.3680043.2.1125.9.4',
      pixelBytes: 600_000,
    }),
  };
});
afterAll(() => cleanupBase());
afterEach(async () => {
  await running?.close();
  running = undefined;
});

interface Setup {
  server: DicomServer;
  stored: Stored[];
  lines: LogLines;
  tmpDir: string;
  port: string;
}

async function setup(
  o: {
    decide?: (r: ReceivedInstance) => StoreOutcome | Promise<StoreOutcome>;
    overrides?: Partial<DicomServerOptions>;
  } = {},
): Promise<Setup> {
  const dir = join(base, `run-${String(++n)}`);
  const tmpDir = join(dir, 'tmp');
  const keptDir = join(dir, 'kept');
  await mkdir(keptDir, { recursive: true });
  const { logger, lines } = captureLogger();
  const { server, stored } = await startRecordingServer({ tmpDir, keptDir, logger, ...o });
  running = server;
  return { server, stored, lines, tmpDir, port: String(server.port) };
}

const echoscu = (port: string, calling = 'MODALITY', called = 'TESSERA') =>
  runTool('echoscu', ['-aet', calling, '-aec', called, '127.0.0.1', port]);

/** storescu proposing only what the files need; `extra` e.g. -xy to offer JPEG Baseline as is. */
const storescu = (port: string, paths: string[], calling = 'MODALITY', extra: string[] = []) =>
  runTool('storescu', [
    ...['-v', '-nh', '-R', ...extra],
    ...['-aet', calling, '-aec', 'TESSERA', '127.0.0.1', port, ...paths],
  ]);

const messages = (lines: LogLines) => lines.map((l) => l.msg);

describe('DICOM receiver, with dcmtk as the peer', () => {
  it('answers echoscu from an allowed calling AE title', async () => {
    const s = await setup();
    const r = await echoscu(s.port);
    expect(r.code).toBe(0);
    expect(messages(s.lines)).toContain('association accepted');
    expect(messages(s.lines)).toContain('association released');
  });

  it('rejects a calling AE title not on the allow-list, logs it and keeps no file', async () => {
    const s = await setup();
    const r = await echoscu(s.port, 'STRANGER');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Calling AE Title Not Recognized');
    const rejection = s.lines.find((l) => l.msg === 'association rejected');
    expect(rejection).toMatchObject({
      callingAe: 'STRANGER',
      reason: 'calling AE title not recognized',
    });
    const sent = await storescu(s.port, [files.explicit], 'STRANGER');
    expect(sent.code).not.toBe(0);
    expect(s.stored).toHaveLength(0);
    expect(await readdir(s.tmpDir)).toEqual([]);
  });

  it('rejects an association that calls another AE title', async () => {
    const s = await setup();
    const r = await echoscu(s.port, 'MODALITY', 'SOMEONE');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Called AE Title Not Recognized');
    expect(s.lines.find((l) => l.msg === 'association rejected')).toMatchObject({
      reason: 'called AE title not recognized',
    });
  });

  it('refuses everyone when the allow-list is empty', async () => {
    const s = await setup({ overrides: { allow: [] } });
    expect((await echoscu(s.port)).code).not.toBe(0);
  });

  it('hands storescu instances to the store byte for byte and returns its statuses', async () => {
    const failing = '1.2.826.0.1.3680043.2.1125.9.2';
    const s = await setup({
      decide: (r) =>
        r.sopInstanceUid === failing
          ? { status: 0xc000, comment: 'cannot parse', result: 'quarantined' }
          : { status: 0, result: 'stored' },
    });
    const natives = await storescu(s.port, [files.implicit, files.explicit, files.big]);
    // -xy proposes JPEG Baseline in a context of its own, so the file travels as stored
    const jpeg = await storescu(s.port, [files.jpeg], 'MODALITY', ['-xy']);
    // storescu reports each response; the failure reaches it with the store's status
    expect(natives.stderr.match(/Received Store Response \(Success\)/g)).toHaveLength(2);
    expect(natives.stderr).toContain('Received Store Response (Error: CannotUnderstand)');
    expect(jpeg.stderr).toContain('Converting transfer syntax: JPEG Baseline -> JPEG Baseline');
    expect(jpeg.code).toBe(0);
    expect(s.stored.map((x) => x.received.transferSyntax)).toEqual([
      TRANSFER.implicit,
      TRANSFER.explicit,
      TRANSFER.explicit,
      TRANSFER.jpegBaseline,
    ]);
    const sent = [files.implicit, files.explicit, files.big, files.jpeg];
    for (const [i, file] of sent.entries()) {
      const got = s.stored[i]!;
      const want = await datasetOf(file);
      expect(got.bytes.equals(want)).toBe(true);
      expect(got.received.bytes).toBe(want.length);
      expect(got.received.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.2');
      expect(got.received.source).toMatchObject({ kind: 'c-store', callingAe: 'MODALITY' });
    }
    expect(s.stored.map((x) => x.received.sopInstanceUid)).toEqual([
      '1.2.826.0.1.3680043.2.1125.9.1',
      failing,
      '1.2.826.0.1.3680043.2.1125.9.4',
      '1.2.826.0.1.3680043.2.1125.9.3',
    ]);
    expect(await readdir(s.tmpDir)).toEqual([]);
    // no value from a dataset reaches the log
    const log = JSON.stringify(s.lines);
    expect(log).not.toContain('Synthetic');
    expect(log).not.toContain('1.2.826.0.1.3680043.2.1125.9');
  });

  it('serves 8 storescu processes at once', async () => {
    const s = await setup();
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => storescu(s.port, [files.explicit, files.big])),
    );
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stderr.match(/Received Store Response \(Success\)/g)).toHaveLength(2);
    }
    expect(s.stored).toHaveLength(16);
    const big = await datasetOf(files.big);
    expect(s.stored.filter((x) => x.bytes.equals(big))).toHaveLength(8);
  });

  it('answers an instance over maxInstanceBytes with 0xA700, removes its file and stores the next', async () => {
    const s = await setup({ overrides: { maxInstanceBytes: 100_000 } });
    const r = await storescu(s.port, [files.big, files.explicit]);
    expect(r.stderr).toContain('Received Store Response (Refused: OutOfResources');
    expect(r.stderr).toContain('Received Store Response (Success)');
    expect(s.stored.map((x) => x.received.sopInstanceUid)).toEqual([
      '1.2.826.0.1.3680043.2.1125.9.2',
    ]);
    expect(await readdir(s.tmpDir)).toEqual([]);
  });

  it('answers 0xA700 when the store throws, and keeps serving', async () => {
    const s = await setup({
      decide: () => {
        throw new Error('disk on fire');
      },
    });
    const r = await storescu(s.port, [files.explicit]);
    expect(r.stderr).toContain('Received Store Response (Refused: OutOfResources');
    expect(s.lines.some((l) => l.msg === 'onStore threw')).toBe(true);
    expect((await echoscu(s.port)).code).toBe(0);
  });

  it('rejects associations beyond maxAssociations as transient, then accepts again', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const s = await setup({
      overrides: { maxAssociations: 1 },
      decide: async () => {
        await gate; // the store holds the first association until the test opens the gate
        return { status: 0, result: 'stored' };
      },
    });
    const held = storescu(s.port, [files.explicit]);
    while (s.stored.length === 0) await new Promise((r) => setTimeout(r, 20));
    const refused = await echoscu(s.port);
    open();
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Local Limit Exceeded');
    expect(s.lines.find((l) => l.msg === 'association rejected')).toMatchObject({
      reason: 'local limit exceeded',
    });
    expect((await held).code).toBe(0);
    expect((await echoscu(s.port)).code).toBe(0);
  });
});
