import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TesseraError } from '@tessera/protocol';

/** The CLI launcher, resolved from this module (src/demo or dist/demo → ../../bin). */
export const TESSERA_BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));

/** A child process that can be stopped. */
export interface Stoppable {
  readonly name: string;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. */
  stop(graceMs?: number): Promise<number | string>;
}

/** A `tessera` child process that announced itself ready over IPC. */
export interface TesseraProcess extends Stoppable {
  readonly pid: number;
  /** The child's stdout and stderr go here. */
  readonly logFile: string;
  /** What the child announced when ready (e.g. `{ url, pin }` or `{ consoleUrl }`). */
  readonly ready: Record<string, unknown>;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  readonly exited: Promise<number | string>;
}

export interface SpawnOptions {
  readonly name: string;
  readonly args: readonly string[];
  readonly logFile: string;
  /** Give up waiting for the ready message after this long (default 60 s). */
  readonly readyTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Told about the child as soon as it exists, so a Ctrl-C during start-up stops it too. */
  readonly group?: { add(p: Stoppable): void };
}

/** The last lines of a log file, for a failure message. */
export function logTail(file: string, lines = 5): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join(' | ');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts `node bin/tessera.js <args>` as a separate process with an IPC channel, its output in
 * `logFile`, and waits for its `tessera.ready` message. The child stops by itself if this process
 * dies (it watches the IPC channel), so no orphan is left.
 * @throws TesseraError UNAVAILABLE when the child exits or stays silent before being ready (the
 *   message quotes the end of its log); the child is then killed.
 */
export async function spawnTessera(o: SpawnOptions): Promise<TesseraProcess> {
  const fd = openSync(o.logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [TESSERA_BIN, ...o.args], {
      stdio: ['ignore', fd, fd, 'ipc'],
      ...(o.env === undefined ? {} : { env: o.env }),
    });
  } finally {
    closeSync(fd);
  }
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const pid = child.pid ?? 0;
  const stop = (graceMs = 10_000): Promise<number | string> => stopChild(child, exited, graceMs);
  o.group?.add({ name: o.name, child, stop });
  try {
    const ready = await waitReady(child, exited, o);
    return { name: o.name, child, pid, logFile: o.logFile, ready, exited, stop };
  } catch (e) {
    await stop(2000);
    throw e;
  }
}

function waitReady(
  child: ChildProcess,
  exited: Promise<number | string>,
  o: SpawnOptions,
): Promise<Record<string, unknown>> {
  const timeoutMs = o.readyTimeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new TesseraError(
          'UNAVAILABLE',
          `${o.name} was not ready after ${timeoutMs} ms: ${logTail(o.logFile)}`,
        ),
      );
    }, timeoutMs);
    child.on('message', (m: unknown) => {
      if (
        typeof m === 'object' &&
        m !== null &&
        (m as { type?: unknown }).type === 'tessera.ready'
      ) {
        clearTimeout(timer);
        resolve(m as Record<string, unknown>);
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new TesseraError('UNAVAILABLE', `${o.name} could not start: ${e.message}`));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new TesseraError(
          'UNAVAILABLE',
          `${o.name} exited (${code}) before it was ready: ${logTail(o.logFile)}`,
        ),
      );
    });
  });
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<number | string>,
  graceMs: number,
): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
    if (child.connected) child.disconnect();
  }
}
