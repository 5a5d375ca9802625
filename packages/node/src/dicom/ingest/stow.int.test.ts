import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type NodeConsole } from '../../console.js';
import { nodePaths, type NodePaths } from '../../store/layout.js';
import { makeNode, makeTempDir, silentLogger } from '../../testing/helpers.js';
import { generateImagingStudies } from '../synth/index.js';
import { loadDicomIndex } from './dicom-index.js';
import { createDicomStore, type DicomStore } from './store.js';
import { stowResponse } from './stow.js';

/*
 * STOW-RS through the real console on a real socket (PS3.18 §10.5): multipart/related bodies
 * with DICOM parts, answered with the Store Instances Response in DICOM JSON.
 */

let base: { dir: string; cleanup: () => Promise<void> };
let paths: NodePaths;
let store: DicomStore;
let console_: NodeConsole;
const stowTmp = (): string => join(paths.dicom.tmp, 'stow');

beforeAll(async () => {
  base = await makeTempDir();
  paths = nodePaths((await makeNode(base.dir)).dir);
  store = await createDicomStore({ paths, logger: silentLogger, datasetDebounceMs: 60_000 });
  console_ = await startConsole({
    port: 0,
    logger: silentLogger,
    status: () => Promise.resolve({}),
    stow: {
      store,
      tmpDir: stowTmp(),
      logger: silentLogger,
      limits: { maxBodyBytes: 2 * 1024 * 1024, maxParts: 100, maxHeaderBytes: 8192 },
    },
  });
  await import('node:fs/promises').then((fs) => fs.mkdir(stowTmp(), { recursive: true }));
});

afterAll(async () => {
  await console_.close();
  await store.close();
  await base.cleanup();
});

const BOUNDARY = 'tessera-test-boundary';

function multipart(parts: readonly { type?: string; data: Uint8Array }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Type: ${p.type ?? 'application/dicom'}\r\n\r\n`),
    );
    chunks.push(Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

function post(
  body: Buffer,
  contentType = `multipart/related; type="application/dicom"; boundary=${BOUNDARY}`,
  host?: string,
): Promise<{
  status: number;
  type: string;
  json: Record<string, { vr: string; Value?: unknown[] }>;
}> {
  const url = new URL('/dicomweb/studies', console_.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': contentType, ...(host === undefined ? {} : { host }) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            json: JSON.parse(text) as Record<string, { vr: string; Value?: unknown[] }>,
          });
        });
      },
    );
    // An oversize body is cut short by the server: the answer still arrives.
    req.on('error', reject);
    req.end(body);
  });
}

describe('STOW-RS in the console', () => {
  const studies = generateImagingStudies({
    seed: 3,
    patients: [{ id: 'STOW-1', sex: 'F', birthDate: '1980-01-01' }],
    size: 16,
    slices: 2,
    kinds: ['CT'],
  });

  it('stores every part and answers 200 with the stored instances', async () => {
    const r = await post(multipart(studies.files.map((f) => ({ data: f.bytes }))));
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/dicom+json');
    const refs = r.json['00081199']?.Value as Record<string, { Value: string[] }>[];
    expect(refs).toHaveLength(2);
    const index = await loadDicomIndex(paths);
    for (const item of refs)
      expect(index.instances.has(item['00081155']?.Value[0] ?? '')).toBe(true);
    expect(r.json['00081198']).toBeUndefined();
    expect(readdirSync(stowTmp())).toEqual([]);
  });

  it('answers 202 when some parts fail, 409 when none is stored, with failure reasons', async () => {
    const junk = Buffer.concat([
      Buffer.alloc(128),
      Buffer.from('DICM'),
      Buffer.from([2, 0, 0x10, 0, 0x55, 0x49]),
    ]);
    const some = await post(
      multipart([{ data: studies.files[0]?.bytes ?? new Uint8Array() }, { data: junk }]),
    );
    expect(some.status).toBe(202);
    const failed = some.json['00081198']?.Value as Record<string, { Value: number[] }>[];
    expect(failed.map((f) => f['00081197']?.Value[0])).toEqual([0xc000]);
    const none = await post(
      multipart([{ data: junk }, { type: 'application/json', data: Buffer.from('{}') }]),
    );
    expect(none.status).toBe(409);
    expect((none.json['00081198']?.Value ?? []).length).toBe(2);
    expect(none.json['00081199']).toBeUndefined();
    expect((await store.quarantine.list()).length).toBe(2);
  });

  it('answers 415 for another media type and 413 past the body limit, keeping nothing', async () => {
    const json = await post(Buffer.from('{}'), 'application/json');
    expect(json.status).toBe(415);
    expect(JSON.stringify(json.json)).toContain('multipart/related');
    const xml = await post(
      multipart([]),
      `multipart/related; type="application/dicom+xml"; boundary=${BOUNDARY}`,
    );
    expect(xml.status).toBe(415);
    const big = await post(multipart([{ data: Buffer.alloc(3 * 1024 * 1024, 1) }]));
    expect(big.status).toBe(413);
    expect(JSON.stringify(big.json)).toContain('larger than 2097152 bytes');
    expect(readdirSync(stowTmp())).toEqual([]);
  });

  it('refuses a request naming another host (DNS rebinding)', async () => {
    const r = await post(multipart([]), undefined, 'evil.example:80');
    expect(r.status).toBe(403);
  });
});

describe('stowResponse', () => {
  it('puts held instances among the referenced ones with a warning, and answers 202', () => {
    const key = {
      study: '2.25.1',
      series: '2.25.2',
      sop: '2.25.3',
      sopClass: '1.2.840.10008.5.1.4.1.1.2',
    };
    const r = stowResponse([
      { result: 'stored', status: 0, key },
      { result: 'held', status: 0, key: { ...key, sop: '2.25.4' }, id: 'a'.repeat(32) },
    ]);
    expect(r.status).toBe(202);
    expect(r.body['00081199']?.Value).toEqual([
      {
        '00081150': { vr: 'UI', Value: [key.sopClass] },
        '00081155': { vr: 'UI', Value: ['2.25.3'] },
      },
      {
        '00081150': { vr: 'UI', Value: [key.sopClass] },
        '00081155': { vr: 'UI', Value: ['2.25.4'] },
        '00081196': { vr: 'US', Value: [0xb000] },
      },
    ]);
  });
});
