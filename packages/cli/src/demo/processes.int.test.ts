import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTessera } from './processes.js';

// Runs the built CLI (`npm run build` first), as the demo does.
const tmp = mkdtempSync(join(tmpdir(), 'tessera-cli-proc-'));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('spawnTessera', () => {
  it('rejects, quoting the log, when the child exits before it is ready', async () => {
    const logFile = join(tmp, 'node.log');
    let message = '';
    try {
      await spawnTessera({
        name: 'site-x',
        args: ['node', 'start', '--dir', join(tmp, 'no-such-node')],
        logFile,
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^site-x exited \(1\) before it was ready: tessera: /);
    expect(readFileSync(logFile, 'utf8')).toMatch(/^tessera: /);
  });
});
