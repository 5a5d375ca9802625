/*
 * The step worker (DESIGN "A job, end to end", step 4): runs one local step at a time inside a
 * worker thread whose heap is capped by the executor. It loads the datasets itself (kept by
 * dataset version, so a warm worker answers a trivial step in a few ms), applies the cohort and
 * runs the algorithm's step with its disclosure check. For an imaging dataset it also hands the
 * step pixel access to the series (issue 7), from the node's imaging index.
 */
import { randomBytes } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import {
  evaluateCohort,
  filterTable,
  getAlgorithm,
  runLocalStep,
  type Table,
} from '@tessera/algorithms';
import { combineTables } from '../data/combine.js';
import { identifierColumns, loadTable, readDatasetSchema } from '../data/dataset-format.js';
import { datasetImagingIndex, storeSeriesImages } from '../dicom/images/index.js';
import type { DicomIndex } from '../dicom/ingest/dicom-index.js';
import type { DatasetRows } from '../guard/row-set.js';
import { denseLevelVariable, rowsPerDataset } from '../guard/worker-checks.js';
import { identifierReason, identifierUse } from '../task/identifier-check.js';
import type { StepRequest, StepResponse } from './worker-messages.js';

interface Loaded {
  readonly version: string;
  readonly name: string;
  /** The data file's SHA-256: the differencing guard's name for this content. */
  readonly fingerprint: string;
  readonly table: Table;
  /** The imaging index behind an imaging dataset (null for a tabular one), read with the table. */
  readonly index: DicomIndex | null;
  /** The identifier columns the dataset declares. */
  readonly identifiers: readonly string[];
}

const cache = new Map<string, Loaded>();

// A warm worker answers from memory while the version asked for is the one it holds; otherwise it
// reads the dataset as it now is on disk (a re-import gives a new version).
async function load(d: StepRequest['datasets'][number]): Promise<Loaded> {
  const hit = cache.get(d.dir);
  if (hit?.version === d.version) return hit;
  const { schema, table } = await loadTable(d.dir, await readDatasetSchema(d.dir));
  const loaded = {
    version: schema.version,
    name: schema.name,
    fingerprint: schema.dataSha256,
    table,
    index: await datasetImagingIndex(d.dir),
    identifiers: identifierColumns(schema),
  };
  cache.set(d.dir, loaded);
  return loaded;
}

async function handle(req: StepRequest): Promise<StepResponse> {
  try {
    const alg = getAlgorithm(req.algorithm);
    if (alg === undefined) throw new TypeError('unknown algorithm');
    const loaded = await Promise.all(req.datasets.map(load));
    // The policy check refused this already; checked again on the schema the step reads, so no
    // way into the worker can filter on or read an identifier column (issue 7).
    const id = identifierUse(
      alg.variables(req.params),
      req.cohort,
      loaded.map((l) => l.name),
      new Map(loaded.map((l) => [l.name, l.identifiers])),
    );
    if (id !== null) {
      const outcome = {
        status: 'refused',
        code: 'IDENTIFIER_VARIABLE',
        reason: identifierReason(id),
      } as const;
      return { type: 'done', id: req.id, outcome };
    }
    const all = combineTables(loaded.map((l) => l.table));
    const mask = req.cohort === null ? null : evaluateCohort(all, req.cohort);
    const table = mask === null ? all : filterTable(all, mask);
    const density = req.guard?.maxLevelDensity ?? 1;
    // Below minCount runLocalStep refuses MIN_COUNT first, whatever the levels.
    const dense =
      req.guard === undefined || table.rows < req.policy.minCount
        ? null
        : denseLevelVariable(table, alg.variables(req.params), density);
    if (dense !== null) {
      const pct = Math.round(density * 100);
      const reason = `variable ${dense} has more levels in the cohort than ${String(pct)} % of its rows`;
      return {
        type: 'done',
        id: req.id,
        outcome: { status: 'refused', code: 'LEVEL_LIMIT', reason },
      };
    }
    // Pixel access is made per step, so what it decodes is dropped with the step; the index it
    // reads is kept with the dataset's version like the table.
    const index = loaded.find((l) => l.index !== null)?.index ?? null;
    // runLocalStep refuses a table under minCount before computing anything.
    const outcome = runLocalStep(alg, req.step, {
      table,
      params: req.params,
      input: req.input,
      round: req.round,
      policy: req.policy,
      // DP noise must be unpredictable to anyone who sees the release (DESIGN "Security model").
      randomBytes: (n) => randomBytes(n),
      ...(index === null ? {} : { images: storeSeriesImages(index) }),
    });
    if (req.guard?.reportRows !== true || outcome.status !== 'ok')
      return { type: 'done', id: req.id, outcome };
    const selected = rowsPerDataset(
      mask,
      loaded.map((l) => l.table.rows),
    );
    const rows: DatasetRows[] = loaded.map((l, i) => ({
      dataset: l.name,
      fingerprint: l.fingerprint,
      total: l.table.rows,
      rows: selected[i] ?? null,
    }));
    return { type: 'done', id: req.id, outcome, rows };
  } catch (e) {
    return { type: 'threw', id: req.id, errorName: e instanceof Error ? e.name : typeof e };
  }
}

const port = parentPort;
if (port !== null) {
  port.on('message', (req: StepRequest) => {
    void handle(req).then((res) => {
      port.postMessage(res);
    });
  });
  port.postMessage({ type: 'ready' } satisfies StepResponse);
}
