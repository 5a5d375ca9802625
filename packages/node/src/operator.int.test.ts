import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCsv, makeNode, makeTempDir, writeCsvFile } from './testing/helpers.js';
import {
  approveProject,
  importDataset,
  initNode,
  isNodeDir,
  nodeStatus,
  setPolicy,
  verifyNodeAudit,
} from './index.js';

let base: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: base, cleanup } = await makeTempDir());
});
afterEach(() => cleanup());

describe('initNode', () => {
  it('writes keys and secrets with mode 0600 and refuses a second init', async () => {
    const { dir, fingerprint, apiKey } = await makeNode(base);
    expect(fingerprint).toMatch(/^sha256\//);
    expect(isNodeDir(dir)).toBe(true);
    for (const f of [
      'node.json',
      'secrets/api-key',
      'secrets/pseudonym.key',
      'keys/seal.pem',
      'keys/sign.pem',
    ]) {
      expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);
    }
    expect(await readFile(join(dir, 'node.json'), 'utf8')).not.toContain(apiKey);
    await expect(makeNode(base)).rejects.toThrow(/already holds a node/);
  });

  it('validates URL, pin, name and key without echoing the key', async () => {
    const bad = 'tsk_notakey';
    const err = await initNode({
      dir: join(base, 'x'),
      hubUrl: 'http://hub',
      pin: 'abc',
      name: '-bad',
      apiKey: bad,
    }).then(
      () => new Error('no error'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/https/);
    expect(err.message).toMatch(/pin/);
    expect(err.message).toMatch(/trust name/);
    expect(err.message).toMatch(/API key/);
    expect(err.message).not.toContain(bad);
    expect(isNodeDir(join(base, 'x'))).toBe(false);
  });
});

describe('operator commands', () => {
  it('approves a project with existing datasets only, and audits approvals and policy changes', async () => {
    const { dir } = await makeNode(base);
    await expect(
      approveProject({ dir, project: 'diabetes', datasets: ['cohort'] }),
    ).rejects.toThrow(/no dataset cohort/);
    await importDataset({
      dir,
      name: 'cohort',
      file: await writeCsvFile(base, 'a.csv', makeCsv(12)),
    });
    expect(await approveProject({ dir, project: 'diabetes', datasets: ['cohort'] })).toEqual({
      project: 'diabetes',
      datasets: ['cohort'],
      budget: null,
    });
    const policy = await setPolicy({ dir, minCount: 25, allowedAlgorithms: ['summary'] });
    expect(policy).toMatchObject({
      minCount: 25,
      allowMinMax: false,
      allowedAlgorithms: ['summary'],
    });
    await expect(setPolicy({ dir, minCount: 0 })).rejects.toThrow(/minCount/);
    await expect(setPolicy({ dir, allowedAlgorithms: ['rm-rf'] })).rejects.toThrow(
      /unknown algorithms/,
    );
    const st = await nodeStatus(dir);
    expect(st.approvals).toMatchObject([
      { project: 'diabetes', projectId: null, datasets: ['cohort'] },
    ]);
    expect(st.policy.minCount).toBe(25);
    const log = await readFile(join(dir, 'audit.log'), 'utf8');
    expect(log).toContain('"project.approved"');
    expect(log).toContain('"policy.changed"');
    expect((await verifyNodeAudit(dir)).ok).toBe(true);
  });
});
