import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import {
  TesseraError,
  apiKeySchema,
  importPartyKeys,
  isoDateSchema,
  nameSchema,
  pinSchema,
  publicKeysSchema,
  type PartyKeys,
  type PublicKeys,
} from '@tessera/protocol';
import { readJsonFile, writeJsonAtomic } from './atomic-file.js';
import type { NodePaths } from './layout.js';

/** The hub URL: https only, no credentials, no query (DESIGN "Transport": TLS everywhere). */
export const hubUrlSchema = z.url().refine((u) => {
  const url = new URL(u);
  return (
    url.protocol === 'https:' && url.username === '' && url.password === '' && url.search === ''
  );
}, 'an https:// URL without credentials or query');

/** `<dir>/node.json`: who this node is and where its hub is. No secret lives here. */
export const nodeConfigSchema = z
  .object({
    v: z.literal(1),
    name: nameSchema,
    hubUrl: hubUrlSchema,
    pin: pinSchema,
    consolePort: z.number().int().min(0).max(65535),
    created: isoDateSchema,
  })
  .strict();
export type NodeConfig = z.infer<typeof nodeConfigSchema>;

/**
 * Reads node.json.
 * @throws TesseraError NOT_FOUND when the folder holds no node, BAD_REQUEST when the file is invalid.
 */
export async function loadNodeConfig(paths: NodePaths): Promise<NodeConfig> {
  const raw = await readJsonFile(paths.config);
  if (raw === undefined) {
    throw new TesseraError('NOT_FOUND', `no node in ${paths.dir} (run \`tessera node init\`)`);
  }
  const parsed = nodeConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new TesseraError('BAD_REQUEST', `node.json is invalid: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * Reads the node's API key from its 0600 file.
 * @throws TesseraError BAD_REQUEST when the file does not hold a node key (never echoing it).
 */
export async function loadApiKey(paths: NodePaths): Promise<string> {
  const key = (await readFile(paths.apiKey, 'utf8')).trim();
  if (!apiKeySchema.safeParse(key).success || !key.startsWith('tsk_')) {
    throw new TesseraError('BAD_REQUEST', 'secrets/api-key does not hold a node API key');
  }
  return key;
}

/** Reads the node's own key pairs. */
export async function loadPartyKeys(paths: NodePaths): Promise<PartyKeys> {
  const [seal, sign] = await Promise.all([
    readFile(paths.sealKey, 'utf8'),
    readFile(paths.signKey, 'utf8'),
  ]);
  return importPartyKeys({ seal, sign });
}

/** Reads the 32-byte pseudonym key. */
export async function loadPseudonymKey(paths: NodePaths): Promise<Buffer> {
  const key = await readFile(paths.pseudonymKey);
  if (key.length !== 32)
    throw new TesseraError('BAD_REQUEST', 'secrets/pseudonym.key is not 32 bytes');
  return key;
}

const hubKeysFileSchema = z.object({ keys: publicKeysSchema, pinnedAt: isoDateSchema }).strict();

/** The hub's public keys pinned at the first enrolment, or null before it. */
export async function loadHubKeys(paths: NodePaths): Promise<PublicKeys | null> {
  const raw = await readJsonFile(paths.hubKeys);
  if (raw === undefined) return null;
  const parsed = hubKeysFileSchema.safeParse(raw);
  if (!parsed.success) throw new TesseraError('BAD_REQUEST', 'hub-keys.json is invalid');
  return parsed.data.keys;
}

/** Pins the hub's public keys (first enrolment only). */
export async function saveHubKeys(paths: NodePaths, keys: PublicKeys, at: Date): Promise<void> {
  await writeJsonAtomic(paths.hubKeys, { keys, pinnedAt: at.toISOString() }, 0o644);
}
