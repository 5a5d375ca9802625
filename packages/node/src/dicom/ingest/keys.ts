import { hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { TesseraError } from '@tessera/protocol';
import type { NodePaths } from '../../store/layout.js';
import { loadPseudonymKey } from '../../store/node-config.js';

/*
 * The keys of the imaging store (issue 7). One 32-byte site secret, `secrets/dicom.key` (0600,
 * made by `node init`, or on first use by a node made before DICOM), is the input keying
 * material of HKDF-SHA-256 (RFC 5869); each purpose gets its own key through its `info` label,
 * so knowing one derived key tells nothing of another:
 * - UID remapping (HMAC → 2.25 UIDs) and per-patient date shifts, both stable for the node's life,
 *   so a study sent twice, or after a restart, maps to the same UIDs;
 * - at-rest encryption of quarantined and held files (AES-256-GCM, one key per file, salted
 *   with the file's random id).
 * The pseudonym key is the node's `secrets/pseudonym.key`, the one tabular imports use for their
 * `--id-column`, so a DICOM Patient ID and the same identifier in a CSV give the same pseudonym.
 */

const KEY_BYTES = 32;
const SALT = Buffer.from('tessera-dicom-v1', 'utf8');

/** The keys the de-identifier and the vault need. Never logged, never written anywhere else. */
export interface DicomKeys {
  /** HMAC key of the UID remapping (PS3.15 E.1 "U": replace with a consistent UID). */
  readonly uidKey: Buffer;
  /** HMAC key of the per-patient date shift (Retain Longitudinal Temporal Information). */
  readonly dateKey: Buffer;
  /** The node's pseudonym key, shared with tabular imports. */
  readonly pseudonymKey: Buffer;
  /** Master key of the at-rest encryption; per-file keys are derived from it. */
  readonly vaultKey: Buffer;
}

/** HKDF-SHA-256 of `ikm` for one purpose. */
export function deriveKey(ikm: Uint8Array, info: string, salt: Uint8Array = SALT): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from(info, 'utf8'), KEY_BYTES));
}

/**
 * Reads `secrets/dicom.key`, creating it (0600, O_EXCL, so two processes starting at once agree
 * on one key) when missing.
 * @throws TesseraError BAD_REQUEST when the file exists but is not 32 bytes.
 */
export function ensureDicomKey(paths: NodePaths): Buffer {
  const file = paths.dicomKey;
  try {
    return checked(readFileSync(file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return checked(readFileSync(file));
    throw e;
  }
  try {
    writeSync(fd, randomBytes(KEY_BYTES));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return checked(readFileSync(file));
}

function checked(key: Buffer): Buffer {
  if (key.length !== KEY_BYTES)
    throw new TesseraError('BAD_REQUEST', 'secrets/dicom.key is not 32 bytes');
  return key;
}

/**
 * The imaging store's keys, derived from the site secret and the pseudonym key.
 * @throws TesseraError BAD_REQUEST when a key file is malformed.
 */
export async function loadDicomKeys(paths: NodePaths): Promise<DicomKeys> {
  const site = ensureDicomKey(paths);
  return {
    uidKey: deriveKey(site, 'tessera dicom uid remapping'),
    dateKey: deriveKey(site, 'tessera dicom date shift'),
    pseudonymKey: await loadPseudonymKey(paths),
    vaultKey: deriveKey(site, 'tessera dicom at-rest encryption'),
  };
}
