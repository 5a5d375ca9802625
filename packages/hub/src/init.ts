import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import {
  TesseraError,
  exportPartyKeys,
  generatePartyKeys,
  newTraceId,
  passwordSchema,
  emailSchema,
} from '@tessera/protocol';
import { systemClock } from './clock.js';
import { hubSettingsSchema, type HubFile } from './config.js';
import { hubPaths, isHubDir } from './hub-dir.js';
import { hubUrl } from './hub-url.js';
import { insertUser } from './services/users.js';
import { openHubDb } from './storage/open-db.js';
import { certPin, makeSelfSignedCert } from './tls.js';

export interface HubInitOptions {
  dir: string;
  databaseUrl?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8443; 0 picks a free port at each start. */
  port?: number;
  adminEmail: string;
  adminPassword: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
}

/** Writes a file readable by its owner only. */
async function writeSecret(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}

/**
 * Makes a new hub in `o.dir`: keys (0600), TLS certificate (self-signed unless given), database
 * with migrations, and the first admin. Returns the URL and the TLS pin to hand to nodes.
 * @throws TesseraError CONFLICT when `dir` already holds a hub, BAD_REQUEST for a bad email,
 *   password or certificate; the driver's error when the database cannot be set up (the half-made
 *   folder contents are then removed).
 */
export async function initHub(o: HubInitOptions): Promise<{ url: string; pin: string }> {
  if (isHubDir(o.dir)) throw new TesseraError('CONFLICT', `${o.dir} already holds a hub`);
  const email = emailSchema.safeParse(o.adminEmail);
  const password = passwordSchema.safeParse(o.adminPassword);
  if (!email.success) throw new TesseraError('BAD_REQUEST', 'the admin email is not valid');
  if (!password.success)
    throw new TesseraError('BAD_REQUEST', 'the admin password needs at least 12 characters');
  if ((o.tlsCertFile === undefined) !== (o.tlsKeyFile === undefined)) {
    throw new TesseraError('BAD_REQUEST', 'give both a TLS certificate and its key, or neither');
  }
  const host = o.host ?? '127.0.0.1';
  const port = o.port ?? 8443;
  const p = hubPaths(o.dir);
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  await chmod(o.dir, 0o700);
  for (const d of [p.keysDir, p.tlsDir, p.runDir]) await mkdir(d, { recursive: true, mode: 0o700 });
  const made: string[] = [p.keysDir, p.tlsDir, p.runDir, p.db];
  try {
    const tls =
      o.tlsCertFile !== undefined && o.tlsKeyFile !== undefined
        ? {
            certPem: await readFile(o.tlsCertFile, 'utf8'),
            keyPem: await readFile(o.tlsKeyFile, 'utf8'),
          }
        : await makeSelfSignedCert(host);
    let pin: string;
    try {
      pin = certPin(tls.certPem);
    } catch {
      throw new TesseraError('BAD_REQUEST', 'the TLS certificate file is not a PEM certificate');
    }
    await writeFile(p.tlsCert, tls.certPem, { mode: 0o644 });
    await writeSecret(p.tlsKey, tls.keyPem);
    const pems = exportPartyKeys(generatePartyKeys());
    await writeSecret(p.sealKey, pems.seal);
    await writeSecret(p.signKey, pems.sign);
    await createDatabase(o, email.data, password.data, p.db);
    const file: HubFile = {
      version: 1,
      host,
      port,
      databaseUrl: o.databaseUrl ?? null,
      tls: { cert: 'tls/cert.pem', key: 'tls/key.pem' },
      settings: hubSettingsSchema.parse({}),
    };
    // hub.json last: its presence is what marks the folder as a hub.
    await writeSecret(p.config, `${JSON.stringify(file, null, 2)}\n`);
    return { url: hubUrl(host, port), pin };
  } catch (e) {
    for (const m of made) await rm(m, { recursive: true, force: true });
    throw e;
  }
}

async function createDatabase(
  o: HubInitOptions,
  email: string,
  password: string,
  pgliteDir: string,
) {
  const db = await openHubDb({ databaseUrl: o.databaseUrl ?? null, pgliteDir });
  try {
    await db.transaction((tx) =>
      insertUser(
        { clock: systemClock },
        tx,
        { email, password, role: 'admin' },
        {
          actor: 'system',
          traceId: newTraceId(),
        },
      ),
    );
  } finally {
    await db.close();
  }
}
