import { TesseraError } from '@tessera/protocol';
import type { Command } from 'commander';
import { z } from 'zod';
import type { CliContext } from '../context.js';
import { formatApproval, formatNodePolicy, formatNodeStatus } from '../node-format.js';
import { normaliseHubUrl } from '../hub-client.js';
import { intText, jsonFlag, listText, optionsOf, portText } from '../options.js';
import { printJson, progress, type Io } from '../output.js';
import { readSecretFile } from '../secret-file.js';
import { announceReady, waitForStop } from './lifecycle.js';
import { formatDicomStatus, registerDicomCommands } from './node-dicom.js';

const initOptions = z.object({
  dir: z.string().min(1),
  hub: z.string().min(1),
  pin: z.string().min(1),
  name: z.string().min(1),
  apiKeyFile: z.string().min(1),
  consolePort: portText.optional(),
  minCount: intText(1, 1_000_000).optional(),
  dicomPort: portText.optional(),
  dicomHost: z.string().min(1).optional(),
  dicomAe: z.string().optional(),
  dicomAllow: listText.optional(),
  dicomTlsKey: z.string().min(1).optional(),
  dicomTlsCert: z.string().min(1).optional(),
  dicomTlsCa: z.string().min(1).optional(),
  dicomTlsRequireClient: z.boolean().optional(),
  json: jsonFlag,
});
export type NodeInitOptions = Omit<z.infer<typeof initOptions>, 'json'>;

/**
 * `node init`: reads the trust's API key from its file and initialises the node folder.
 * @throws TesseraError BAD_REQUEST for an unreadable key file, TLS key without certificate;
 *   whatever initNode throws.
 */
export async function nodeInit(
  o: NodeInitOptions,
  io: Io,
): Promise<{ dir: string; fingerprint: string }> {
  const dicom = dicomInitOf(o);
  const apiKey = readSecretFile(o.apiKeyFile, '--api-key-file', (l) => {
    progress(io, l);
  });
  const { initNode } = await import('@tessera/node');
  return initNode({
    dir: o.dir,
    hubUrl: normaliseHubUrl(o.hub),
    pin: o.pin,
    name: o.name,
    apiKey,
    ...(o.consolePort === undefined ? {} : { consolePort: o.consolePort }),
    ...(o.minCount === undefined ? {} : { minCount: o.minCount }),
    ...(dicom === undefined ? {} : { dicom }),
  });
}

/** The DICOM part of `node init`'s options, or undefined when none was given. */
function dicomInitOf(o: NodeInitOptions) {
  const given = [
    o.dicomPort,
    o.dicomHost,
    o.dicomAe,
    o.dicomAllow,
    o.dicomTlsKey,
    o.dicomTlsCert,
    o.dicomTlsCa,
    o.dicomTlsRequireClient,
  ].some((v) => v !== undefined);
  if (!given) return undefined;
  if ((o.dicomTlsKey === undefined) !== (o.dicomTlsCert === undefined))
    throw new TesseraError('BAD_REQUEST', '--dicom-tls-key and --dicom-tls-cert go together');
  if (
    o.dicomTlsKey === undefined &&
    (o.dicomTlsCa !== undefined || o.dicomTlsRequireClient === true)
  )
    throw new TesseraError(
      'BAD_REQUEST',
      '--dicom-tls-ca and --dicom-tls-require-client need --dicom-tls-key and --dicom-tls-cert',
    );
  return {
    ...(o.dicomPort === undefined ? {} : { port: o.dicomPort }),
    ...(o.dicomHost === undefined ? {} : { host: o.dicomHost }),
    ...(o.dicomAe === undefined ? {} : { aeTitle: o.dicomAe }),
    ...(o.dicomAllow === undefined ? {} : { allow: o.dicomAllow }),
    ...(o.dicomTlsKey === undefined || o.dicomTlsCert === undefined
      ? {}
      : {
          tls: {
            key: o.dicomTlsKey,
            cert: o.dicomTlsCert,
            ...(o.dicomTlsCa === undefined ? {} : { ca: o.dicomTlsCa }),
            requireClientCert: o.dicomTlsRequireClient === true,
          },
        }),
  };
}

// The node package is imported where used, so commands that need none start fast.
const dirOnly = z.object({ dir: z.string().min(1), json: jsonFlag });

