import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TesseraError } from '@tessera/protocol';
import { formatJob } from '../job-format.js';
import type { Io } from '../output.js';
import { formatAnalyses } from './analyses.js';
import { DEMO_SENDER_AE } from './imaging.js';
import { formatImaging } from './imaging-analyses.js';
import { ProcessGroup } from './components.js';
import { demoStages } from './demo-stages.js';
import { defaultDemoOptions, type DemoState } from './demo-state.js';
import { runStages, type Stage } from './stages.js';
import { formatTraining } from './training.js';

export interface RunDemoOptions {
  /** Number of sites (default 3). */
  readonly sites: number;
  /** Keep the demo folder (processes are still stopped); a folder given by `dir` is always kept. */
  readonly keep: boolean;
  /** The demo folder; must not exist or be empty. Default: a fresh temporary folder. */
  readonly dir?: string;
  /** The stages to run (default: {@link demoStages}); tests and later demos pass their own. */
  readonly stages?: readonly Stage<DemoState>[];
}

/** Makes (or checks) the demo folder. */
function demoRoot(dir: string | undefined): { root: string; owned: boolean } {
  if (dir === undefined) return { root: mkdtempSync(join(tmpdir(), 'tessera-demo-')), owned: true };
  const root = resolve(dir);
  if (existsSync(root) && readdirSync(root).length > 0) {
    throw new TesseraError('CONFLICT', `--dir ${root} is not empty; give a new or empty folder`);
  }
  mkdirSync(root, { recursive: true, mode: 0o700 });
  return { root, owned: false };
}

/**
 * `tessera demo`: a hub and N nodes as separate processes on this machine, synthetic data at
 * each site, a federated `summary`, printed as tables. Every child is stopped at the end, on
 * failure and on Ctrl-C.
 * @throws TesseraError when a stage fails or the job fails (after cleaning up).
 */
export async function runDemo(o: RunDemoOptions, io: Io): Promise<void> {
  const { root, owned } = demoRoot(o.dir);
  // An object, not a `let`: it is set from a signal handler, which flow analysis cannot see.
  const run = { interrupted: false };
  // After Ctrl-C the stages still running fail one after another; their output is noise.
  const stageIo: Io = {
    out: (t) => {
      if (!run.interrupted) io.out(t);
    },
    err: (t) => {
      if (!run.interrupted) io.err(t);
    },
  };
  const state: DemoState = {
    options: defaultDemoOptions(root, o.sites),
    io: stageIo,
    group: new ProcessGroup(),
    sites: [],
    nodes: [],
    clients: [],
    analyses: [],
  };
  const removeFolder = owned && !o.keep;
  const onSignal = (signal: NodeJS.Signals): void => {
    run.interrupted = true;
    io.err(`\n▸ ${signal}: stopping every process … `);
    void cleanUp({ ...state, io: quietIo }, removeFolder).finally(() => {
      io.err('ok\n');
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await runStages(o.stages ?? demoStages(o.sites), state, stageIo);
    if (state.job !== undefined) io.out(`\n${headline(state)}${formatJob(state.job)}\n`);
    if (state.analyses.length > 0) io.out(`\n${formatAnalyses(state.analyses)}\n`);
    if (state.training !== undefined) io.out(`\n${formatTraining(state.training)}\n`);
    if (state.imaging !== undefined)
      io.out(`\n${formatImaging(state.imaging, state.options.project)}\n`);
  } catch (e) {
    // Interrupted: the signal handler cleans up and exits; do not report the stage's failure.
    if (run.interrupted) await new Promise<never>(() => undefined);
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!run.interrupted) await cleanUp(state, removeFolder);
  }
  if (o.keep || !owned) io.err(keepInstructions(state));
  const failed = state.analyses.find((a) => a.job.status !== 'succeeded');
  if (failed !== undefined) {
    throw new TesseraError(
      'UNPROCESSABLE',
      `the demo's ${failed.job.algorithm} job failed: ${failed.job.error?.reason ?? 'see the sites above'}`,
    );
  }
  if (state.training !== undefined && state.training.job.status !== 'succeeded') {
    throw new TesseraError(
      'UNPROCESSABLE',
      `the demo's train job failed: ${state.training.job.error?.reason ?? 'see the sites above'}`,
    );
  }
  const imagingJob = [state.imaging?.cohort, state.imaging?.stats].find(
    (j) => j !== undefined && j.status !== 'succeeded',
  );
  if (imagingJob !== undefined) {
    throw new TesseraError(
      'UNPROCESSABLE',
      `the demo's ${imagingJob.algorithm} job failed: ${imagingJob.error?.reason ?? 'see the sites above'}`,
    );
  }
  if (state.job?.status === 'failed') {
    throw new TesseraError(
      'UNPROCESSABLE',
      `the demo job failed: ${state.job.error?.reason ?? 'see the sites above'}`,
    );
  }
}

const quietIo: Io = { out: () => undefined, err: () => undefined };

/** What the table shows, in one sentence. */
function headline(state: DemoState): string {
  const sites = state.sites.map((s) => `${s.name} (${s.rows} patients)`).join(', ');
  return `Federated summary over ${sites}.\nOnly aggregates left the sites, sealed to the hub and signed; no patient row did.\n\n`;
}

async function cleanUp(state: DemoState, removeFolder: boolean): Promise<void> {
  const n = state.group.processes.length;
  const t0 = performance.now();
  if (n > 0) state.io.err(`▸ stopping ${n} ${n === 1 ? 'process' : 'processes'} … `);
  state.imaging?.abort.abort();
  await state.imaging?.generation?.stop();
  await Promise.all(state.clients.splice(0).map((c) => c.close().catch(() => undefined)));
  await state.group.close();
  if (n > 0) state.io.err(`ok (${Math.round(performance.now() - t0)} ms)\n`);
  if (removeFolder) rmSync(state.options.root, { recursive: true, force: true });
}

/** How to start the kept demo again. */
export function keepInstructions(state: DemoState): string {
  const root = state.options.root;
  const lines = [
    `\nThe demo folder is kept: ${root}`,
    `  hub:    tessera hub start --dir ${join(root, 'hub')}`,
    ...state.sites.map((s) => `  ${s.name}: tessera node start --dir ${s.nodeDir}`),
    `  login:  export TESSERA_CONFIG_DIR=${join(root, 'config')}   (the demo researcher's session)`,
    `  then:   tessera job run --project ${state.options.project} --algorithm summary --datasets ${state.options.dataset} --params '{"variables":["age","sex"]}'`,
    ...(state.imaging?.delivery === undefined
      ? []
      : [
          `  images: tessera job run --project ${state.options.project} --algorithm imaging-cohort --datasets imaging --params '{"groupBy":["modality","body_part"]}'`,
          `          (each node's DICOM receiver: ${state.sites.map((x) => (x.dicom === null ? `${x.name}: none` : `${x.dicom.aeTitle} on port ${String(x.dicom.port)}`)).join(', ')}; it accepts ${DEMO_SENDER_AE})`,
        ]),
    ...(state.training?.modelFile === undefined
      ? []
      : [
          `  model:  tessera model list ${state.training.job.id}`,
          `          tessera model predict --model ${state.training.modelFile} --file ${join(root, 'data', 'new-patients.csv')}`,
        ]),
    '',
  ];
  return lines.join('\n');
}
