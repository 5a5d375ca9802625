import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRng,
  makeTable,
  simulateJob,
  train,
  type ExportedModel,
  type Table,
} from '@tessera/algorithms';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingIo } from '../../test/fixtures.js';
import { runPredict } from '../commands/model.js';
import { readCsvTable } from './csv-records.js';
import { modelForExport, readModelFile, writeOutputFile } from './model-file.js';
import { predictCsv, predictionsCsv, predictionsTable } from './predict.js';

/*
 * Model files and local prediction (`tessera model export` / `model predict`) on a model that
 * `train` really produced (hub and site parts in process), in a temp folder.
 */

const dir = mkdtempSync(join(tmpdir(), 'tessera-cli-model-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A seeded site: y = yes when x + [grp = b] + noise > 0.5. */
function site(rows: number, seed: number): Table {
  const rng = createRng(seed);
  const x = Float64Array.from({ length: rows }, () => rng.normal());
  const grp = Int32Array.from({ length: rows }, () => (rng.uniform() < 0.5 ? 0 : 1));
  const y = Int32Array.from({ length: rows }, (_, i) =>
    (x[i] ?? 0) + (grp[i] ?? 0) + 0.3 * rng.normal() > 0.5 ? 1 : 0,
  );
  return makeTable({
    x: { kind: 'number', values: x },
    grp: { kind: 'categorical', levels: ['a', 'b'], codes: grp },
    y: { kind: 'categorical', levels: ['no', 'yes'], codes: y },
  });
}

function trainedModel(): ExportedModel {
  const params = { outcome: 'y', features: ['x', 'grp'], model: { type: 'logistic' }, rounds: 3 };
  const run = simulateJob(train, params, [site(200, 1), site(150, 2)]);
  if (run.decision.kind !== 'done') throw new Error(JSON.stringify(run.decision));
  const final = run.decision.artifacts?.find((a) => a.name === 'model/final');
  return final?.body as ExportedModel;
}

const model = trainedModel();
const EXPORT = {
  hub: 'https://127.0.0.1:8443',
  project: { id: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d', name: 'cardio' },
  jobId: '0b7c6f3e-1d2a-4b5c-8d9e-0f1a2b3c4d5e',
  artifact: 'model/final',
  exportedAt: '2026-11-22T10:00:00.000Z',
};

function writeModel(name: string, doc: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

describe('model files', () => {
  it('adds the export block to the provenance and reads it back with the model', () => {
    const doc = modelForExport(model, EXPORT);
    expect((doc['provenance'] as Record<string, unknown>)['export']).toEqual(EXPORT);
    const back = readModelFile(writeModel('m.json', doc));
    expect(back.exported).toEqual(EXPORT);
    expect(back.model.id).toBe(model.id);
    expect(back.model.provenance).toEqual({ ...model.provenance, export: EXPORT });
  });

  it('reads a model without an export block (e.g. taken from the API by hand)', () => {
    expect(readModelFile(writeModel('plain.json', model)).exported).toBeNull();
  });

  it('refuses an artifact that is not a model, naming it', () => {
    expect(() => modelForExport({ rounds: [] }, EXPORT)).toThrowError(
      /model\/final of job 0b7c6f3e-.* is not a model: not a valid tessera-model v1/,
    );
  });

  it.each([
    [
      'changed weights',
      { ...model, parameters: model.parameters.map((p) => p + 1) },
      /id: not the hash/,
    ],
    [
      'a bad export block',
      { ...model, provenance: { ...model.provenance, export: { hub: 1 } } },
      /provenance\.export\.hub/,
    ],
    ['another format', { ...model, format: 'onnx' }, /format/],
  ])('refuses a file with %s', (_what, doc, message) => {
    expect(() => readModelFile(writeModel('bad.json', doc))).toThrowError(message);
  });

  it('refuses a file that is not JSON or holds a prototype key, and a missing file', () => {
    writeFileSync(join(dir, 'text.json'), 'not json');
    expect(() => readModelFile(join(dir, 'text.json'))).toThrowError(/is not valid JSON/);
    writeFileSync(join(dir, 'proto.json'), '{"__proto__": {}}');
    expect(() => readModelFile(join(dir, 'proto.json'))).toThrowError(/forbidden key "__proto__"/);
    expect(() => readModelFile(join(dir, 'absent.json'))).toThrowError(
      /cannot read --model .*absent\.json \(ENOENT\)/,
    );
  });

  it('writes 0644 files, refuses to overwrite one unless forced, and leaves no temporary file', () => {
    const file = join(dir, 'out.json');
    writeOutputFile(file, 'one\n', false);
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(() => {
      writeOutputFile(file, 'two\n', false);
    }).toThrowError(/--out .*out\.json exists; add --force to overwrite it/);
    expect(readFileSync(file, 'utf8')).toBe('one\n');
    writeOutputFile(file, 'three\n', true);
    expect(readFileSync(file, 'utf8')).toBe('three\n');
    expect(() => {
      writeOutputFile(join(dir, 'no', 'such', 'x.json'), 'x', false);
    }).toThrowError(/cannot write --out .*x\.json \(ENOENT\)/);
  });
});

describe('predict', () => {
  const csv = readCsvTable('id,x,grp\np1,1.5,b\np2,-2,a\n"p,3",0.2,b\n', 'new.csv');

  it('gives each row the more probable class, in file order, with the id column', () => {
    const rows = predictCsv(model, csv, 'new.csv', 'id');
    expect(rows.map((r) => [r.row, r.line, r.id])).toEqual([
      [1, 2, 'p1'],
      [2, 3, 'p2'],
      [3, 4, 'p,3'],
    ]);
    expect(rows[0]?.predicted).toBe('yes');
    expect(rows[1]?.predicted).toBe('no');
    for (const r of rows) {
      const p = r.probabilities;
      expect((p['no'] ?? 0) + (p['yes'] ?? 0)).toBeCloseTo(1, 12);
      expect(r.probability).toBe(Math.max(p['no'] ?? 0, p['yes'] ?? 0));
    }
    expect(predictionsTable(rows).split('\n')[0]).toBe('row  id   predicted  probability');
    expect(predictionsCsv(model, rows).split('\n')[3]).toMatch(
      /^3,"p,3",(no|yes),0\.\d+,0\.\d+,0\.\d+$/,
    );
  });

  it('names the file, line, row and column of a value it cannot use, not the value', () => {
    const bad = readCsvTable('x,grp\n1,a\n"1e",b\n', 'bad.csv');
    expect(() => predictCsv(model, bad, 'bad.csv')).toThrowError(
      'bad.csv line 3 (row 2), column x: not a number',
    );
    const level = readCsvTable('x,grp\n1,zz\n', 'bad.csv');
    expect(() => predictCsv(model, level, 'bad.csv')).toThrowError(
      /^bad\.csv line 2 \(row 1\), column grp: a level the model was not trained on \(it knows a, b\)$/,
    );
    expect(() => predictCsv(model, readCsvTable('x\n1\n', 'few.csv'), 'few.csv')).toThrowError(
      "few.csv lacks the model's feature column grp",
    );
    expect(() => predictCsv(model, csv, 'new.csv', 'patient')).toThrowError(
      '--id-column patient is not a column of new.csv',
    );
  });

  it('prints a table, JSON, or writes CSV with --out (model predict)', () => {
    const modelFile = writeModel('predict.json', modelForExport(model, EXPORT));
    const data = join(dir, 'rows.csv');
    writeFileSync(data, 'x,grp\n1,b\n-1,a\n');
    const table = recordingIo();
    runPredict(
      { io: table, env: { configDir: dir, debug: false } },
      { model: modelFile, file: data, force: false, json: false },
    );
    expect(table.stdout()).toMatch(
      /^model [0-9a-f]{12} \(round 3\), outcome y, 2 rows of .*rows\.csv\nrow {2}predicted {2}probability\n/,
    );
    const json = recordingIo();
    runPredict(
      { io: json, env: { configDir: dir, debug: false } },
      { model: modelFile, file: data, force: false, json: true },
    );
    const doc = JSON.parse(json.stdout()) as { model: { id: string }; rows: unknown[]; out: null };
    expect(doc.model.id).toBe(model.id);
    expect(doc.rows).toHaveLength(2);
    const out = join(dir, 'predictions.csv');
    const written = recordingIo();
    runPredict(
      { io: written, env: { configDir: dir, debug: false } },
      { model: modelFile, file: data, out, force: false, json: false },
    );
    expect(written.stdout()).toBe(`2 predictions of y written to ${out}\n`);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('row,predicted,probability,p_no,p_yes');
  });
});
