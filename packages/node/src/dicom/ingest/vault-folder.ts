import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { TesseraError, isoDateSchema } from '@tessera/protocol';
import { readJsonFile, writeJsonAtomic } from '../../store/atomic-file.js';
import type { DicomSource } from '../contracts.js';
import { VAULT_ID_RE, newVaultId, openFile, sealFile } from './vault.js';

/*
 * The quarantine and the held folder (issue 7): encrypted files (vault.ts) with a plain JSON
 * sidecar the operator can list. A sidecar never holds an identifying value: the reason names
 * tags and byte offsets, the source its kind, calling AE title and network address, or an import
 * entry by number — never a file or entry name, which often carries a patient's name.
 */

export const VAULT_KINDS = ['quarantine', 'held'] as const;
export type VaultKind = (typeof VAULT_KINDS)[number];

const uidText = z.string().regex(/^[0-9.]{1,64}$/);

export const vaultEntrySchema = z
  .object({
    v: z.literal(1),
    id: z.string().regex(VAULT_ID_RE),
    kind: z.enum(VAULT_KINDS),
    /** Why it is here: the parser's or de-identifier's message (tags and offsets, no values). */
    reason: z.string().max(1000),
    receivedAt: isoDateSchema,
    source: z
      .object({
        kind: z.enum(['c-store', 'import', 'stow-rs']),
        callingAe: z.string().max(16).optional(),
        address: z.string().max(64).optional(),
        entry: z.string().max(64).optional(),
      })
      .strict(),
    bytes: z.number().int().min(0),
    /** 'part10': a file with its meta group; 'dataset': a C-STORE dataset in `transferSyntax`. */
    format: z.enum(['part10', 'dataset']),
    transferSyntax: uidText.optional(),
    /** Held images only: the de-identified instance's UIDs and modality, to help the operator. */
    study: uidText.optional(),
    series: uidText.optional(),
    sop: uidText.optional(),
    modality: z.string().max(16).optional(),
  })
  .strict();
export type VaultEntry = z.infer<typeof vaultEntrySchema>;

/** One encrypted folder and its sidecars. */
export interface VaultFolder {
  readonly kind: VaultKind;
  /** Encrypts `source` (left in place) and writes its sidecar; returns the entry. */
  put(source: string, meta: Omit<VaultEntry, 'v' | 'id' | 'kind' | 'bytes'>): Promise<VaultEntry>;
  /** Every entry, oldest first. Unreadable sidecars are skipped. */
  list(): Promise<VaultEntry[]>;
  /** @throws TesseraError NOT_FOUND for an unknown or malformed id. */
  get(id: string): Promise<VaultEntry>;
  /** Decrypts entry `id` to the new file `target`. @throws as openFile. */
  open(id: string, target: string): Promise<void>;
  /** Removes the file and its sidecar. @throws TesseraError NOT_FOUND for an unknown id. */
  remove(id: string): Promise<void>;
}

/** The sidecar's source fields for a {@link DicomSource}. */
export function sourceFields(s: DicomSource): VaultEntry['source'] {
  switch (s.kind) {
    case 'c-store':
      return { kind: s.kind, callingAe: s.callingAe, address: s.address.slice(0, 64) };
    case 'import':
      return { kind: s.kind, entry: s.entry.slice(0, 64) };
    case 'stow-rs':
      return { kind: s.kind, address: s.address.slice(0, 64) };
  }
}

/** The vault folder `dir` of `kind`, encrypting with keys derived from `vaultKey`. */
export function vaultFolder(kind: VaultKind, dir: string, vaultKey: Uint8Array): VaultFolder {
  const sidecar = (id: string): string => join(dir, `${id}.json`);
  const checkId = (id: string): string => {
    if (!VAULT_ID_RE.test(id))
      throw new TesseraError(
        'NOT_FOUND',
        `no ${kind} entry ${id.slice(0, 40)} (ids are 32 hex digits)`,
      );
    return id;
  };
  const folder: VaultFolder = {
    kind,
    async put(source, meta) {
      const id = newVaultId();
      const bytes = await sealFile({ vaultKey, kind, dir, id, source });
      const entry: VaultEntry = vaultEntrySchema.parse({ v: 1, id, kind, bytes, ...meta });
      // The sidecar last: an entry is listed only once its encrypted file is complete.
      await writeJsonAtomic(sidecar(id), entry);
      return entry;
    },
    async list() {
      const names = await readdir(dir).catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      });
      const out: VaultEntry[] = [];
      for (const n of names) {
        const m = /^([0-9a-f]{32})\.json$/.exec(n);
        if (m?.[1] === undefined) continue;
        const e = await folder.get(m[1]).catch(() => null);
        if (e !== null) out.push(e);
      }
      return out.sort(
        (a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.id.localeCompare(b.id),
      );
    },
    async get(id) {
      const raw = await readJsonFile(sidecar(checkId(id)));
      const parsed = vaultEntrySchema.safeParse(raw);
      if (raw === undefined || !parsed.success || parsed.data.id !== id)
        throw new TesseraError('NOT_FOUND', `no ${kind} entry ${id}`);
      return parsed.data;
    },
    async open(id, target) {
      await openFile({ vaultKey, kind, dir, id: checkId(id), target });
    },
    async remove(id) {
      await folder.get(id);
      // The sidecar first: a crash between the two leaves an orphan .bin, never a listed entry
      // whose file is gone.
      await rm(sidecar(id), { force: true });
      await rm(join(dir, `${id}.bin`), { force: true });
    },
  };
  return folder;
}
