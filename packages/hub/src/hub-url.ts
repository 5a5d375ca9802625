import { isIP } from 'node:net';

/** The https URL clients use for a hub listening on `host`:`port`. */
export function hubUrl(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, '');
  // A wildcard listen address is reachable locally on loopback.
  const h = bare === '0.0.0.0' ? '127.0.0.1' : bare === '::' ? '[::1]' : bare;
  return `https://${isIP(h) === 6 ? `[${h}]` : h}:${port}`;
}
