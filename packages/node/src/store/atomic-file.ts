import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
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
 *
 * Synchronous on purpose: the node's state files are small and local, and on the 2-core target
 * each promise-based call costs ~20× the CPU of the plain system call (a thread-pool round trip);
 * the event loop, which only serves the node's own outbound requests and local console, waits
 * for an fsync at most.
 */
export function replaceFileSync(
  path: string,
  data: string | Uint8Array,
  o: { mode?: number; durability: Durability },
): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${String(process.pid)}.${String(tmpCounter++)}.tmp`);
  const fd = openSync(tmp, 'wx', o.mode ?? 0o600);
  try {
    writeFileSync(fd, data);
    if (o.durability !== 'none') fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  if (o.durability === 'full') fsyncDirSync(dir);
}

/** Flushes a folder's entries (a rename is durable only once its folder is synced). */
export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
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
  replaceFileSync(path, data, { mode, durability: 'full' });
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
