import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinSchema } from '@tessera/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Runs the real `tessera` binary (bin/tessera.js → dist/main.js; `npm run build` first) the way
 * the acceptance checks do, and holds it to the contract: one JSON document on stdout with
 * --json, a one-line reason on stderr and a non-zero exit on failure.
 */

const BIN = fileURLToPath(new URL('../bin/tessera.js', import.meta.url));
const PASSWORD = 'correct horse battery staple 42';

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function tessera(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, TESSERA_DEBUG: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ code, out, err });
    });
  });
}

let tmp: string;
let pwFile: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tessera-cli-bin-'));
  pwFile = join(tmp, 'admin-password');
  writeFileSync(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function expectOneLineFailure(r: Run, reason: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.out).toBe('');
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(/^tessera: /);
  expect(r.err).toMatch(reason);
  expect(r.err).not.toMatch(/\n\s+at /);
}

describe('tessera binary', () => {
  const hubDir = (): string => join(tmp, 'hub');

  it('hub init --json prints only {url, pin} and writes private files with mode 0600', async () => {
    const r = await tessera([
      'hub',
      'init',
      '--dir',
      hubDir(),
      '--port',
      '0',
      '--admin-email',
      'admin@tessera.example',
      '--admin-password-file',
      pwFile,
      '--json',
    ]);
    expect(r.err).not.toContain(PASSWORD);
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toContain(PASSWORD);
    const doc = JSON.parse(r.out) as { url: string; pin: string };
    expect(doc.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(pinSchema.safeParse(doc.pin).success).toBe(true);
    for (const f of ['keys/seal.pem', 'keys/sign.pem', 'tls/key.pem']) {
      expect((statSync(join(hubDir(), f)).mode & 0o777).toString(8), f).toBe('600');
    }
  }, 120_000);

  it('audit verify --dir --json passes on the fresh hub', async () => {
    const r = await tessera(['audit', 'verify', '--dir', hubDir(), '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, brokenAt: null });
  }, 60_000);

  it('fails in one line when the admin password file is missing', async () => {
    const r = await tessera([
      'hub',
      'init',
      '--dir',
      join(tmp, 'hub2'),
      '--admin-email',
      'admin@tessera.example',
      '--admin-password-file',
      join(tmp, 'no-such-file'),
      '--json',
    ]);
    expectOneLineFailure(r, /cannot read --admin-password-file .*no-such-file/);
  });

  it('fails in one line when audit verify is given a folder that is neither hub nor node', async () => {
    expectOneLineFailure(
      await tessera(['audit', 'verify', '--dir', tmp]),
      /neither a hub nor a node folder/,
    );
  });

  it('fails in one line for a usage error', async () => {
    expectOneLineFailure(await tessera(['hub', 'init', '--json']), /required option/);
  });
});
