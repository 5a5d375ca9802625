import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  linkSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseExportedModel, type ExportRecord, type ExportedModel } from '@tessera/algorithms';
import { TesseraError, parseJsonSafe } from '@tessera/protocol';

/*
 * Model files of `tessera model export` / `model predict`: an exported model (the `tessera-model`
 * format of @tessera/algorithms, checked by its schema) whose provenance gains an `export` block
 * saying where and when it was taken from the hub.
 */

/** Where a model file came from: hub, project, job, artifact and when. */
export type ExportProvenance = ExportRecord;

/** A model file's contents: the exported model and, when it came through `model export`, its export block. */
export interface ModelFile {
  readonly model: ExportedModel;
  readonly exported: ExportProvenance | null;
}

/** Most bytes of a model file read (2 million parameters as JSON text fit well within). */
export const MAX_MODEL_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Checks an artifact's body as an exported model and adds the export block to its provenance.
 * @throws TesseraError UNPROCESSABLE naming the artifact when its body is not a valid model.
 */
export function modelForExport(body: unknown, exported: ExportProvenance): Record<string, unknown> {
  let model: ExportedModel;
  try {
    model = parseExportedModel(body);
  } catch (e) {
    throw new TesseraError(
      'UNPROCESSABLE',
      `${exported.artifact} of job ${exported.jobId} is not a model: ${(e as Error).message}`,
    );
  }
  return { ...model, provenance: { ...model.provenance, export: exported } };
}

/**
 * Reads and checks a model file.
 * @throws TesseraError NOT_FOUND when it cannot be read, BAD_REQUEST naming the file and the
 *   first problem when it is not JSON, too large, or not a valid model.
 */
export function readModelFile(file: string): ModelFile {
  let text: string;
  try {
    if (statSync(file).size > MAX_MODEL_FILE_BYTES)
      throw new TesseraError(
        'BAD_REQUEST',
        `--model ${file} is larger than ${MAX_MODEL_FILE_BYTES} bytes`,
      );
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    throw new TesseraError(
      'NOT_FOUND',
      `cannot read --model ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const json = parseJsonSafe(text, `--model ${file}`);
  try {
    const model = parseExportedModel(json);
    return { model, exported: model.provenance.export ?? null };
  } catch (e) {
    throw new TesseraError('BAD_REQUEST', `--model ${file} is ${(e as Error).message}`);
  }
}

/**
 * Writes `text` to `file` with mode 0644 through a temporary file in the same folder, so a reader
 * never sees half a file: renamed over the file with `force`, else hard-linked to its name, which
 * fails if the name exists (no check-then-write race).
 * @throws TesseraError CONFLICT when the file exists and `force` is not set; BAD_REQUEST when the
 *   folder cannot be written.
 */
export function writeOutputFile(
  file: string,
  text: string,
  force: boolean,
  option = '--out',
): void {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, text, { mode: 0o644, flag: 'wx' });
    // The mode given at creation is masked by the umask; the file is meant to be 0644.
    chmodSync(tmp, 0o644);
    if (force) renameSync(tmp, file);
    else linkSync(tmp, file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'EEXIST')
      throw new TesseraError('CONFLICT', `${option} ${file} exists; add --force to overwrite it`);
    throw new TesseraError('BAD_REQUEST', `cannot write ${option} ${file} (${code})`);
  } finally {
    rmSync(tmp, { force: true });
  }
}
