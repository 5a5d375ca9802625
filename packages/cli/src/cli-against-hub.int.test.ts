import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessGroup, startHubProcess } from './demo/components.js';
import { findFreePort } from './demo/free-port.js';
import { TESSERA_BIN } from './demo/processes.js';
import { createHubApi } from './hub-api.js';
import { createHubClient } from './hub-client.js';
import { recordingIo } from '../test/fixtures.js';
import { hubInit } from './commands/hub.js';
import { loginToHub } from './commands/login.js';
import { nodeInit } from './commands/node.js';

/*
 * The built CLI as a real process against a real hub process: the `--json` documents the
 * acceptance checks rely on, and `node start` stopping when the hub names another trust.
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

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function tessera(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TESSERA_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TESSERA_CONFIG_DIR: join(base, 'config') },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.once('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** Runs a command that must succeed with --json and returns its one JSON document. */
async function json<T>(args: string[]): Promise<T> {
  const r = await tessera([...args, '--json']);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as T;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('tessera admin commands against a hub', () => {
  it('logs in, storing the session in a 0600 config.json', async () => {
    const login = await json<{ hub: string; email: string }>([
      'login',
      '--hub',
      hub.url,
      '--pin',
      hub.pin,
      '--email',
      'admin@tessera.example',
      '--password-file',
      join(base, 'pw'),
    ]);
    expect(login).toMatchObject({ hub: hub.url, email: 'admin@tessera.example' });
    expect(statSync(join(base, 'config', 'config.json')).mode & 0o777).toBe(0o600);
  });

  it('trust create --json shows {name, apiKey} once; list, rotate-key and revoke follow', async () => {
    const t = await json<{ name: string; apiKey: string }>(['trust', 'create', 'site-c']);
    expect(t.name).toBe('site-c');
    expect(t.apiKey).toMatch(/^tsk_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    const rotated = await json<{ apiKey: string }>(['trust', 'rotate-key', 'site-c']);
    expect(rotated.apiKey).not.toBe(t.apiKey);
    const list = await json<{ name: string; apiKey?: string; revoked: boolean }[]>([
      'trust',
      'list',
    ]);
    expect(list.map((x) => x.name).sort()).toEqual(['site-a', 'site-c']);
    expect(list.every((x) => x.apiKey === undefined)).toBe(true);
    expect((await json<{ revoked: boolean }>(['trust', 'revoke', 'site-c'])).revoked).toBe(true);
  });

  it('project create --json gives {id, name}; members and trusts are added by name or id', async () => {
    const p = await json<{ id: string; name: string }>(['project', 'create', 'cardio']);
    expect(p.id).toMatch(UUID);
    expect(p.name).toBe('cardio');
    await json(['project', 'add-trust', p.id, 'site-a']);
    const u = await json<{ email: string; role: string }>([
      'user',
      'create',
      '--email',
      'r@tessera.example',
      '--role',
      'researcher',
      '--password-file',
      join(base, 'pw'),
    ]);
    expect(u).toMatchObject({ email: 'r@tessera.example', role: 'researcher' });
    await json(['project', 'add-member', 'cardio', 'r@tessera.example', '--role', 'observer']);
    const shown = await json<{ id: string; trusts: { name: string }[]; members: unknown[] }>([
      'project',
      'show',
      'cardio',
    ]);
    expect(shown.id).toBe(p.id);
    expect(shown.trusts.map((t) => t.name)).toEqual(['site-a']);
    expect(shown.members).toContainEqual({ email: 'r@tessera.example', role: 'observer' });
  });

  it('reports a hub refusal in one line', async () => {
    const r = await tessera(['project', 'add-trust', 'cardio', 'no-such-trust']);
    expect(r.code).not.toBe(0);
    expect(r.out).toBe('');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^tessera: /);
  });
});

describe('tessera node start', () => {
  it("exits non-zero with one reason line when the hub names another trust than the node's", async () => {
    const dir = join(base, 'impostor');
    await nodeInit(
      { dir, hub: hub.url, pin: hub.pin, name: 'site-b', apiKeyFile: keyFile, consolePort: 0 },
      recordingIo(),
    );
    const r = await tessera(['node', 'start', '--dir', dir]);
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBeNull();
    const failures = r.err.split('\n').filter((l) => l.startsWith('tessera: '));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/site-a/);
    expect(r.err).not.toMatch(/\n\s+at /);
  }, 90_000);
});
