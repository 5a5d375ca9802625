import { readFileSync, statSync } from 'node:fs';
import { TesseraError, type ArtifactSummary } from '@tessera/protocol';
import type { Command } from 'commander';
import { z } from 'zod';
import { withSession, type CliContext } from '../context.js';
import { readCsvTable } from '../model/csv-records.js';
import { modelForExport, readModelFile, writeOutputFile } from '../model/model-file.js';
import { predictCsv, predictionsCsv, predictionsJson, predictionsTable } from '../model/predict.js';
import { jsonFlag, optionsOf } from '../options.js';
import { formatTable, printJson } from '../output.js';

/** Most bytes of a CSV file `model predict` reads (it is read whole). */
export const MAX_PREDICT_CSV_BYTES = 512 * 1024 * 1024;

const exportOptions = z.object({
  name: z.string().min(1).default('model/final'),
  out: z.string().min(1),
  force: z.boolean().default(false),
  json: jsonFlag,
});

const predictOptions = z.object({
  model: z.string().min(1),
  file: z.string().min(1),
  idColumn: z.string().min(1).optional(),
  out: z.string().min(1).optional(),
  force: z.boolean().default(false),
  json: jsonFlag,
});
export type PredictOptions = z.infer<typeof predictOptions>;

/** The `model list` table: name, bytes, when written. */
export function artifactsTable(list: readonly ArtifactSummary[]): string {
  return formatTable(
    ['name', 'bytes', 'created'],
    list.map((a) => [a.name, String(a.bytes), a.createdAt]),
  );
}

function readCsvFile(file: string): string {
  try {
    if (statSync(file).size > MAX_PREDICT_CSV_BYTES)
      throw new TesseraError(
        'BAD_REQUEST',
        `--file ${file} is larger than ${MAX_PREDICT_CSV_BYTES} bytes`,
      );
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    throw new TesseraError(
      'NOT_FOUND',
      `cannot read --file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/**
 * `model predict`: local, no hub. Prints a table (or JSON), or writes CSV with `--out`.
 * @throws TesseraError as readModelFile, readCsvTable, predictCsv and writeOutputFile.
 */
export function runPredict(ctx: CliContext, o: PredictOptions): void {
  const { model } = readModelFile(o.model);
  const csv = readCsvTable(readCsvFile(o.file), o.file);
  const rows = predictCsv(model, csv, o.file, o.idColumn);
  if (o.out !== undefined) writeOutputFile(o.out, predictionsCsv(model, rows), o.force);
  if (o.json) {
    printJson(ctx.io, { ...predictionsJson(model, o.file, rows), out: o.out ?? null });
    return;
  }
  if (o.out !== undefined) {
    ctx.io.out(`${rows.length} predictions of ${model.outcome} written to ${o.out}\n`);
    return;
  }
  ctx.io.out(
    `model ${model.id.slice(0, 12)} (round ${model.round}), outcome ${model.outcome}, ` +
      `${rows.length} rows of ${o.file}\n${predictionsTable(rows)}`,
  );
}

/** Registers `tessera model list|export|predict`. */
export function registerModelCommands(program: Command, ctx: CliContext): void {
  const model = program.command('model').description('trained models: list, export, predict');

  model
    .command('list <job>')
    .description("lists a job's stored documents (models after each round, best, final)")
    .option('--json', 'print [{name, bytes, createdAt}] as JSON')
    .action(async (job: string, _o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, z.object({ json: jsonFlag }));
      const list = await withSession(ctx, (api) => api.listArtifacts(job));
      if (o.json) printJson(ctx.io, list);
      else ctx.io.out(list.length === 0 ? `job ${job} keeps no models\n` : artifactsTable(list));
    });

  model
    .command('export <job>')
    .description('writes a model of a job to a JSON file (weights, preprocessing, provenance)')
    .option('--name <artifact>', 'which model (default model/final; see `model list`)')
    .requiredOption('--out <file>', 'the file to write (mode 0644)')
    .option('--force', 'overwrite the file if it exists')
    .option('--json', 'print {file, job, name, modelId, bytes} as JSON')
    .action(async (job: string, _o: unknown, cmd: Command) => {
      const o = optionsOf(cmd, exportOptions);
      const { text, view, modelId } = await withSession(ctx, async (api, session) => {
        const v = await api.getArtifact(job, o.name);
        const exported = {
          hub: session.hub,
          project: v.project,
          jobId: v.jobId,
          artifact: v.name,
          exportedAt: new Date().toISOString(),
        };
        const m = modelForExport(v.body, exported);
        return { text: `${JSON.stringify(m, null, 2)}\n`, view: v, modelId: m['id'] };
      });
      writeOutputFile(o.out, text, o.force);
      const bytes = Buffer.byteLength(text);
      if (o.json) {
        printJson(ctx.io, { file: o.out, job: view.jobId, name: view.name, modelId, bytes });
      } else {
        ctx.io.out(`${view.name} of job ${view.jobId} written to ${o.out} (${bytes} bytes)\n`);
      }
    });

  model
    .command('predict')
    .description('predicts the rows of a CSV file with a model file, locally (no hub)')
    .requiredOption('--model <file>', 'a model file from `model export`')
    .requiredOption('--file <csv>', 'rows with the model’s feature columns (header line first)')
    .option('--id-column <name>', 'a column to show beside each prediction')
    .option('--out <file>', 'write the predictions as CSV instead of printing them')
    .option('--force', 'with --out: overwrite the file if it exists')
    .option('--json', 'print {model, file, rows} as JSON')
    .action((_o: unknown, cmd: Command) => {
      runPredict(ctx, optionsOf(cmd, predictOptions));
    });
}
