import { readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/helpers.js';
import {
  NODE_AUDIT_ACTIONS,
  appendAudit,
  createAuditLog,
  readAudit,
  verifyAuditFile,
} from './audit-log.js';
import { nodePaths, type NodePaths } from './layout.js';

let paths: NodePaths;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  const t = await makeTempDir();
  paths = nodePaths(t.dir);
  cleanup = t.cleanup;
});
afterEach(() => cleanup());

const append = (i: number) =>
  appendAudit(paths, {
    action: NODE_AUDIT_ACTIONS.policyChanged,
    actor: 'operator',
    target: 'policy',
    details: { i },
  });

describe('node audit log', () => {
  it('keeps one unbroken chain under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => append(i)));
    const { entries } = await readAudit(paths.audit);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(await verifyAuditFile(paths.audit)).toEqual({
      ok: true,
      entries: 25,
      brokenAt: null,
      reason: null,
    });
  });

  it('chains entries appended without sync like any other, in order', async () => {
    const log = createAuditLog(paths);
    const entry = (i: number) => ({
      action: NODE_AUDIT_ACTIONS.policyChanged,
      actor: 'system' as const,
      target: 'policy',
      details: { i },
    });
    await log.append(entry(1), new Date(), false);
    await log.append(entry(2));
    await log.append(entry(3), new Date(), false);
    await append(4);
    const { entries } = await readAudit(paths.audit);
    expect(entries.map((e) => e.details.i)).toEqual([1, 2, 3, 4]);
    expect((await verifyAuditFile(paths.audit)).ok).toBe(true);
  });

  it('a log that keeps its tail in memory chains after entries another process appended', async () => {
    const log = createAuditLog(paths);
    const entry = (i: number) => ({
      action: NODE_AUDIT_ACTIONS.policyChanged,
      actor: 'system' as const,
      target: 'policy',
      details: { i },
    });
    await log.append(entry(0));
    await log.append(entry(1));
    await append(2); // an operator command: another writer of the same file
    await log.append(entry(3));
    await append(4);
    await append(5);
    await log.append(entry(6));
    const { entries } = await readAudit(paths.audit);
    expect(entries.map((e) => [e.seq, e.details.i])).toEqual(
      Array.from({ length: 7 }, (_, i) => [i + 1, i]),
    );
    expect((await verifyAuditFile(paths.audit)).ok).toBe(true);
  });

  it('fails verification, naming the entry, after one byte of one entry changes', async () => {
    for (let i = 0; i < 5; i++) await append(i);
    const text = await readFile(paths.audit, 'utf8');
    const lines = text.split('\n');
    // Entry 3 records {"i":2}; change that one digit.
    lines[2] = lines[2]!.replace('"i":2', '"i":7');
    await writeFile(paths.audit, lines.join('\n'));
    const v = await verifyAuditFile(paths.audit);
    expect(v.ok).toBe(false);
    expect(v.brokenAt).toBe(3);
    expect(v.reason).toMatch(/entry 3/);
  });

  it('names the entry whose line no longer parses', async () => {
    for (let i = 0; i < 3; i++) await append(i);
    const text = await readFile(paths.audit, 'utf8');
    const at = text.indexOf('\n') + 1; // first byte of entry 2
    await writeFile(paths.audit, text.slice(0, at) + 'x' + text.slice(at + 1));
    const v = await verifyAuditFile(paths.audit);
    expect(v).toMatchObject({ ok: false, brokenAt: 2 });
  });
});
