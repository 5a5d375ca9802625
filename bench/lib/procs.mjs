// Child processes and temp folders of one bench run, torn down on every exit path: normal end,
// error, Ctrl-C (SIGINT) and SIGTERM. Only processes this run started are ever signalled, by pid.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes one progress line to stderr (figures go to stdout). */
export function progress(msg) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${msg}\n`);
}

/**
 * Makes a registry of started processes (anything with `child` and `stop(graceMs)`, e.g. the
 * CLI's TesseraProcess) and temp folders, with `teardown()`; installs SIGINT / SIGTERM handlers
 * that tear down and exit 130 / 143.
 */
export function createProcs() {
  const procs = [];
  const folders = [];
  const cleanups = [];
  let tornDown = null;

  // Nodes first, the hub (registered first) last, so nodes do not spend their shutdown retrying.
  const stopAll = async () => {
    const [first, ...rest] = procs;
    await Promise.all(rest.map((p) => p.stop(8000).catch(() => undefined)));
    if (first !== undefined) await first.stop(8000).catch(() => undefined);
  };
  const teardown = () => {
    tornDown ??= (async () => {
      await stopAll();
      for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => undefined);
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
  // Last resort if the event loop is gone: no orphans.
  process.once('exit', () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });

  return {
    /** A fresh temp folder, removed at teardown unless `keep`. */
    tempDir(prefix, keep = false) {
      const d = mkdtempSync(join(tmpdir(), prefix));
      if (!keep) folders.push(d);
      return d;
    },
    /** Registers a started process for teardown and returns it. */
    track(p) {
      procs.push(p);
      return p;
    },
    /** Registers a clean-up to run at teardown, after the processes have stopped. */
    atTeardown(fn) {
      cleanups.push(fn);
    },
    /** Stops every registered process (SIGTERM, SIGKILL after 8 s); keeps the folders. */
    stopAll,
    teardown,
  };
}

/** The last lines of a log file, for an error message. */
export function tail(file, lines = 5) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return '(no log)';
  }
}