/** Registers `tessera node …`. */
export function registerNodeCommands(program: Command, ctx: CliContext): void {
  const node = program.command('node').description("set up and run a trust's node");

  node
    .command('init')
    .description('keys, hub URL and pin, API key: prepares a node folder')
    .requiredOption('--dir <dir>', 'the node folder')
    .requiredOption('--hub <url>', 'the hub URL (https://…)')
    .requiredOption('--pin <pin>', "the hub's TLS key pin (sha256/…)")
    .requiredOption('--name <trust>', 'the trust this node serves')
    .requiredOption('--api-key-file <file>', "file holding the trust's API key")
    .option('--console-port <port>', 'port of the console on 127.0.0.1 (0: any free port)')
    .option('--min-count <n>', 'disclosure threshold (default 10)')
    .option('--dicom-port <port>', 'runs the DICOM C-STORE receiver on this port (e.g. 11112)')
    .option('--dicom-host <address>', 'interface the receiver listens on (default 0.0.0.0)')
    .option('--dicom-ae <title>', "the receiver's AE title (default TESSERA)")
    .option('--dicom-allow <ae1,ae2>', 'calling AE titles allowed to store (none: all refused)')
    .option('--dicom-tls-key <file>', 'DICOM TLS: the PEM private key')
    .option('--dicom-tls-cert <file>', 'DICOM TLS: the PEM certificate')
    .option('--dicom-tls-ca <file>', 'DICOM TLS: CA certificates that callers must chain to')
    .option(
      '--dicom-tls-require-client',
      'DICOM TLS: callers must present a certificate (mutual TLS)',
    )
    .option('--json', 'print {dir, fingerprint} as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const { json, ...o } = optionsOf(cmd, initOptions);
      const r = await nodeInit(o, ctx.io);
      if (json) printJson(ctx.io, { dir: r.dir, fingerprint: r.fingerprint });
      else {
        ctx.io.out(`node initialised in ${r.dir}\n  fingerprint  ${r.fingerprint}\n`);
        if (o.dicomPort !== undefined && (o.dicomAllow ?? []).length === 0)
          progress(ctx.io, 'no --dicom-allow: the DICOM receiver will refuse every caller');
      }
    });

  registerDatasetCommands(node, ctx);
  registerOperatorCommands(node, ctx);

  node
    .command('start')
    .description('runs the node until SIGTERM or Ctrl-C')
    .requiredOption('--dir <dir>', 'the node folder')
    .action(async (_o: unknown, cmd: Command) => {
      const { dir } = optionsOf(cmd, z.object({ dir: z.string().min(1) }));
      await runNode(dir, ctx.io);
    });
}

/** A fraction option given as text: above 0, at most 1. */
const fractionText = z
  .string()
  .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'expected a number above 0 and at most 1')
  .transform(Number)
  .pipe(z.number().gt(0).max(1));

/** A non-negative decimal number given as text (ε, δ), e.g. 0.5, 1e-6. */
const decimalText = z
  .string()
  .regex(/^(\d+(\.\d*)?|\.\d+)(e-?\d+)?$/i, 'expected a non-negative decimal number')
  .transform(Number)
  .pipe(z.number());

/**
 * The privacy budget of `node approve`: --epsilon alone is pure ε-DP (δ 0); --delta needs it.
 * @throws TesseraError BAD_REQUEST for --delta without --epsilon.
 */
function budgetOf(o: {
  epsilon?: number;
  delta?: number;
}): { epsilon: number; delta: number } | undefined {
  if (o.epsilon === undefined) {
    if (o.delta !== undefined)
      throw new TesseraError(
        'BAD_REQUEST',
        '--delta needs --epsilon (the budget is set as a whole)',
      );
    return undefined;
  }
  return { epsilon: o.epsilon, delta: o.delta ?? 0 };
}

