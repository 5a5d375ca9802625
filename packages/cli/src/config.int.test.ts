import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSession, readCliEnv, saveSession, type Session } from './config.js';

const session: Session = {
  hub: 'https://127.0.0.1:8443',
  pin: `sha256/${'A'.repeat(43)}=`,
  token: 'tss_abcdefghijkl_secret',
  email: 'admin@tessera.example',
  expiresAt: '2099-01-01T00:00:00.000Z',
};

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tessera-cli-config-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('session storage', () => {
  it('stores the login in config.json mode 0600 inside a 0700 folder, and reads it back', () => {
    const dir = join(tmp, 'conf');
    saveSession(dir, session);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(loadSession(dir)).toEqual(session);
  });

  it('says "not logged in" when there is no login', () => {
    expect(() => loadSession(join(tmp, 'none'))).toThrowError(/not logged in/);
  });

  it('refuses an expired session', () => {
    saveSession(tmp, { ...session, expiresAt: '2020-01-01T00:00:00.000Z' });
    expect(() => loadSession(tmp)).toThrowError(/expired/);
  });

  it('refuses an unreadable config.json without echoing it', () => {
    writeFileSync(join(tmp, 'config.json'), '{"token":"tss_secret"');
    let message = '';
    try {
      loadSession(tmp);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/unreadable/);
    expect(message).not.toContain('tss_secret');
  });
});

describe('readCliEnv', () => {
  it('takes the config folder from TESSERA_CONFIG_DIR, else ~/.config/tessera', () => {
    expect(readCliEnv({ TESSERA_CONFIG_DIR: '/x/y' }).configDir).toBe('/x/y');
    expect(readCliEnv({}).configDir).toMatch(/\.config\/tessera$/);
    expect(readCliEnv({ TESSERA_DEBUG: '1' }).debug).toBe(true);
  });
});
