import { readFileSync, statSync } from 'node:fs';
import { TesseraError } from '@tessera/protocol';

/**
 * Reads a secret (password, API key) from a file: secrets never come from argv (STYLE 9). One
 * trailing newline is dropped, as editors and `echo` add it. A file that group or others may read
 * is used but warned about through `warn`.
 *
 * @param option the option that named the file, for messages (`--password-file`).
 * @throws TesseraError BAD_REQUEST when the file cannot be read or is empty. The message names the
 *   file and never the content.
 */
export function readSecretFile(path: string, option: string, warn: (line: string) => void): string {
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new TesseraError('BAD_REQUEST', `${option} ${path} is not a file`);
    if ((st.mode & 0o077) !== 0) {
      warn(
        `warning: ${option} ${path} is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TesseraError('BAD_REQUEST', `cannot read ${option} ${path} (${code})`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret.length === 0) throw new TesseraError('BAD_REQUEST', `${option} ${path} is empty`);
  return secret;
}
