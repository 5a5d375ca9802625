import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { TesseraError } from '@tessera/protocol';

/** scrypt parameters for new hashes; each hash stores its own so they can be raised later. */
export const SCRYPT_PARAMS = { N: 32_768, r: 8, p: 1, keylen: 32 } as const;

function scryptAsync(pw: string, salt: Buffer, N: number, r: number, p: number, keylen: number) {
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(pw, salt, keylen, { N, r, p, maxmem: 256 * N * r }, (err, key) => {
      if (err === null) resolve(key);
      else reject(err);
    });
  });
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, keylen } = SCRYPT_PARAMS;
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, N, r, p, keylen);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * Checks a password against a stored hash in constant time.
 * @throws TesseraError INTERNAL when the stored hash is not of our format.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  const [tag, n, r, p, salt, hash] = parts;
  if (parts.length !== 6 || tag !== 'scrypt' || salt === undefined || hash === undefined) {
    throw new TesseraError('INTERNAL', 'stored password hash has an unknown format');
  }
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(
    password,
    Buffer.from(salt, 'base64url'),
    Number(n),
    Number(r),
    Number(p),
    expected.length,
  );
  return timingSafeEqual(key, expected);
}

let dummy: Promise<string> | undefined;
/** A hash to verify against when the account does not exist, so timing does not tell. */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}
