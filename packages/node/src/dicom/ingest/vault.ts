import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TesseraError } from '@tessera/protocol';
import { fsyncDirSync } from '../../store/atomic-file.js';
import { deriveKey } from './keys.js';

/*
 * Files kept encrypted at rest (issue 7, "Nothing lost, nothing leaked"): quarantined inputs and
 * held images. Each file `<id>.bin` is
 *   "TSV1" | nonce (12 bytes) | AES-256-GCM ciphertext | tag (16 bytes),
 * with a key derived by HKDF from the vault key and the file's random id, and the folder kind and
 * id bound in as associated data, so a file renamed to another id or moved between the
 * quarantine and the held folder fails to open. Encryption and decryption stream, so memory stays
 * flat whatever the size.
 */

const MAGIC = Buffer.from('TSV1', 'ascii');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + NONCE_BYTES;

/** A vault id: 128 random bits, hex. Never derived from input. */
export const VAULT_ID_RE = /^[0-9a-f]{32}$/;

/** A new random vault id. */
export function newVaultId(): string {
  return randomBytes(16).toString('hex');
}

function fileKey(vaultKey: Uint8Array, kind: string, id: string): Buffer {
  return deriveKey(vaultKey, `tessera dicom vault ${kind}`, Buffer.from(id, 'hex'));
}

function aad(kind: string, id: string): Buffer {
  return Buffer.from(`tessera-dicom-${kind}:${id}`, 'utf8');
}

/**
 * Encrypts the file `source` into `<dir>/<id>.bin` (temp file, fsync, rename, folder fsync).
 * @returns the size of the plaintext.
 */
export async function sealFile(o: {
  vaultKey: Uint8Array;
  kind: string;
  dir: string;
  id: string;
  source: string;
}): Promise<number> {
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  const target = join(o.dir, `${o.id}.bin`);
  const tmp = join(o.dir, `.${o.id}.tmp`);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', fileKey(o.vaultKey, o.kind, o.id), nonce);
  cipher.setAAD(aad(o.kind, o.id));
  const out = await open(tmp, 'wx', 0o600);
  let plain = 0;
  try {
    await out.write(Buffer.concat([MAGIC, nonce]));
    for await (const chunk of createReadStream(o.source) as AsyncIterable<Buffer>) {
      plain += chunk.length;
      await out.write(cipher.update(chunk));
    }
    await out.write(Buffer.concat([cipher.final(), cipher.getAuthTag()]));
    await out.sync();
  } catch (e) {
    await out.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await out.close();
  await rename(tmp, target);
  fsyncDirSync(o.dir);
  return plain;
}

/**
 * Decrypts `<dir>/<id>.bin` into the new file `target` (0600), removed again when the file does
 * not authenticate.
 * @throws TesseraError NOT_FOUND when there is no such file, CRYPTO_FAILED when it was altered,
 *   belongs to another id or folder, or was sealed with another key.
 */
export async function openFile(o: {
  vaultKey: Uint8Array;
  kind: string;
  dir: string;
  id: string;
  target: string;
}): Promise<void> {
  const source = join(o.dir, `${o.id}.bin`);
  const size = await stat(source).then(
    (s) => s.size,
    (e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new TesseraError('NOT_FOUND', `no ${o.kind} file ${o.id}`);
      throw e;
    },
  );
  const broken = new TesseraError('CRYPTO_FAILED', `${o.kind} file ${o.id} does not authenticate`);
  if (size < HEADER_BYTES + TAG_BYTES) throw broken;
  const src = await open(source, 'r');
  const out = await open(o.target, 'wx', 0o600);
  try {
    const head = Buffer.alloc(HEADER_BYTES);
    const tag = Buffer.alloc(TAG_BYTES);
    await src.read(head, 0, HEADER_BYTES, 0);
    await src.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
    if (!head.subarray(0, MAGIC.length).equals(MAGIC)) throw broken;
    const decipher = createDecipheriv(
      'aes-256-gcm',
      fileKey(o.vaultKey, o.kind, o.id),
      head.subarray(MAGIC.length),
    );
    decipher.setAAD(aad(o.kind, o.id));
    decipher.setAuthTag(tag);
    if (size > HEADER_BYTES + TAG_BYTES) {
      const body = src.createReadStream({
        start: HEADER_BYTES,
        end: size - TAG_BYTES - 1,
        autoClose: false,
      });
      for await (const chunk of body as AsyncIterable<Buffer>)
        await out.write(decipher.update(chunk));
    }
    try {
      await out.write(decipher.final());
    } catch {
      throw broken;
    }
    await out.close();
  } catch (e) {
    await out.close().catch(() => undefined);
    await rm(o.target, { force: true });
    throw e;
  } finally {
    await src.close();
  }
}
