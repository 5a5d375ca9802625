import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraError, type JobView, type SubmitJobRequest } from '@tessera/protocol';
import { formatSites } from '../job-format.js';
import { submitAndWait } from '../job-runner.js';
import { readCsvTable } from '../model/csv-records.js';
import { modelForExport, readModelFile, writeOutputFile } from '../model/model-file.js';
import { predictCsv } from '../model/predict.js';
import { formatTable } from '../output.js';
import { createProgressReporter } from '../progress/reporter.js';
import { formatAlgorithmResult } from '../result-format/index.js';
import { need, type DemoState, type DemoTraining } from './demo-state.js';
import type { Stage } from './stages.js';

/*
 * Federated learning in the demo (issue 6): an MLP trained on the sites' synthetic patients with
 * FedAvg under secure aggregation (the hub sees only the sum of the sites' updates), its learning
 * curve and final metrics, then the final model exported to a file and used, locally, to predict
 * a few new patients.
 */

const FEATURES = ['age', 'bmi', 'sbp', 'hba1c', 'sex', 'smoking'] as const;

/** The demo's training job: diabetes from six variables, MLP with 16 hidden units, 15 rounds. */
export const TRAINING_REQUEST: Omit<SubmitJobRequest, 'project' | 'datasets'> = {
  algorithm: 'train',
  cohort: null,
  params: {
    outcome: 'diabetes',
    features: [...FEATURES],
    model: { type: 'mlp', hidden: [16] },
    strategy: { name: 'fedavg' },
    rounds: 15,
    epochs: 1,
    batchSize: 32,
    learningRate: 0.05,
    seed: 11,
  },
  secureAggregation: true,
};

/** How many new patients the demo predicts. */
const NEW_PATIENTS = 5;

const TRAINING_TITLE = 'training an MLP on diabetes (FedAvg, 15 rounds, secure aggregation)';

/** Trains the MLP as the researcher, with a live bar on a terminal. */
export const trainingStage: Stage<DemoState> = {
  title: TRAINING_TITLE,
  run: async (s) => {
    // The bar continues the stage's "▸ title … " line (stages.ts), on a terminal only.
    const reporter = createProgressReporter(s.io, {
      quiet: s.io.errTty !== true,
      inline: `▸ ${TRAINING_TITLE} … `,
    });
    let job: JobView;
    try {
      job = await submitAndWait(
        need(s.researcher, 'researcher login'),
        { ...TRAINING_REQUEST, project: s.options.project, datasets: [s.options.dataset] },
        {
          timeoutMs: 180_000,
          onJob: (j) => {
            reporter.job(j);
          },
        },
      );
    } finally {
      reporter.end();
    }
    s.training = { job };
    if (job.status !== 'succeeded')
      return `${job.status}: ${job.error?.code ?? ''} ${job.error?.reason ?? ''}`;
    const final = (job.result as { final?: { accuracy?: number; auc?: number } }).final;
    const acc =
      final?.accuracy === undefined ? '' : `accuracy ${(final.accuracy * 100).toFixed(1)}%`;
    const auc = final?.auc === undefined ? '' : `, AUC ${final.auc.toFixed(3)}`;
    return `${acc}${auc}, ${jobMs(job)} ms`;
  },
};

/** Exports the final model to a file and predicts a few new synthetic patients with it, locally. */
export const predictionStage: Stage<DemoState> = {
  title: `exporting the model and predicting ${NEW_PATIENTS} new patients (locally, no hub)`,
  run: async (s) => {
    const training = need(s.training, 'training job');
    if (training.job.status !== 'succeeded') return 'skipped: the training job failed';
    const hub = need(s.hub, 'hub');
    const view = await need(s.researcher, 'researcher login').getArtifact(
      training.job.id,
      'model/final',
    );
    const model = modelForExport(view.body, {
      hub: hub.url,
      project: view.project,
      jobId: view.jobId,
      artifact: view.name,
      exportedAt: new Date().toISOString(),
    });
    mkdirSync(join(s.options.root, 'models'), { recursive: true, mode: 0o700 });
    const modelFile = join(s.options.root, 'models', 'diabetes-mlp.json');
    writeOutputFile(modelFile, `${JSON.stringify(model, null, 2)}\n`, false);
    training.modelFile = modelFile;

    const { patients, csvFile } = await newPatients(s);
    const csv = readCsvTable(patients, csvFile);
    const read = readModelFile(modelFile).model;
    const rows = predictCsv(read, csv, csvFile, 'patient_id');
    // The outcome's last class is the "event" (diabetes = 1).
    const positive = read.classes.at(-1) ?? '1';
    training.predictions = formatTable(
      ['patient', 'predicted', `P(diabetes = ${positive})`, 'actual'],
      rows.map((r, i) => [
        r.id ?? String(r.row),
        r.predicted,
        (r.probabilities[positive] ?? NaN).toFixed(3),
        csv.rows[i]?.values.get('diabetes') ?? '',
      ]),
    );
    return `model ${String(model['id']).slice(0, 12)} → ${modelFile}`;
  },
};

/**
 * New patients from the generator (another seed than the sites'), complete in the features, as
 * CSV: the first three without diabetes and the first two with it, so both outcomes show.
 */
async function newPatients(s: DemoState): Promise<{ patients: string; csvFile: string }> {
  const { generateSite, toCsv } = await import('../synth/index.js');
  const complete = generateSite({ seed: s.options.seed + 1, site: 0, rows: 400 }).filter((r) =>
    FEATURES.every((f) => r[f] !== null),
  );
  const rows = [
    ...complete.filter((r) => r.diabetes === 0).slice(0, 3),
    ...complete.filter((r) => r.diabetes === 1).slice(0, NEW_PATIENTS - 3),
  ];
  if (rows.length < NEW_PATIENTS)
    throw new TesseraError('INTERNAL', 'demo: too few complete synthetic patients to predict');
  const csvFile = join(s.options.root, 'data', 'new-patients.csv');
  const patients = toCsv(rows);
  writeFileSync(csvFile, patients, { mode: 0o600 });
  return { patients, csvFile };
}

function jobMs(job: JobView): number {
  return job.finishedAt === null ? NaN : Date.parse(job.finishedAt) - Date.parse(job.createdAt);
}

/** The training section of the demo's print-out: the result view, then the predictions. */
export function formatTraining(t: DemoTraining): string {
  const title = 'Federated learning: an MLP predicting diabetes, securely aggregated';
  const head = `── ${title} ${'─'.repeat(Math.max(0, 76 - title.length))}\n`;
  if (t.job.status !== 'succeeded')
    return `${head}failed: ${t.job.error?.code ?? ''} ${t.job.error?.reason ?? ''}\n${formatSites(t.job.sites)}`;
  const result = formatAlgorithmResult(t.job.algorithm, t.job.result, t.job.params, t.job.id);
  const predict =
    t.modelFile === undefined || t.predictions === undefined
      ? ''
      : `\nNew patients, predicted with the exported model on this machine ` +
        `(tessera model predict --model ${t.modelFile} --file …):\n${t.predictions}`;
  return `${head}${result}${predict}`;
}
