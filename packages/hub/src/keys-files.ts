import { readFileSync } from 'node:fs';
import { importPartyKeys, type PartyKeys } from '@tessera/protocol';
import { hubPaths } from './hub-dir.js';

/**
 * The hub's sealing and signing keys from `<dir>/keys`.
 * @throws when a file is missing or holds a key of the wrong type.
 */
export function readHubKeys(dir: string): PartyKeys {
  const p = hubPaths(dir);
  return importPartyKeys({
    seal: readFileSync(p.sealKey, 'utf8'),
    sign: readFileSync(p.signKey, 'utf8'),
  });
}
