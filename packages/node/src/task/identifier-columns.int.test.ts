/*
 * Identifier columns never leave the node (issue 7), through the real task runner and the real
 * compiled step worker (the suite builds before vitest): on a node whose imaging store holds one
 * patient with 10 series (minCount) and ten patients with one each, a crosstab on patient_id, a
 * cohort selecting that one patient and a cohort naming series_uid deep inside are refused
 * IDENTIFIER_VARIABLE before any step runs, while imaging-cohort, which counts the identifiers
 * implicitly, runs and releases no pseudonym.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { openJson, resultPayloadSchema, taskAd, type ResultSubmission } from '@tessera/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTable } from '../data/dataset-format.js';
import { importDicom } from '../dicom/ingest/import.js';
import {
  generateImagingStudies,
  writeImagingFolder,
  type SynthPatient,
} from '../dicom/synth/index.js';
import { createExecutor, type Executor } from '../exec/executor.js';
import { approveProject } from '../operator.js';
import { readAudit } from '../store/audit-log.js';
import type { NodePaths } from '../store/layout.js';
import {
  headerFor,
  makeCollectingRunner,
  makeTask,
  makeTaskNode,
  makeTaskPayload,
  silentLogger,
} from '../testing/helpers.js';
import type { TaskRunner } from './task-runner.js';

const REAL_WORKER = new URL('../../dist/exec/step-worker.js', import.meta.url);
const TRUST = 'st-thomas';
const PROJECT_ID = randomUUID();

let node: Awaited<ReturnType<typeof makeTaskNode>>;
let paths: NodePaths;
let executor: Executor;
let runs = 0;
let runner: TaskRunner;
let sent: ResultSubmission[];
/** The pseudonym of the patient with 10 series (read at the node, as an attacker would guess it). */
let pseudonym = '';

const patient = (id: string, sex: 'F' | 'M'): SynthPatient => ({
  id,
  sex,
  birthDate: '1955-05-05',
});

async function importStudies(folder: string, patients: SynthPatient[], studies: number) {
  const generated = generateImagingStudies({
    seed: studies,
    patients,
    studiesPerPatient: studies,
    kinds: ['CT'],
    size: 8,
    slices: 1,
  });
  await writeImagingFolder(join(node.base, folder), generated.files);
  await importDicom({ dir: node.dir, path: join(node.base, folder) });
}

beforeAll(async () => {
  node = await makeTaskNode({ trust: TRUST, idColumn: 'id' });
  paths = node.paths;
  await importStudies('many', [patient('MRN-0001', 'F')], 10);
  await importStudies(
    'one',
    Array.from({ length: 10 }, (_, i) => patient(`MRN-1${String(i).padStart(3, '0')}`, 'M')),
    1,
  );
  await approveProject({ dir: node.dir, project: 'diabetes', datasets: ['cohort', 'imaging'] });
  const { table } = await loadTable(paths.dataset('imaging'));
  const col = table.columns['patient_id'];
  if (col?.kind !== 'categorical') throw new Error('no patient_id column');
  const counts = col.levels.map((_, i) => col.codes.filter((c) => c === i).length);
  pseudonym = col.levels[counts.indexOf(10)] ?? '';
  const real = createExecutor({ workerUrl: REAL_WORKER, poolSize: 1, logger: silentLogger });
  executor = {
    run: (req, t) => {
      runs++;
      return real.run(req, t);
    },
    close: (g) => real.close(g),
  };
  ({ runner, sent } = makeCollectingRunner({ paths, me: node.me, executor }));
});

afterAll(async () => {
  await executor.close(0);
  await node.cleanup();
});

/** Sends one task on the imaging dataset and returns what the hub opens, and the step runs. */
async function send(over: Parameters<typeof makeTaskPayload>[0]) {
  const p = makeTaskPayload({
    project: { id: PROJECT_ID, name: 'diabetes' },
    datasets: ['imaging'],
    ...over,
  });
  const before = runs;
  await runner.handle(makeTask(node.hub, node.me.keys.public, p, headerFor(p, TRUST)));
  const s = sent.at(-1);
  if (s === undefined) throw new Error('nothing was sent');
  const result = resultPayloadSchema.parse(
    openJson(s.sealed, node.hub.sealPrivate, taskAd(s.header, 'result')),
  );
  return { result, ran: runs - before, taskId: p.taskId };
}

