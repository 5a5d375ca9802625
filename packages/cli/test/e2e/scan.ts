import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every regular file under `dir`, recursively (symlinks not followed). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

/**
 * Which files under `dir` hold any of `needles`, byte for byte (binary-safe: database pages,
 * WAL segments and the like are searched as raw bytes), as UTF-8 and as UTF-16LE.
 */
export function findInFiles(
  dir: string,
  needles: readonly string[],
): { file: string; needle: string }[] {
  const hits: { file: string; needle: string }[] = [];
  const forms = needles.flatMap((n) => [
    { needle: n, bytes: Buffer.from(n, 'utf8') },
    { needle: n, bytes: Buffer.from(n, 'utf16le') },
  ]);
  for (const file of filesUnder(dir)) {
    const data = readFileSync(file);
    for (const f of forms) {
      if (data.includes(f.bytes)) hits.push({ file: relative(dir, file), needle: f.needle });
    }
  }
  return hits;
}
