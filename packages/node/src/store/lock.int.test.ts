import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/helpers.js';
import { withLock } from './lock.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
});
afterEach(() => cleanup());

describe('withLock', () => {
  it('breaks a stale lock left by a dead process', async () => {
    const deadPid = spawnSync('true').pid;
    const lock = join(dir, 'state.lock');
    await writeFile(lock, String(deadPid));
    expect(await withLock(lock, () => Promise.resolve('ran'), 2_000)).toBe('ran');
  });

  it('waits for a live holder and gives up with UNAVAILABLE', async () => {
    const lock = join(dir, 'state.lock');
    await writeFile(lock, String(process.ppid));
    await expect(withLock(lock, () => Promise.resolve('ran'), 200)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
  });

  it('serialises callers in one process', async () => {
    const lock = join(dir, 'state.lock');
    const order: string[] = [];
    const slow = withLock(lock, async () => {
      order.push('a-in');
      await new Promise((r) => setTimeout(r, 50));
      order.push('a-out');
    });
    const fast = withLock(lock, () => {
      order.push('b');
      return Promise.resolve();
    });
    await Promise.all([slow, fast]);
    expect(order).toEqual(['a-in', 'a-out', 'b']);
  });
});
