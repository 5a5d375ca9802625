import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
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
import { initDicomKey } from './dicom/ingest/operator.js';
import {
  aeTitleSchema,
  dicomConfigSchema,
  hubUrlSchema,
  type DicomConfig,
  type NodeConfig,
} from './store/node-config.js';
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
  /** The DICOM receiver (issue 7): it runs only when a port is given. */
  dicom?: DicomInitOptions;
}

/** `node init --dicom-…`: the receiver's port, AE title, allowed callers and TLS files. */
export interface DicomInitOptions {
  port?: number;
  /** Interface to listen on (default every one: the PACS must reach it). */
  host?: string;
  aeTitle?: string;
  /** Calling AE titles that may store; none: every association is refused. */
  allow?: string[];
  tls?: { key: string; cert: string; ca?: string; requireClientCert?: boolean };
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
  initDicomKey(paths);
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
      ...(config.dicom === undefined
        ? {}
        : {
            dicom: {
              port: config.dicom.port ?? null,
              aeTitle: config.dicom.aeTitle,
              allow: config.dicom.allow,
              tls: config.dicom.tls !== undefined,
            },
          }),
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
  const dicom = o.dicom === undefined ? undefined : validateDicom(o.dicom, problems);
  if (problems.length > 0) throw new TesseraError('BAD_REQUEST', problems.join('; '));
  return {
    v: 1,
    name: o.name,
    hubUrl: new URL(o.hubUrl).toString().replace(/\/$/, ''),
    pin: o.pin,
    consolePort: port,
    created: new Date().toISOString(),
    ...(dicom === undefined ? {} : { dicom }),
  };
}

// TLS files are checked to exist now, read when the receiver starts (so renewed certificates
// are picked up by a restart). Their paths are stored absolute.
function validateDicom(d: DicomInitOptions, problems: string[]): DicomConfig | undefined {
  const before = problems.length;
  if (d.port !== undefined && (!Number.isInteger(d.port) || d.port < 0 || d.port > 65535))
    problems.push('the DICOM port must be 0–65535');
  for (const ae of [...(d.aeTitle === undefined ? [] : [d.aeTitle]), ...(d.allow ?? [])]) {
    const r = aeTitleSchema.safeParse(ae);
    if (!r.success)
      problems.push(`AE title "${ae.slice(0, 20)}": ${r.error.issues[0]?.message ?? 'invalid'}`);
  }
  if (
    d.port === undefined &&
    (d.aeTitle !== undefined || (d.allow ?? []).length > 0 || d.tls !== undefined)
  )
    problems.push('--dicom-ae, --dicom-allow and --dicom-tls-* need --dicom-port');
  const tls =
    d.tls === undefined
      ? undefined
      : {
          ...d.tls,
          key: resolve(d.tls.key),
          cert: resolve(d.tls.cert),
          ...(d.tls.ca === undefined ? {} : { ca: resolve(d.tls.ca) }),
        };
  for (const [what, file] of [
    ['TLS key', tls?.key],
    ['TLS certificate', tls?.cert],
    ['TLS CA', tls?.ca],
  ] as const) {
    if (file !== undefined && !existsSync(file))
      problems.push(`the DICOM ${what} file ${file} does not exist`);
  }
  if (tls?.requireClientCert === true && tls.ca === undefined)
    problems.push('--dicom-tls-require-client needs --dicom-tls-ca');
  if (problems.length > before) return undefined;
  return dicomConfigSchema.parse({
    ...(d.port === undefined ? {} : { port: d.port }),
    ...(d.host === undefined ? {} : { host: d.host }),
    ...(d.aeTitle === undefined ? {} : { aeTitle: d.aeTitle }),
    allow: d.allow ?? [],
    ...(tls === undefined ? {} : { tls }),
  });
}
