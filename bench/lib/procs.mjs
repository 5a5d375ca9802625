// Child processes and temp folders of one bench run, torn down on every exit path: normal end,
// error, Ctrl-C (SIGINT) and SIGTERM. Only processes this module spawned are ever signalled, by pid.
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/../..). */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The compiled CLI launcher, run with this very node binary. */
export const CLI = join(ROOT, 'packages', 'cli', 'bin', 'tessera.js');

/** Writes one progress line to stderr (figures go to stdout). */
export function progress(msg) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${msg}\n`);
}

/**
 * Makes a registry of children and temp folders with `teardown()`; installs SIGINT / SIGTERM
 * handlers that tear down and exit 130 / 143.
 */
export function createProcs() {
  const children = new Set();
  const folders = [];
  let tornDown = null;

  const teardown = () => {
    tornDown ??= (async () => {
      await Promise.all([...children].map((c) => stopChild(c, 8000)));
      for (const f of folders) rmSync(f, { recursive: true, force: true });
    })();
    return tornDown;
  };
  const onSignal = (sig, code) => () => {
    progress(`${sig}: stopping every child process`);
    void teardown().finally(() => process.exit(code));
  };
  process.once('SIGINT', onSignal('SIGINT', 130));
  process.once('SIGTERM', onSignal('SIGTERM', 143));
  // Last resort if the loop is gone (e.g. process.exit elsewhere): no orphans.
  process.once('exit', () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  return {
    /** A fresh temp folder, removed at teardown unless keep is set. */
    tempDir(prefix, keep = false) {
      const d = mkdtempSync(join(tmpdir(), prefix));
      if (!keep) folders.push(d);
      return d;
    },
    /**
     * Starts a long-running CLI command (`hub start`, `node start`) with an IPC channel and waits
     * for its `tessera.ready` message. Output goes to `logFile`.
     * @throws Error when the process exits or stays silent for `timeoutMs` first.
     */
    async startCli(args, logFile, timeoutMs = 60_000) {
      const log = createWriteStream(logFile, { flags: 'a' });
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      children.add(child);
      child.stdout.pipe(log);
      child.stderr.pipe(log);
      child.once('exit', () => children.delete(child));
      const ready = await new Promise((res, rej) => {
        const timer = setTimeout(
          () => rej(new Error(`${args.slice(0, 2).join(' ')}: not ready after ${timeoutMs} ms`)),
          timeoutMs,
        );
        child.on('message', (m) => {
          if (m !== null && typeof m === 'object' && m.type === 'tessera.ready') {
            clearTimeout(timer);
            res(m);
          }
        });
        child.once('exit', (code, sig) => {
          clearTimeout(timer);
          rej(new Error(`${args.slice(0, 2).join(' ')} exited (${code ?? sig}): ${tail(logFile)}`));
        });
      });
      return { child, ready, logFile };
    },
    /** Stops one child (SIGTERM, then SIGKILL after `graceMs`). */
    stop: (child, graceMs = 8000) => stopChild(child, graceMs),
    teardown,
  };
}

/**
 * Runs a one-shot CLI command and returns its stdout.
 * @throws Error with the command's last stderr line when it exits non-zero.
 */
export function runCli(args, timeoutMs = 120_000) {
  return new Promise((res, rej) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const last = String(stderr).trim().split('\n').slice(-3).join(' | ');
          rej(new Error(`tessera ${args.slice(0, 3).join(' ')} failed: ${last || err.message}`));
        } else res(String(stdout));
      },
    );
  });
}

function stopChild(child, graceMs) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      res();
    });
    child.kill('SIGTERM');
  });
}

/** The last lines of a log file, for an error message. */
export function tail(file, lines = 5) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '(no log)';
  }
}
