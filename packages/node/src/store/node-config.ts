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
import { deidOptionsSchema } from '../dicom/deid/options.js';
import { readJsonFile, writeJsonAtomic } from './atomic-file.js';
import type { NodePaths } from './layout.js';

/** The hub URL: https only, no credentials, no query (DESIGN "Transport": TLS everywhere). */
export const hubUrlSchema = z.url().refine((u) => {
  const url = new URL(u);
  return (
    url.protocol === 'https:' && url.username === '' && url.password === '' && url.search === ''
  );
}, 'an https:// URL without credentials or query');

/**
 * A DICOM Application Entity title (PS3.5 §6.2 AE): 1–16 characters of the default character
 * repertoire without backslash or control characters, not only spaces.
 */
export const aeTitleSchema = z
  .string()
  .max(16, 'an AE title has at most 16 characters')
  .regex(/^[\x20-\x5b\x5d-\x7e]+$/, 'an AE title is printable ASCII without backslash')
  .refine((s) => s.trim() !== '', 'an AE title is not only spaces')
  .transform((s) => s.trim());

/** DICOM over TLS (PS3.15 Annex B.1): PEM files given at init, read when the receiver starts. */
export const dicomTlsSchema = z
  .object({
    key: z.string().min(1),
    cert: z.string().min(1),
    /** CA bundle the calling peers' certificates must chain to (mutual TLS). */
    ca: z.string().min(1).optional(),
    requireClientCert: z.boolean().default(false),
  })
  .strict();

/** Largest instance the store takes by default (the whole instance is parsed in memory). */
export const DEFAULT_MAX_INSTANCE_BYTES = 512 * 1024 * 1024;

/**
 * The `dicom` section of node.json (issue 7). The C-STORE receiver runs only when `port` is set;
 * import, STOW-RS and the de-identification policy work without it.
 */
export const dicomConfigSchema = z
  .object({
    port: z.number().int().min(0).max(65535).optional(),
    /** Where the receiver listens: every interface by default, as a PACS must reach it. */
    host: z.string().min(1).default('0.0.0.0'),
    aeTitle: aeTitleSchema.default('TESSERA'),
    /** Calling AE titles that may open an association; empty: none may (deny by default). */
    allow: z.array(aeTitleSchema).default([]),
    tls: dicomTlsSchema.optional(),
    maxAssociations: z.number().int().min(1).max(256).default(16),
    maxInstanceBytes: z
      .number()
      .int()
      .min(1024)
      .max(4 * 1024 * 1024 * 1024)
      .default(DEFAULT_MAX_INSTANCE_BYTES),
    /** Largest STOW-RS request body the console takes (413 above it). */
    maxUploadBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024 * 1024)
      .default(2 * 1024 * 1024 * 1024),
    /** The tabular dataset the index is materialised as, one row per series. */
    dataset: nameSchema.default('imaging'),
    /** The operator's de-identification choices (PS3.15 Annex E options), all off by default. */
    deid: deidOptionsSchema.default(() => deidOptionsSchema.parse({})),
  })
  .strict();
export type DicomConfig = z.infer<typeof dicomConfigSchema>;

/** `<dir>/node.json`: who this node is and where its hub is. No secret lives here. */
export const nodeConfigSchema = z
  .object({
    v: z.literal(1),
    name: nameSchema,
    hubUrl: hubUrlSchema,
    pin: pinSchema,
    consolePort: z.number().int().min(0).max(65535),
    created: isoDateSchema,
    dicom: dicomConfigSchema.optional(),
  })
  .strict();
export type NodeConfig = z.infer<typeof nodeConfigSchema>;

/** The DICOM section of a node's config, with every default when node.json has none. */
export function dicomConfigOf(config: NodeConfig): DicomConfig {
  return config.dicom ?? dicomConfigSchema.parse({});
}

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
