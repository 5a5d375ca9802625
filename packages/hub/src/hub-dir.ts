import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where a hub keeps its files (mode 0700 folder; every secret file 0600). */
export function hubPaths(dir: string) {
  return {
    dir,
    config: join(dir, 'hub.json'),
    keysDir: join(dir, 'keys'),
    sealKey: join(dir, 'keys', 'seal.pem'),
    signKey: join(dir, 'keys', 'sign.pem'),
    tlsDir: join(dir, 'tls'),
    tlsCert: join(dir, 'tls', 'cert.pem'),
    tlsKey: join(dir, 'tls', 'key.pem'),
    db: join(dir, 'db'),
    runDir: join(dir, 'run'),
    url: join(dir, 'run', 'hub.url'),
    pid: join(dir, 'run', 'hub.pid'),
  } as const;
}
export type HubPaths = ReturnType<typeof hubPaths>;

/** True when `dir` already holds a hub (its hub.json exists). */
export function isHubDir(dir: string): boolean {
  return existsSync(hubPaths(dir).config);
}
