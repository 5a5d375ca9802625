import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from './cluster.js';
import { siteCsv } from './data.js';
import { createHarness, type RunResult } from './harness.js';

/*
 * Issue 2, Done when: "`tessera audit verify` passes on an untouched log and fails, naming the
 * entry, after one byte of one entry is changed." For a node (its audit.log) and for the hub (its
 * audit_log table in the embedded database).
 */

const h = createHarness('audit');
let c: Cluster;

beforeAll(async () => {
  c = await startCluster(h, {
    adminVia: 'http',
    sites: [
      { name: 'kent', csv: siteCsv({ rows: 50, seed: 7 }) },
      { name: 'essex', csv: siteCsv({ rows: 60, seed: 8, shift: 1 }) },
    ],
  });
  const r = await c.runJob({ params: { variables: ['age', 'smoking'] } });
  if (r.code !== 0) throw new Error(`job failed: ${r.stderr}\n${c.context()}`);
}, 180_000);

afterAll(async () => {
  await h.cleanup();
}, 60_000);

/** The same timestamp with its last digit changed: one character, still a valid timestamp. */
function alterLastDigit(at: string): string {
  const m = /^(.*)(\d)(\D*)$/.exec(at);
  if (m === null) throw new Error(`no digit in ${at}`);
  return `${m[1]!}${(Number(m[2]) + 1) % 10}${m[3]!}`;
}

const verify = (dir: string, json = false): Promise<RunResult> =>
  h.run(['audit', 'verify', '--dir', dir, ...(json ? ['--json'] : [])]);

function expectBrokenAt(plain: RunResult, asJson: RunResult, seq: number): void {
  expect(plain.code, plain.stderr).not.toBe(0);
  expect(plain.code).not.toBeNull();
  expect(`${plain.stderr}${plain.stdout}`).toMatch(new RegExp(`entry\\D{0,3}${seq}\\b`));
  expect(asJson.code).not.toBe(0);
  expect(JSON.parse(asJson.stdout)).toMatchObject({ ok: false, brokenAt: seq });
}

describe('audit verify', () => {
  it("passes on a node's untouched log and fails naming the entry after one byte changed", async () => {
    const kent = c.sites['kent']!;
    const ok = await verify(kent.dir);
    expect(ok.code, ok.stderr).toBe(0);
    const okJson = await verify(kent.dir, true);
    expect(JSON.parse(okJson.stdout)).toMatchObject({ ok: true, brokenAt: null });

    await kent.proc!.stop();
    const file = join(kent.dir, 'audit.log');
    const lines = readFileSync(file, 'utf8').split('\n');
    // The release of the job's result: the hospital's receipt of what left.
    const index = lines.findIndex((l) => l.includes('"task.released"'));
    expect(index, 'a task.released entry').toBeGreaterThanOrEqual(0);
    const entry = JSON.parse(lines[index]!) as { seq: number; at: string };
    const before = lines[index]!;
    lines[index] = before.replace(`"at":"${entry.at}"`, `"at":"${alterLastDigit(entry.at)}"`);
    expect(Buffer.from(lines[index]).compare(Buffer.from(before))).not.toBe(0);
    expect(lines[index].length).toBe(before.length);
    writeFileSync(file, lines.join('\n'));

    expectBrokenAt(await verify(kent.dir), await verify(kent.dir, true), entry.seq);
  }, 60_000);

  it("passes on the hub's untouched log and fails naming the entry after one character changed", async () => {
    const api = await c.http.ok<{ ok: boolean }>('GET', '/api/v1/audit/verify', {
      token: c.adminToken,
    });
    expect(api.ok).toBe(true);
    const entries = await c.audit();
    // An entry in the middle of the chain: the creation of the second trust.
    const target = entries.filter((e) => e.action === 'trust.create')[1];
    expect(target, 'a second trust.create entry').toBeDefined();
    const seq = target!.seq;
    expect(seq).toBeLessThan(entries.length);

    // The embedded database allows one process: stop the hub cleanly first.
    expect(await c.hub.stop()).toEqual({ code: 0, signal: null });
    const ok = await verify(c.hubDir);
    expect(ok.code, ok.stderr).toBe(0);

    const db = await PGlite.create(join(c.hubDir, 'db'));
    try {
      const rows = await db.query<{ at: string }>('SELECT at FROM audit_log WHERE seq = $1', [seq]);
      const at = rows.rows[0]!.at;
      const changed = await db.query('UPDATE audit_log SET at = $2 WHERE seq = $1', [
        seq,
        alterLastDigit(at),
      ]);
      expect(changed.affectedRows).toBe(1);
    } finally {
      await db.close();
    }

    expectBrokenAt(await verify(c.hubDir), await verify(c.hubDir, true), seq);
  }, 60_000);
});
