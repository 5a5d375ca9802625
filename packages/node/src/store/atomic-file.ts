import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseJsonSafe } from '@tessera/protocol';

/**
 * How far a replaced file must survive, weakest first. Every level is atomic for readers and
 * against SIGKILL (the page cache outlives the process); they differ only after a power cut:
 * - `none`: the new file may be missing or torn; for state that is rebuilt if lost.
 * - `data`: the file is synced before the rename, so it is never torn: a power cut leaves the old
 *   version or the new one.
 * - `full`: the folder is synced too, so the new version is what a power cut leaves.
 */
export type Durability = 'none' | 'data' | 'full';

// Temp names need only be unique within the folder: the pid and a counter are.
let tmpCounter = 0;

/**
 * Replaces `path` atomically through a temp file in the same folder (which must exist), as durable
 * as `durability` says. A reader sees the old file or the new one, never a torn one.
 */
export async function replaceFile(
  path: string,
  data: string | Uint8Array,
  o: { mode?: number; durability: Durability },
): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${String(tmpCounter++)}.tmp`);
  const fh = await open(tmp, 'wx', o.mode ?? 0o600);
  try {
    await fh.writeFile(data);
    if (o.durability !== 'none') await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  if (o.durability === 'full') await fsyncDir(dir);
}

/**
 * Files are the node's database (operator commands run as separate processes beside `node start`),
 * so every write is atomic: a temp file in the same folder, fsync, rename, fsync of the folder.
 * A reader sees the old file or the new one, never a torn one, even after SIGKILL or power loss.
 * Creates the folder when missing.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await replaceFile(path, data, { mode, durability: 'full' });
}

/** Flushes a folder's entries (a rename is durable only once its folder is synced). */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes JSON atomically (two-space indented, so operators can read the files). */
export async function writeJsonAtomic(path: string, value: unknown, mode = 0o600): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, mode);
}

/**
 * Reads a JSON file, refusing prototype keys; undefined when the file does not exist.
 * @throws TesseraError BAD_REQUEST when the file is not valid JSON.
 */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return parseJsonSafe(text, basename(path));
}

/** True when something exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
