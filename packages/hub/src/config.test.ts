import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHubConfig } from './config.js';

describe('hub configuration', () => {
  const withFile = (content: unknown, fn: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cfg-'));
    try {
      writeFileSync(join(dir, 'hub.json'), JSON.stringify(content));
      fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const valid = {
    version: 1,
    host: '127.0.0.1',
    port: 0,
    databaseUrl: null,
    tls: { cert: 'tls/cert.pem', key: '/abs/key.pem' },
  };

  it('fills defaults and resolves relative paths against the hub folder', () => {
    withFile(valid, (dir) => {
      const c = loadHubConfig(dir, {});
      expect(c.settings.leaseMs).toBe(60_000);
      expect(c.settings.stepDeadlineMs).toBe(600_000);
      expect(c.settings.maxArtifactBytes).toBe(32 * 1024 * 1024);
      expect(c.tlsCertPath).toBe(join(dir, 'tls/cert.pem'));
      expect(c.tlsKeyPath).toBe('/abs/key.pem');
      expect(c.logLevel).toBe('info');
    });
  });

  it('lists every problem at once, from the file and the environment', () => {
    withFile({ ...valid, port: -1, host: '', extra: true }, (dir) => {
      let message = '';
      try {
        loadHubConfig(dir, { TESSERA_LOG_LEVEL: 'loud' });
      } catch (e) {
        message = (e as Error).message;
      }
      for (const part of ['port', 'host', 'extra', 'TESSERA_LOG_LEVEL'])
        expect(message).toContain(part);
    });
  });
});
