import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessGroup, startHubProcess } from '../demo/components.js';
import { findFreePort } from '../demo/free-port.js';
import { TESSERA_BIN } from '../demo/processes.js';
import { createHubApi } from '../hub-api.js';
import { createHubClient } from '../hub-client.js';
import { recordingIo } from '../../test/fixtures.js';
import { hubInit } from './hub.js';
import { loginToHub } from './login.js';
import { nodeInit } from './node.js';

/*
 * `node start` as a real process (built CLI) against a real hub: a node configured as one trust
 * whose API key belongs to another must stop, and the command must fail in one line (DESIGN
 * "Node identity": a node that finds another name stops).
 */

const base = mkdtempSync(join(tmpdir(), 'tessera-cli-nodestart-'));
const group = new ProcessGroup();
let hub: { url: string; pin: string };
let keyFile: string;

beforeAll(async () => {
  const pw = join(base, 'pw');
  writeFileSync(pw, 'a long enough admin password\n', { mode: 0o600 });
  const dir = join(base, 'hub');
  const email = 'admin@tessera.example';
  await hubInit(
    { dir, port: await findFreePort(), adminEmail: email, adminPasswordFile: pw },
    recordingIo(),
  );
  hub = await startHubProcess({ dir, logFile: join(base, 'hub.log'), group });
  const session = await loginToHub({
    hub: hub.url,
    pin: hub.pin,
    email,
    password: 'a long enough admin password',
  });
  const client = createHubClient({ url: hub.url, pin: hub.pin, token: session.token });
  const key = await createHubApi(client).createTrust('site-a');
  await client.close();
  keyFile = join(base, 'site-a.key');
  writeFileSync(keyFile, `${key.apiKey}\n`, { mode: 0o600 });
}, 120_000);

afterAll(async () => {
  await group.close();
  rmSync(base, { recursive: true, force: true });
});

function runNodeStart(dir: string): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TESSERA_BIN, 'node', 'start', '--dir', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.once('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, err });
    });
  });
}

describe('tessera node start', () => {
  it("exits non-zero with one reason line when the hub names another trust than the node's", async () => {
    const dir = join(base, 'impostor');
    await nodeInit(
      { dir, hub: hub.url, pin: hub.pin, name: 'site-b', apiKeyFile: keyFile, consolePort: 0 },
      recordingIo(),
    );
    const r = await runNodeStart(dir);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    const failures = r.err.split('\n').filter((l) => l.startsWith('tessera: '));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/site-a/);
    expect(r.err).not.toMatch(/\n\s+at /);
  }, 90_000);
});
