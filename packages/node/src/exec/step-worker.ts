/*
 * The step worker (DESIGN "A job, end to end", step 4): runs one local step at a time inside a
 * worker thread whose heap is capped by the executor. It loads the datasets itself (kept by
 * dataset version, so a warm worker answers a trivial step in a few ms), applies the cohort and
 * runs the algorithm's step with its disclosure check.
 */
import { parentPort } from 'node:worker_threads';
import {
  evaluateCohort,
  filterTable,
  getAlgorithm,
  runLocalStep,
  type Table,
} from '@tessera/algorithms';
import { combineTables } from '../data/combine.js';
import { loadTable, readDatasetSchema } from '../data/dataset-format.js';
import type { StepRequest, StepResponse } from './worker-messages.js';

const cache = new Map<string, { version: string; table: Table }>();

// A warm worker answers from memory while the version asked for is the one it holds; otherwise it
// reads the dataset as it now is on disk (a re-import gives a new version).
async function load(d: StepRequest['datasets'][number]): Promise<Table> {
  const hit = cache.get(d.dir);
  if (hit?.version === d.version) return hit.table;
  const { schema, table } = await loadTable(d.dir, await readDatasetSchema(d.dir));
  cache.set(d.dir, { version: schema.version, table });
  return table;
}

async function handle(req: StepRequest): Promise<StepResponse> {
  try {
    const alg = getAlgorithm(req.algorithm);
    if (alg === undefined) throw new TypeError('unknown algorithm');
    const tables = await Promise.all(req.datasets.map(load));
    const all = combineTables(tables);
    const table = req.cohort === null ? all : filterTable(all, evaluateCohort(all, req.cohort));
    // runLocalStep refuses a table under minCount before computing anything.
    const outcome = runLocalStep(alg, req.step, {
      table,
      params: req.params,
      input: req.input,
      round: req.round,
      policy: req.policy,
    });
    return { type: 'done', id: req.id, outcome };
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
