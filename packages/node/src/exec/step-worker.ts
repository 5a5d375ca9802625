/*
 * The step worker (DESIGN "A job, end to end", step 4): runs one local step at a time inside a
 * worker thread whose heap is capped by the executor. It loads the datasets itself (cached by
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

async function load(dir: string): Promise<Table> {
  const schema = await readDatasetSchema(dir);
  const hit = cache.get(dir);
  if (hit?.version === schema.version) return hit.table;
  const { table } = await loadTable(dir, schema);
  cache.set(dir, { version: schema.version, table });
  return table;
}

async function handle(req: StepRequest): Promise<StepResponse> {
  try {
    const alg = getAlgorithm(req.algorithm);
    if (alg === undefined) throw new TypeError('unknown algorithm');
    const tables = await Promise.all(req.datasets.map((d) => load(d.dir)));
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
