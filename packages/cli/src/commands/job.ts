import {
  cohortSchema,
  parseJsonSafe,
  TesseraError,
  type JobView,
  type SubmitJobRequest,
} from '@tessera/protocol';
import type { Command } from 'commander';
import { z } from 'zod';
import { withSession, type CliContext } from '../context.js';
import { formatJob, jobJson } from '../job-format.js';
import { submitAndWait, waitForJob } from '../job-runner.js';
import { intText, jsonFlag, listText, optionsOf } from '../options.js';
import { printJson, type Io } from '../output.js';
import { createProgressReporter, type ProgressReporter } from '../progress/reporter.js';

const runOptions = z.object({
  project: z.string().min(1),
  algorithm: z.string().min(1),
  datasets: listText.pipe(z.array(z.string()).min(1, 'name at least one dataset')),
  cohort: z.string().optional(),
  params: z.string(),
  secureAggregation: z.boolean().default(false),
  timeout: intText(1, 86_400).default(600),
  quiet: z.boolean().default(false),
  json: jsonFlag,
});
export type JobRunOptions = z.infer<typeof runOptions>;

/**
 * Builds the submit request from `job run` options; parsed before anything is sent.
 * @throws TesseraError BAD_REQUEST naming --params or --cohort when one is not valid.
 */
export function buildJobRequest(o: JobRunOptions): SubmitJobRequest {
  const params = parseJsonSafe(o.params, '--params');
  let cohort: SubmitJobRequest['cohort'] = null;
  if (o.cohort !== undefined) {
    const parsed = cohortSchema.safeParse(parseJsonSafe(o.cohort, '--cohort'));
    if (!parsed.success) {
      throw new TesseraError(
        'BAD_REQUEST',
        '--cohort is not a cohort filter (see DESIGN `--cohort`)',
      );
    }
    cohort = parsed.data;
  }
  return {
    project: o.project,
    algorithm: o.algorithm,
    datasets: o.datasets,
    cohort,
    params,
    secureAggregation: o.secureAggregation,
  };
}

/**
 * Prints a finished job (JSON or tables).
 * @throws TesseraError when the job failed, so the command exits non-zero with its reason.
 */
export function reportJob(io: Io, job: JobView, json: boolean): void {
  if (json) printJson(io, jobJson(job));
  else io.out(formatJob(job));
  if (job.status === 'failed') {
    const why =
      job.error === null ? 'see the per-site statuses' : `${job.error.code}: ${job.error.reason}`;
    throw new TesseraError('UNPROCESSABLE', `job ${job.id} failed (${why})`);
  }
}

/** Registers `tessera job run|show`. */
export function registerJobCommands(program: Command, ctx: CliContext): void {
  const job = program.command('job').description('run federated jobs');

  job
    .command('run')
    .description('submits a job, waits for it and prints the result')
    .requiredOption('--project <project>', 'project name or id')
    .requiredOption('--algorithm <name>', 'e.g. summary')
    .requiredOption('--datasets <a,b>', 'dataset names, comma-separated')
    .option('--cohort <json>', 'a cohort filter, e.g. {"variable":"age","op":">=","value":50}')
    .requiredOption('--params <json>', 'algorithm parameters, e.g. {"variables":["age"]}')
    .option('--secure-aggregation', 'ask for secure aggregation')
    .option('--timeout <seconds>', 'give up waiting after this long (default 600)')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print {id, status, result, sites} as JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, runOptions);
      const req = buildJobRequest(o);
      const reporter = createProgressReporter(ctx.io, { quiet: o.quiet });
      const done = await withReporter(reporter, () =>
        withSession(ctx, (api) =>
          submitAndWait(api, req, { timeoutMs: o.timeout * 1000, ...callbacks(reporter) }),
        ),
      );
      reportJob(ctx.io, done, o.json);
    });

  job
    .command('show <id>')
    .description('shows a job; with --wait, waits for it to finish')
    .option('--wait', 'wait until the job has finished')
    .option('--timeout <seconds>', 'with --wait: give up after this long (default 600)')
    .option('--quiet', 'with --wait: no progress on stderr')
    .option('--json', 'print as JSON')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const o = optionsOf(
        cmd,
        z.object({
          wait: z.boolean().default(false),
          timeout: intText(1, 86_400).default(600),
          quiet: z.boolean().default(false),
          json: jsonFlag,
        }),
      );
      const reporter = createProgressReporter(ctx.io, { quiet: o.quiet });
      const found = await withReporter(reporter, () =>
        withSession(ctx, (api) =>
          o.wait
            ? waitForJob(api, id, { timeoutMs: o.timeout * 1000, ...callbacks(reporter) })
            : api.getJob(id),
        ),
      );
      reportJob(ctx.io, found, o.json);
    });
}

/** The wait callbacks that feed a progress reporter. */
function callbacks(r: ProgressReporter): {
  onProgress: (line: string) => void;
  onJob: (job: JobView) => void;
} {
  return {
    onProgress: (line) => {
      r.status(line);
    },
    onJob: (job) => {
      r.job(job);
    },
  };
}

/** Runs `fn`, then ends the reporter's live line (also when `fn` throws). */
async function withReporter<T>(r: ProgressReporter, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    r.end();
  }
}
