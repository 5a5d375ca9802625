import { join } from 'node:path';
import { TesseraError } from '@tessera/protocol';
import { createHubApi } from '../hub-api.js';
import { createHubClient } from '../hub-client.js';
import { spawnTessera, type Stoppable, type TesseraProcess } from './processes.js';

/** A running hub process and where to reach it. */
export interface HubProcess {
  readonly process: TesseraProcess;
  readonly url: string;
  readonly pin: string;
}

/** A running node process and its console. */
export interface NodeProcess {
  readonly process: TesseraProcess;
  readonly consoleUrl: string;
}

/**
 * Polls GET /api/v1/health over pinned TLS until the hub answers ok.
 * @throws TesseraError UNAVAILABLE when it does not within `timeoutMs`; PIN_MISMATCH at once.
 */
export async function waitForHealth(url: string, pin: string, timeoutMs = 30_000): Promise<void> {
  const client = createHubClient({ url, pin });
  const api = createHubApi(client);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await api.health();
        return;
      } catch (e) {
        if (e instanceof TesseraError && e.code === 'PIN_MISMATCH') throw e;
        if (Date.now() > deadline) {
          throw new TesseraError(
            'UNAVAILABLE',
            `the hub at ${url} is not healthy after ${timeoutMs} ms`,
          );
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await client.close();
  }
}

/**
 * Starts `tessera hub start --dir D` as a separate process and waits until it is ready and
 * healthy. Its output goes to `logFile` (default `<dir>/hub.log`); `group`, when given, holds it
 * from the moment it exists.
 * @throws TesseraError UNAVAILABLE when it does not come up (the child is then stopped).
 */
export async function startHubProcess(o: {
  dir: string;
  logFile?: string;
  group?: ProcessGroup;
}): Promise<HubProcess> {
  const proc = await spawnTessera({
    name: 'hub',
    args: ['hub', 'start', '--dir', o.dir],
    logFile: o.logFile ?? join(o.dir, 'hub.log'),
    ...(o.group === undefined ? {} : { group: o.group }),
  });
  const url = proc.ready['url'];
  const pin = proc.ready['pin'];
  if (typeof url !== 'string' || typeof pin !== 'string') {
    await proc.stop();
    throw new TesseraError('INTERNAL', 'the hub process did not announce its URL and pin');
  }
  try {
    await waitForHealth(url, pin);
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { process: proc, url, pin };
}

/**
 * Starts `tessera node start --dir D` as a separate process and waits until it is ready. Its
 * output goes to `logFile` (default `<dir>/node.log`).
 * @throws TesseraError UNAVAILABLE when it does not come up (the child is then stopped).
 */
export async function startNodeProcess(o: {
  dir: string;
  name?: string;
  logFile?: string;
  group?: ProcessGroup;
}): Promise<NodeProcess> {
  const proc = await spawnTessera({
    name: o.name ?? 'node',
    args: ['node', 'start', '--dir', o.dir],
    logFile: o.logFile ?? join(o.dir, 'node.log'),
    ...(o.group === undefined ? {} : { group: o.group }),
  });
  const consoleUrl = proc.ready['consoleUrl'];
  return { process: proc, consoleUrl: typeof consoleUrl === 'string' ? consoleUrl : '' };
}

/**
 * The processes a demo (or a test) started, stopped together on success, failure, Ctrl-C, or
 * this process's exit, so none is left behind.
 */
export class ProcessGroup {
  readonly #procs: Stoppable[] = [];
  #closed = false;
  readonly #onExit = (): void => {
    for (const p of this.#procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  };

  constructor() {
    process.on('exit', this.#onExit);
  }

  /** Adds a process; adding one twice is harmless; one added after close() is stopped at once. */
  add(p: Stoppable): void {
    if (this.#closed) {
      void p.stop(2000);
      return;
    }
    if (!this.#procs.some((q) => q.child === p.child)) this.#procs.push(p);
  }

  get processes(): readonly Stoppable[] {
    return this.#procs;
  }

  /**
   * SIGTERM to all, SIGKILL after the grace. The first one started (the hub) stops last, so the
   * nodes do not spend their shutdown retrying a hub that is gone.
   */
  async stopAll(graceMs = 10_000): Promise<void> {
    const [first, ...rest] = this.#procs.splice(0);
    await Promise.all(rest.map((p) => p.stop(graceMs)));
    if (first !== undefined) await first.stop(graceMs);
  }

  /** Stops every process and refuses new ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.stopAll();
    process.off('exit', this.#onExit);
  }
}
