import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { readFile, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { TesseraError } from '@tessera/protocol';

/** How long a lock may be held before another process may break it (holders keep it for ms). */
const STALE_AFTER_MS = 30_000;
const DEFAULT_WAIT_MS = 15_000;

// Async callers inside one process queue here first, so they do not spin on their own lock file.
const inProcess = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` while holding the lock file `path`, across processes: the file is created with O_EXCL
 * and holds the holder's pid; a lock of a dead pid, or one older than 30 s, is stale and broken.
 *
 * @throws TesseraError UNAVAILABLE when the lock cannot be taken within `waitMs`.
 */
export async function withLock<T>(
  path: string,
  fn: () => Promise<T>,
  waitMs = DEFAULT_WAIT_MS,
): Promise<T> {
  const prev = inProcess.get(path) ?? Promise.resolve();
  const run = prev.then(
    () => holdFileLock(path, fn, waitMs),
    () => holdFileLock(path, fn, waitMs),
  );
  const tail = run.catch(() => undefined);
  inProcess.set(path, tail);
  try {
    return await run;
  } finally {
    if (inProcess.get(path) === tail) inProcess.delete(path);
  }
}

async function holdFileLock<T>(path: string, fn: () => Promise<T>, waitMs: number): Promise<T> {
  await acquire(path, waitMs);
  try {
    return await fn();
  } finally {
    release(path);
  }
}

// The lock file is taken and dropped with plain system calls (see replaceFileSync for why): it
// is taken twice per task, and only waiting for another holder yields to the event loop.
async function acquire(path: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let pause = 2;
  for (;;) {
    if (tryCreate(path)) return;
    if (await isStale(path)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new TesseraError('UNAVAILABLE', `the node's state is locked by another process`, {
        details: { lock: path },
      });
    }
    await sleep(pause);
    pause = Math.min(pause * 2, 50);
  }
}

// Best effort, as a lock left behind is broken once its pid is dead.
function release(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone, or not ours to remove
  }
}

/** Creates the lock file holding this pid; false when it exists. */
function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return true;
}

async function isStale(path: string): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    if (Date.now() - info.mtimeMs > STALE_AFTER_MS) return true;
    const pid = Number(text.trim());
    // An empty file is a lock being written right now; give its holder a moment.
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - info.mtimeMs > 1000;
    return !pidAlive(pid);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
