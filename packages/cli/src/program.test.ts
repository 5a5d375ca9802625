import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingIo } from '../test/fixtures.js';
import { runCli } from './program.js';

const configDir = mkdtempSync(join(tmpdir(), 'tessera-cli-prog-'));
afterAll(() => {
  rmSync(configDir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = recordingIo();
  const code = await runCli(argv, { io, env: { configDir, debug: false } });
  return { code, out: io.stdout(), err: io.stderr() };
}

/** The contract for every failure: non-zero, nothing on stdout, one `tessera: …` line on stderr. */
function expectOneLineFailure(r: { code: number; out: string; err: string }, reason: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.out).toBe('');
  expect(r.err.endsWith('\n')).toBe(true);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(/^tessera: /);
  expect(r.err).toMatch(reason);
}

const jobArgs = ['job', 'run', '--project', 'p', '--algorithm', 'summary', '--datasets', 'd'];

describe('tessera argument handling', () => {
  it('reports an unknown command in one line', async () => {
    expectOneLineFailure(await run('frobnicate'), /unknown command 'frobnicate'/);
  });

  it('reports a missing required option in one line', async () => {
    expectOneLineFailure(await run('hub', 'init', '--admin-email', 'a@b.example'), /--dir/);
  });

  it('names --params when it is not valid JSON, before contacting any hub', async () => {
    expectOneLineFailure(
      await run(...jobArgs, '--params', '{variables:'),
      /--params is not valid JSON/,
    );
  });

  it('refuses prototype keys in --params', async () => {
    expectOneLineFailure(
      await run(...jobArgs, '--params', '{"__proto__":{}}'),
      /--params contains the forbidden key/,
    );
  });

  it('names --cohort when it is not a cohort filter', async () => {
    const r = await run(...jobArgs, '--params', '{}', '--cohort', '{"variable":"age","op":"~"}');
    expectOneLineFailure(r, /--cohort is not a cohort filter/);
  });

  it('names --timeout when it is not a number', async () => {
    expectOneLineFailure(
      await run(...jobArgs, '--params', '{}', '--timeout', 'soon'),
      /--timeout: expected a whole number/,
    );
  });

  it('asks to log in first for hub commands', async () => {
    expectOneLineFailure(
      await run('trust', 'create', 'site-a', '--json'),
      /not logged in: run `tessera login`/,
    );
  });

  it('names the password file that cannot be read at login', async () => {
    const pw = join(configDir, 'missing');
    const r = await run(
      'login',
      '--hub',
      'https://127.0.0.1:1',
      '--pin',
      'abc',
      '--email',
      'a@b.example',
      '--password-file',
      pw,
    );
    expectOneLineFailure(r, /cannot read --password-file .*missing \(ENOENT\)/);
  });

  it('refuses a malformed pin and a plain-http hub at login', async () => {
    const pw = join(configDir, 'pw');
    writeFileSync(pw, 'a long enough password\n', { mode: 0o600 });
    const login = (hub: string, pin: string) =>
      run('login', '--hub', hub, '--pin', pin, '--email', 'a@b.example', '--password-file', pw);
    expectOneLineFailure(await login('https://127.0.0.1:1', 'abc'), /--pin must look like sha256/);
    expectOneLineFailure(await login('http://127.0.0.1:1', `sha256/${'A'.repeat(43)}=`), /https/);
  });

  it('refuses a DICOM port out of range', async () => {
    const r = await run(
      'node',
      'init',
      '--dir',
      join(configDir, 'n'),
      '--hub',
      'https://127.0.0.1:1',
      '--pin',
      'x',
      '--name',
      'site-a',
      '--api-key-file',
      join(configDir, 'k'),
      '--dicom-port',
      '70000',
    );
    expectOneLineFailure(r, /--dicom-port: .*65535/);
  });

  it('refuses a --role outside researcher|observer', async () => {
    expectOneLineFailure(
      await run('project', 'add-member', 'p', 'a@b.example', '--role', 'admin'),
      /--role/,
    );
  });

  it('prints the version on stdout and exits 0', async () => {
    const r = await run('--version');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe('0.1.0');
  });
});
