import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRegular } from './safe-open.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-open-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('openRegular', () => {
  it('opens a regular file', async () => {
    writeFileSync(join(dir, 'a'), 'abc');
    const fh = await openRegular(join(dir, 'a'));
    expect((await fh.readFile()).toString()).toBe('abc');
    await fh.close();
  });

  it('refuses a symbolic link, a folder and a FIFO without blocking on it', async () => {
    symlinkSync(join(dir, 'a'), join(dir, 'link'));
    await expect(openRegular(join(dir, 'link'))).rejects.toThrow('a symbolic link, not followed');
    await expect(openRegular(dir)).rejects.toThrow('not a regular file');
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    await expect(openRegular(join(dir, 'fifo'))).rejects.toThrow('not a regular file');
  });
});
