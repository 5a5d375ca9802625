import { randomUUID } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodePaths } from '../store/layout.js';
import { createDifferencingGuard, guardFile } from './differencing-guard.js';
import { toCohortRows } from './row-set.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function folder(): ReturnType<typeof nodePaths> {
  const d = mkdtempSync(join(tmpdir(), 'guard-'));
  dirs.push(d);
  return nodePaths(d);
}
const cohort = (n: number, drop: number[] = []) =>
  toCohortRows([
    {
      dataset: 'patients',
      fingerprint: 'f'.repeat(64),
      total: 100,
      rows: Uint32Array.from(
        Array.from({ length: n }, (_, i) => i).filter((i) => !drop.includes(i)),
      ),
    },
  ]);

describe('differencing guard on disk', () => {
  it('remembers released cohorts across a reopen, per project, once each', async () => {
    const paths = folder();
    const project = randomUUID();
    const first = createDifferencingGuard(paths);
    expect(await first.admit(project, cohort(60), 10)).toEqual({ ok: true, seen: false });
    expect(await first.admit(project, cohort(60), 10)).toEqual({ ok: true, seen: true });
    const size = statSync(guardFile(paths, project)).size;

    const reopened = createDifferencingGuard(paths);
    expect(await reopened.admit(project, cohort(60, [7]), 10)).toMatchObject({ ok: false });
    expect(await reopened.admit(project, cohort(60), 10)).toEqual({ ok: true, seen: true });
    // Neither the refusal nor the repeat was recorded.
    expect(statSync(guardFile(paths, project)).size).toBe(size);
    // Another project has its own memory.
    expect(await reopened.admit(randomUUID(), cohort(60, [7]), 10)).toEqual({
      ok: true,
      seen: false,
    });
  });

  it('checks two tasks at once one after the other', async () => {
    const paths = folder();
    const project = randomUUID();
    const guard = createDifferencingGuard(paths);
    const [a, b] = await Promise.all([
      guard.admit(project, cohort(60), 10),
      guard.admit(project, cohort(60, [3]), 10),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
  });

  it('cuts off a torn tail and keeps what was whole', async () => {
    const paths = folder();
    const project = randomUUID();
    await createDifferencingGuard(paths).admit(project, cohort(60), 10);
    const whole = statSync(guardFile(paths, project)).size;
    appendFileSync(guardFile(paths, project), Buffer.from('TGR1 torn'));
    const guard = createDifferencingGuard(paths);
    expect(await guard.admit(project, cohort(60, [1]), 10)).toMatchObject({ ok: false });
    expect(statSync(guardFile(paths, project)).size).toBe(whole);
    expect(await guard.admit(project, cohort(90), 10)).toEqual({ ok: true, seen: false });
    expect(statSync(guardFile(paths, project)).size).toBeGreaterThan(whole);
  });

  it('admits a cohort it remembers while another process holds the state lock', async () => {
    const paths = folder();
    const project = randomUUID();
    const guard = createDifferencingGuard(paths);
    expect(await guard.admit(project, cohort(60), 10)).toEqual({ ok: true, seen: false });
    const size = statSync(guardFile(paths, project)).size;
    // A live process (our parent) holds the lock, as an operator command would.
    writeFileSync(paths.lock, String(process.ppid));
    const fresh = guard.admit(project, cohort(90), 10);
    // Would wait for the lock (and fail after 15 s) if a repeat were checked under it.
    expect(await guard.admit(project, cohort(60), 10)).toEqual({ ok: true, seen: true });
    expect(statSync(guardFile(paths, project)).size).toBe(size);
    rmSync(paths.lock);
    expect(await fresh).toEqual({ ok: true, seen: false });
    expect(statSync(guardFile(paths, project)).size).toBeGreaterThan(size);
  });

  it('records a remembered cohort again once its guard file was removed', async () => {
    const paths = folder();
    const project = randomUUID();
    const guard = createDifferencingGuard(paths);
    await guard.admit(project, cohort(60), 10);
    rmSync(guardFile(paths, project));
    expect(await guard.admit(project, cohort(60), 10)).toEqual({ ok: true, seen: false });
    expect(existsSync(guardFile(paths, project))).toBe(true);
    // and the new memory holds it: a near-copy is refused
    expect(await guard.admit(project, cohort(60, [5]), 10)).toMatchObject({ ok: false });
  });

  it('re-reads a guard file replaced by another one', async () => {
    const paths = folder();
    const project = randomUUID();
    const guard = createDifferencingGuard(paths);
    await guard.admit(project, cohort(60), 10);
    // Another node folder's file of the same size, holding another cohort, put in its place.
    const other = folder();
    await createDifferencingGuard(other).admit(project, cohort(50), 10);
    rmSync(guardFile(paths, project));
    writeFileSync(guardFile(paths, project), readFileSync(guardFile(other, project)));
    expect(await guard.admit(project, cohort(50, [2]), 10)).toMatchObject({ ok: false });
    expect(await guard.admit(project, cohort(60), 10)).toEqual({ ok: true, seen: false });
  });
});