/** `node dicom …|approve|policy|status`: what a hospital operator does at the node. */
function registerOperatorCommands(node: Command, ctx: CliContext): void {
  registerDicomCommands(node, ctx);

  node
    .command('approve <project>')
    .description('approves a project at this node and exposes datasets to it')
    .requiredOption('--dir <dir>', 'the node folder')
    .option('--datasets <a,b>', 'datasets to expose, comma-separated')
    .option(
      '--epsilon <e>',
      "the project's total differential-privacy budget ε (without one, noisy releases are refused)",
    )
    .option('--delta <d>', 'the total δ of the budget (default 0: pure ε-DP, no Gaussian noise)')
    .option('--json', 'print as JSON')
    .action(async (project: string, _o: unknown, cmd: Command) => {
      const o = optionsOf(
        cmd,
        dirOnly.extend({
          datasets: listText.default([]),
          epsilon: decimalText.optional(),
          delta: decimalText.optional(),
        }),
      );
      const budget = budgetOf(o);
      const { approveProject } = await import('@tessera/node');
      const r = await approveProject({
        dir: o.dir,
        project,
        datasets: o.datasets,
        ...(budget === undefined ? {} : { budget }),
      });
      if (o.json) printJson(ctx.io, r);
      else ctx.io.out(formatApproval(r));
    });

  node
    .command('policy')
    .description("sets the node's disclosure policy")
    .requiredOption('--dir <dir>', 'the node folder')
    .option('--min-count <n>', 'no statistic over fewer rows leaves the node')
    .option('--allow-min-max', 'allow minimum and maximum to be released')
    .option('--algorithms <a,b>', 'the algorithms this node allows')
    .option('--max-string-length <n>', 'longest string a task may send (default 80)')
    .option(
      '--max-levels <n>',
      'most levels of a categorical variable a task may read (default 40)',
    )
    .option(
      '--max-level-density <x>',
      'most levels in a cohort, as a fraction of its rows (default 0.33)',
    )
    .option('--differencing-guard <on|off>', 'refuse near-duplicate cohorts (default on)')
    .option(
      '--require-secure-aggregation <on|off>',
      'refuse every job that does not use secure aggregation (default off)',
    )
    .option('--json', 'print the policy as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const o = optionsOf(
        cmd,
        dirOnly.extend({
          minCount: intText(1, 1_000_000).optional(),
          allowMinMax: z.boolean().optional(),
          algorithms: listText.optional(),
          maxStringLength: intText(1, 100_000).optional(),
          maxLevels: intText(1, 1_000_000).optional(),
          maxLevelDensity: fractionText.optional(),
          differencingGuard: z
            .enum(['on', 'off'])
            .transform((v) => v === 'on')
            .optional(),
          requireSecureAggregation: z
            .enum(['on', 'off'])
            .transform((v) => v === 'on')
            .optional(),
        }),
      );
      const { privacyBalances, setPolicy } = await import('@tessera/node');
      const policy = await setPolicy({
        dir: o.dir,
        ...(o.minCount === undefined ? {} : { minCount: o.minCount }),
        ...(o.allowMinMax === undefined ? {} : { allowMinMax: o.allowMinMax }),
        ...(o.algorithms === undefined ? {} : { allowedAlgorithms: o.algorithms }),
        ...(o.maxStringLength === undefined ? {} : { maxStringLength: o.maxStringLength }),
        ...(o.maxLevels === undefined ? {} : { maxLevels: o.maxLevels }),
        ...(o.maxLevelDensity === undefined ? {} : { maxLevelDensity: o.maxLevelDensity }),
        ...(o.differencingGuard === undefined ? {} : { differencingGuard: o.differencingGuard }),
        ...(o.requireSecureAggregation === undefined
          ? {}
          : { requireSecureAggregation: o.requireSecureAggregation }),
      });
      const privacy = await privacyBalances(o.dir);
      if (o.json) printJson(ctx.io, { ...policy, privacy });
      else ctx.io.out(formatNodePolicy(policy, privacy));
    });

  node
    .command('status')
    .description("shows the node's state")
    .requiredOption('--dir <dir>', 'the node folder')
    .option('--json', 'print as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, dirOnly);
      const { nodeStatus } = await import('@tessera/node');
      const status = await nodeStatus(o.dir);
      if (o.json) printJson(ctx.io, status);
      else ctx.io.out(formatNodeStatus(status) + formatDicomStatus(status.dicom));
    });
}

/**
 * Runs a node until asked to stop; a node that must stop on its own (e.g. the hub names another
 * trust) makes the command fail with the node's reason.
 */
async function runNode(dir: string, io: Io): Promise<void> {
  // See `hub start`: stop requests during start-up are honoured once the node is up.
  const stop = waitForStop();
  const running = await import('@tessera/node')
    .then(({ startNode }) => startNode({ dir }))
    .catch((e: unknown) => {
      stop.cancel();
      throw e;
    });
  progress(io, `node running; console at ${running.consoleUrl}`);
  if (running.dicomPort !== null) progress(io, `DICOM receiver on port ${running.dicomPort}`);
  announceReady({ consoleUrl: running.consoleUrl });
  const stopped = stop.requested.then((why) => ({ kind: 'signal' as const, why }));
  const failed = running.done.then(
    () => ({ kind: 'ended' as const, error: null }),
    (e: unknown) => ({ kind: 'ended' as const, error: e }),
  );
  const first = await Promise.race([stopped, failed]);
  progress(io, first.kind === 'signal' ? `node stopping (${first.why})` : 'node stopping');
  await running.close();
  if (first.kind === 'ended' && first.error !== null) {
    throw first.error instanceof Error ? first.error : new Error('the node stopped');
  }
  progress(io, 'node stopped');
}

function registerDatasetCommands(node: Command, ctx: CliContext): void {
  node
    .command('dataset')
    .description('datasets held by this node')
    .command('import')
    .description('imports a CSV file as a dataset (nothing is kept if a line is bad)')
    .requiredOption('--dir <dir>', 'the node folder')
    .requiredOption('--name <name>', 'dataset name')
    .requiredOption('--file <file>', 'the CSV file')
    .option('--id-column <column>', 'the patient identifier column, pseudonymised on import')
    .option('--replace', 'replace a dataset of the same name')
    .option('--json', 'print {name, rows, variables} as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const o = optionsOf(
        cmd,
        dirOnly.extend({
          name: z.string().min(1),
          file: z.string().min(1),
          idColumn: z.string().optional(),
          replace: z.boolean().default(false),
        }),
      );
      const { importDataset } = await import('@tessera/node');
      const r = await importDataset({
        dir: o.dir,
        name: o.name,
        file: o.file,
        replace: o.replace,
        ...(o.idColumn === undefined ? {} : { idColumn: o.idColumn }),
      });
      if (o.json) printJson(ctx.io, r);
      else {
        const vars = r.variables.map((v) => `${v.name} (${v.kind})`).join(', ');
        ctx.io.out(`dataset ${r.name} imported: ${r.rows} rows; variables ${vars}\n`);
      }
    });
}
