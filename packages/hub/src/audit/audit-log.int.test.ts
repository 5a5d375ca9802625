import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DB_KINDS } from '../../test/helpers/test-db.js';
import { manualClock } from '../clock.js';
import type { Db } from '../storage/db.js';
import { appendAudit, appendAudits, listAudit, verifyAudit } from './audit-log.js';

const TRACE = '0123456789abcdef0123456789abcdef';

describe.each(TEST_DB_KINDS)('audit log on $name', (kind) => {
  let db: Db;
  let drop: () => Promise<void>;
  const clock = manualClock();
  beforeAll(async () => {
    ({ db, drop } = await kind.open());
  });
  afterAll(() => drop());

  it('chains entries that verify, including ones appended concurrently', async () => {
    await db.transaction((tx) =>
      appendAudit(tx, clock, {
        actor: 'system',
        action: 'test.first',
        details: { n: 1, nested: { b: 2, a: [0.5, 'x'] } },
        traceId: TRACE,
      }),
    );
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        db.transaction((tx) =>
          appendAudit(tx, clock, {
            actor: 'user:x',
            action: 'test.parallel',
            target: `item:${i}`,
            details: { i },
            traceId: TRACE,
          }),
        ),
      ),
    );
    const entries = await listAudit(db, 0, 100);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(entries[0]!.details).toEqual({ n: 1, nested: { b: 2, a: [0.5, 'x'] } });
    expect(await verifyAudit(db)).toEqual({ ok: true, entries: 9, brokenAt: null, reason: null });
  });

  it('fails naming the entry after one byte of its details changed in the table', async () => {
    const before = await db.query<{ details: string }>(
      'SELECT details FROM audit_log WHERE seq = 4',
    );
    const original = before[0]!.details;
    // Change one digit: still valid JSON, so only the hash can catch it.
    const tampered = original.replace(/"i":(\d)/, (_m, d: string) => `"i":${(Number(d) + 1) % 10}`);
    expect(tampered).not.toBe(original);
    expect(tampered.length).toBe(original.length);
    await db.query('UPDATE audit_log SET details = $1 WHERE seq = 4', [tampered]);
    const verdict = await verifyAudit(db);
    expect(verdict.ok).toBe(false);
    expect(verdict.brokenAt).toBe(4);
    expect(verdict.reason).toContain('entry 4');
    await db.query('UPDATE audit_log SET details = $1 WHERE seq = 4', [original]);
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it('fails naming the entry when a byte makes its details non-canonical', async () => {
    const before = await db.query<{ details: string }>(
      'SELECT details FROM audit_log WHERE seq = 2',
    );
    const original = before[0]!.details;
    await db.query('UPDATE audit_log SET details = $1 WHERE seq = 2', [original.replace('{', ' ')]);
    const verdict = await verifyAudit(db);
    expect(verdict).toMatchObject({ ok: false, brokenAt: 2 });
    await db.query('UPDATE audit_log SET details = $1 WHERE seq = 2', [original]);
  });

  it('appends a batch in order, chained to the entries before it', async () => {
    const before = (await listAudit(db, 0, 100)).length;
    const appended = await db.transaction((tx) =>
      appendAudits(
        tx,
        clock,
        ['test.a', 'test.b', 'test.c'].map((action) => ({
          actor: 'system',
          action,
          traceId: TRACE,
        })),
      ),
    );
    expect(appended.map((e) => e.seq)).toEqual([before + 1, before + 2, before + 3]);
    const stored = await listAudit(db, before, 10);
    expect(stored.map((e) => e.action)).toEqual(['test.a', 'test.b', 'test.c']);
    expect(stored).toEqual(appended);
    expect(await verifyAudit(db)).toMatchObject({ ok: true, entries: before + 3 });
  });
});
