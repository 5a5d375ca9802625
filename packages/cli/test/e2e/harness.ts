import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/*
 * The black-box harness of the end-to-end tests: real `tessera` processes (the built CLI in
 * packages/cli/bin), one temp folder per test file, every child killed in cleanup (and on process
 * exit as a last resort), and the tail of each child's output in every failure message.
 */

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const CLI_BIN = join(REPO_ROOT, 'packages', 'cli', 'bin', 'tessera.js');

/** Most output kept per child: enough for the secret scans, bounded for long runs. */
const MAX_OUTPUT_CHARS = 8 * 1024 * 1024;

export interface RunResult {
  readonly args: readonly string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A long-running child (`hub start`, `node start`). */
export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** The last lines of output, for failure messages. */
  tail(lines?: number): string;
  alive(): boolean;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const everyChild = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort against orphans if the test worker exits without running afterAll.
  process.on('exit', () => {
    for (const c of everyChild) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  });
}

/** Per test file: a temp folder and the children started in it. */
export interface Harness {
  readonly root: string;
  /** A sub-folder of root (created). */
  path(...parts: string[]): string;
  /** Writes a file mode 0600 (secrets) and returns its path. */
  secretFile(name: string, content: string): string;
  /** Runs one `tessera` command to its end. */
  run(
    args: readonly string[],
    env?: Record<string, string>,
    timeoutMs?: number,
  ): Promise<RunResult>;
  /** Runs one `tessera … --json` command that must succeed; returns its parsed stdout. */
  json<T = unknown>(
    args: readonly string[],
    env?: Record<string, string>,
    timeoutMs?: number,
  ): Promise<T>;
  /** Starts a long-running `tessera` command. */
  spawn(name: string, args: readonly string[], env?: Record<string, string>): Proc;
  readonly procs: readonly Proc[];
  /** Registers a closer run by cleanup (after the children are gone). */
  defer(fn: () => Promise<void>): void;
  /** Kills every child still alive and removes the folder (kept when TESSERA_E2E_KEEP=1). */
  cleanup(): Promise<void>;
}

/** Makes a harness rooted in a new temp folder named after the test file. */
export function createHarness(label: string): Harness {
  installExitHook();
  const root = mkdtempSync(join(tmpdir(), `tessera-e2e-${label}-`));
  const procs: Proc[] = [];
  const closers: (() => Promise<void>)[] = [];
  const baseEnv = (extra?: Record<string, string>): NodeJS.ProcessEnv => ({
    ...process.env,
    TESSERA_LOG_LEVEL: process.env['TESSERA_LOG_LEVEL'] ?? 'info',
    // The default config folder would be the user's: every command gets an explicit one.
    TESSERA_CONFIG_DIR: join(root, 'cfg-default'),
    ...extra,
  });
  const h: Harness = {
    root,
    procs,
    path(...parts) {
      const p = join(root, ...parts);
      mkdirSync(p, { recursive: true, mode: 0o700 });
      return p;
    },
    secretFile(name, content) {
      const file = join(h.path('secrets'), name);
      writeFileSync(file, content, { mode: 0o600 });
      return file;
    },
    async run(args, env, timeoutMs = 60_000) {
      const started = Date.now();
      const r = await runCommand(args, baseEnv(env), timeoutMs);
      // TESSERA_E2E_TRACE=1 shows where a test file's time goes.
      if (process.env['TESSERA_E2E_TRACE'] === '1') {
        process.stderr.write(
          `[e2e] ${Date.now() - started} ms  tessera ${args.slice(0, 3).join(' ')}\n`,
        );
      }
      return r;
    },
    async json<T>(args: readonly string[], env?: Record<string, string>, timeoutMs?: number) {
      const r = await h.run(args, env, timeoutMs);
      if (r.code !== 0) throw new Error(describeFailure(r));
      try {
        return JSON.parse(r.stdout) as T;
      } catch {
        throw new Error(
          `stdout of \`tessera ${r.args.join(' ')}\` is not one JSON document:\n${r.stdout}`,
        );
      }
    },
    defer(fn) {
      closers.push(fn);
    },
    spawn(name, args, env) {
      const p = spawnProc(name, args, baseEnv(env));
      procs.push(p);
      return p;
    },
    async cleanup() {
      await Promise.all(
        procs.map(async (p) => {
          if (!p.alive()) return;
          // A stopped child must be continued for SIGTERM to act; SIGKILL acts regardless.
          p.signal('SIGCONT');
          await p.stop(3000);
        }),
      );
      for (const fn of closers.splice(0)) await fn().catch(() => undefined);
      if (process.env['TESSERA_E2E_KEEP'] !== '1') rmSync(root, { recursive: true, force: true });
    },
  };
  return h;
}

/** One line per failure, with the command and its stderr. */
export function describeFailure(r: RunResult): string {
  const how = r.signal === null ? `exit ${r.code}` : `signal ${r.signal}`;
  return `\`tessera ${r.args.join(' ')}\` failed (${how})\nstderr:\n${r.stderr}\nstdout:\n${r.stdout.slice(0, 4000)}`;
}

function runCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    everyChild.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n[harness] killed after ${timeoutMs} ms`;
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      everyChild.delete(child);
      resolve({ args, code, signal, stdout, stderr });
    });
  });
}

function spawnProc(name: string, args: readonly string[], env: NodeJS.ProcessEnv): Proc {
  // An IPC channel: `hub start` and `node start` stop when their parent goes away (no orphans).
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  everyChild.add(child);
  child.channel?.unref();
  if (child.pid === undefined) throw new Error(`cannot start ${name}`);
  const pid = child.pid;
  let out = '';
  const keep = (d: string): void => {
    out += d;
    if (out.length > MAX_OUTPUT_CHARS) out = out.slice(out.length - MAX_OUTPUT_CHARS);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  // The IPC channel is only there so that the child sees us go; its messages are not needed.
  child.on('message', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      everyChild.delete(child);
      resolve({ code, signal });
    });
  });
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const p: Proc = {
    name,
    pid,
    child,
    output: () => out,
    tail: (lines = 40) =>
      `--- ${name} (pid ${pid}) ---\n${out.split('\n').slice(-lines).join('\n')}`,
    alive,
    exited,
    signal(sig) {
      if (alive()) process.kill(pid, sig);
    },
    async stop(graceMs = 10_000) {
      if (!alive()) return exited;
      p.signal('SIGTERM');
      const t = setTimeout(() => {
        p.signal('SIGKILL');
      }, graceMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
  return p;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr === null || typeof addr === 'string') reject(new Error('no port'));
        else resolve(addr.port);
      });
    });
  });
}

/**
 * Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`
 * with `what` and `context()` (e.g. process output) in the message. Errors thrown by `check`
 * count as "not yet" and the last one is reported.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  o: { timeoutMs?: number; intervalMs?: number; context?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  let last: unknown = undefined;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `; last error: ${last.message}` : '';
      throw new Error(`timed out waiting for ${what}${why}\n${o.context?.() ?? ''}`);
    }
    await sleep(o.intervalMs ?? 100);
  }
}
