import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MIN_COUNT } from '@tessera/algorithms';
import {
  TesseraError,
  exportPartyKeys,
  generatePartyKeys,
  nameSchema,
  parseSecret,
  partyFingerprint,
  pinSchema,
} from '@tessera/protocol';
import { writeFileAtomic, writeJsonAtomic } from './store/atomic-file.js';
import { NODE_AUDIT_ACTIONS, appendAudit } from './store/audit-log.js';
import { nodePaths } from './store/layout.js';
import { hubUrlSchema, type NodeConfig } from './store/node-config.js';
import { defaultPolicy, savePolicy } from './store/policy-store.js';

export interface NodeInitOptions {
  dir: string;
  hubUrl: string;
  pin: string;
  name: string;
  apiKey: string;
  /** Port of the console on 127.0.0.1; default 7070, 0 for an ephemeral port. */
  consolePort?: number;
  minCount?: number;
}

/** True when `dir` already holds a node (its node.json). */
export function isNodeDir(dir: string): boolean {
  return existsSync(nodePaths(dir).config);
}

/**
 * Creates a node in `dir`: its key pairs, API key and pseudonym key (files mode 0600), node.json
 * and a deny-by-default policy. Returns the fingerprint of the node's public keys, for the hub
 * admin to compare out of band.
 *
 * @throws TesseraError CONFLICT when `dir` already holds a node, BAD_REQUEST when the URL, pin,
 *   name, API key or port is malformed (the message never echoes the key).
 */
export async function initNode(o: NodeInitOptions): Promise<{ dir: string; fingerprint: string }> {
  const config = validate(o);
  const paths = nodePaths(o.dir);
  if (isNodeDir(o.dir)) throw new TesseraError('CONFLICT', `${o.dir} already holds a node`);
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  for (const sub of ['secrets', 'keys', 'datasets', 'tasks', 'run']) {
    await mkdir(join(o.dir, sub), { recursive: true, mode: 0o700 });
  }
  const keys = generatePartyKeys();
  const pems = exportPartyKeys(keys);
  await writeFileAtomic(paths.sealKey, pems.seal, 0o600);
  await writeFileAtomic(paths.signKey, pems.sign, 0o600);
  await writeFileAtomic(paths.apiKey, `${o.apiKey}\n`, 0o600);
  await writeFileAtomic(paths.pseudonymKey, randomBytes(32), 0o600);
  await savePolicy(paths, defaultPolicy(o.minCount ?? DEFAULT_MIN_COUNT));
  // node.json last: its presence is what makes the folder a node (isNodeDir).
  await writeJsonAtomic(paths.config, config, 0o600);
  const fingerprint = partyFingerprint(keys.public);
  await appendAudit(paths, {
    action: NODE_AUDIT_ACTIONS.initialised,
    actor: 'operator',
    target: `trust:${config.name}`,
    details: {
      hubUrl: config.hubUrl,
      pin: config.pin,
      fingerprint,
      minCount: o.minCount ?? DEFAULT_MIN_COUNT,
    },
  });
  return { dir: o.dir, fingerprint };
}

function validate(o: NodeInitOptions): NodeConfig {
  const problems: string[] = [];
  if (!hubUrlSchema.safeParse(o.hubUrl).success)
    problems.push('the hub URL must be https:// without credentials');
  if (!pinSchema.safeParse(o.pin).success)
    problems.push('the pin must look like sha256/<base64 of 32 bytes>');
  if (!nameSchema.safeParse(o.name).success)
    problems.push('the trust name must be letters, digits, dot, dash or underscore');
  try {
    parseSecret(o.apiKey.trim(), 'node');
  } catch {
    problems.push('the API key is not a node API key (tsk_…)');
  }
  const port = o.consolePort ?? 7070;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push('the console port must be 0–65535');
  const minCount = o.minCount ?? DEFAULT_MIN_COUNT;
  if (!Number.isInteger(minCount) || minCount < 1)
    problems.push('minCount must be a positive integer');
  if (problems.length > 0) throw new TesseraError('BAD_REQUEST', problems.join('; '));
  return {
    v: 1,
    name: o.name,
    hubUrl: new URL(o.hubUrl).toString().replace(/\/$/, ''),
    pin: o.pin,
    consolePort: port,
    created: new Date().toISOString(),
  };
}
