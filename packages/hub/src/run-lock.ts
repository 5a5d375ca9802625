import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { TesseraError } from '@tessera/protocol';

// Folders this process holds: a pid file naming this process is ours only if listed here (after
// a kill, a new process may have been given the dead one's pid).
const held = new Set<string>();

/** True when the process named in the file is live and holds it. */
function holds(pid: number, pidFile: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  return pid === process.pid ? held.has(pidFile) : alive(pid);
}

/** True when a process with this id exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims the hub folder for this process through `run/hub.pid`: PGlite has no locking of its own
 * and two processes on one data folder would corrupt it. A file left by a killed process is
 * taken over. Returns the release function.
 * @throws TesseraError CONFLICT when a live process holds the folder.
 */
export function acquireRunLock(pidFile: string): () => void {
  for (let i = 0; i < 2; i++) {
    try {
      writeFileSync(pidFile, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      held.add(pidFile);
      return () => {
        held.delete(pidFile);
        rmSync(pidFile, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(pidFile, 'utf8').trim());
      if (holds(holder, pidFile)) {
        throw new TesseraError(
          'CONFLICT',
          `the hub in this folder is already running (pid ${holder})`,
        );
      }
      rmSync(pidFile, { force: true });
    }
  }
  throw new TesseraError('CONFLICT', 'could not claim the hub folder');
}