describe('a job naming an identifier column of the imaging dataset', () => {
  it('the setting is real: one patient holds minCount series', () => {
    expect(pseudonym).toMatch(/.+/);
    expect(pseudonym).not.toContain('MRN');
  });

  it('a crosstab on patient_id is refused before any step runs, audited with its code', async () => {
    const { result, ran, taskId } = await send({
      algorithm: { name: 'crosstab', version: '1.1.0' },
      step: 'table',
      params: { rows: 'patient_id', columns: 'modality' },
    });
    expect(result).toEqual({
      taskId,
      status: 'refused',
      code: 'IDENTIFIER_VARIABLE',
      reason: 'variable patient_id is an identifier column of dataset imaging; no job may read it',
    });
    expect(ran).toBe(0);
    const refusal = (await readAudit(paths.audit)).entries.find(
      (e) => e.action === 'task.refused' && e.details.taskId === taskId,
    );
    expect(refusal?.details).toMatchObject({ code: 'IDENTIFIER_VARIABLE' });
  });

  it('a cohort selecting one patient by pseudonym is refused, and the value is never echoed', async () => {
    const { result, ran } = await send({
      params: { variables: ['instances'] },
      cohort: { variable: 'patient_id', op: '=', value: pseudonym },
    });
    expect(result).toMatchObject({ status: 'refused', code: 'IDENTIFIER_VARIABLE' });
    expect(result.status === 'refused' ? result.reason : '').toContain(
      'the cohort names patient_id',
    );
    expect(JSON.stringify(result)).not.toContain(pseudonym);
    expect(ran).toBe(0);
  });

  it('a cohort naming series_uid deep inside and / not is refused', async () => {
    const { result, ran } = await send({
      params: { variables: ['instances'] },
      cohort: {
        and: [
          { variable: 'modality', op: '=', value: 'CT' },
          { or: [{ not: { variable: 'series_uid', op: 'isNull' } }] },
        ],
      },
    });
    expect(result).toMatchObject({
      status: 'refused',
      code: 'IDENTIFIER_VARIABLE',
      reason: expect.stringContaining('series_uid'),
    });
    expect(ran).toBe(0);
  });

  it('imaging-cohort, which counts the identifiers implicitly, runs and releases no pseudonym', async () => {
    const { result, ran } = await send({
      algorithm: { name: 'imaging-cohort', version: '1.0.0' },
      step: 'counts',
      params: {},
    });
    expect(ran).toBe(1);
    expect(result).toMatchObject({
      status: 'ok',
      output: { totals: { patients: 11, studies: 20, series: 20, instances: 20 } },
    });
    expect(JSON.stringify(result)).not.toContain(pseudonym);
  });

  it('a summary of the other imaging columns still runs', async () => {
    const { result } = await send({
      params: { variables: ['instances', 'modality'] },
      cohort: { variable: 'modality', op: '=', value: 'CT' },
    });
    expect(result).toMatchObject({ status: 'ok' });
  });

  it('the step worker refuses it too when a request reaches it without the policy check', async () => {
    const dir = paths.dataset('imaging');
    const version = (await loadTable(dir)).schema.version;
    const out = await executor.run(
      {
        algorithm: 'summary',
        step: 'stats',
        datasets: [{ dir, version }],
        cohort: { not: { variable: 'patient_id', op: '=', value: pseudonym } },
        params: { variables: ['instances'] },
        input: null,
        round: 0,
        policy: { minCount: 10, allowMinMax: false },
      },
      30_000,
    );
    expect(out).toEqual({
      status: 'refused',
      code: 'IDENTIFIER_VARIABLE',
      reason:
        'the cohort names patient_id, an identifier column of dataset imaging; no cohort may filter on it',
    });
  });
});
