// Rounds to a target accuracy (issue 6 "npm run bench adds … rounds to a target accuracy"): the
// seeded label-skewed two-moons task of the `train` tests (three non-identical sites: mostly
// class 0, mostly class 1, a noisier balanced one), an MLP 2 → 16 → 2 trained by `train` with
// FedAvg, FedProx and FedAdam, driven in one process by simulateJob on the compiled
// @tessera/algorithms (the same hub and site code the processes run, no transport). The target
// is a fraction (default 95 %) of the accuracy of the same model trained centrally on the pooled
// training splits for as many epochs, evaluated on the pooled validation splits.
//
//   npm run build && node bench/training-convergence.mjs [--rounds 30] [--target 0.95]
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const DIST = fileURLToPath(new URL('../packages/algorithms/dist/', import.meta.url));

/** The strategies compared, with their settings. */
export const STRATEGIES = [{ name: 'fedavg' }, { name: 'fedprox', mu: 0.01 }, { name: 'fedadam' }];

const BASE = {
  outcome: 'y',
  features: ['x1', 'x2'],
  model: { type: 'mlp', hidden: [16] },
  epochs: 1,
  batchSize: 16,
  learningRate: 0.05,
  seed: 7,
};

/** Rows of a task whose label is kept with probability keep[label] (label skew), as a table. */
function skewed(task, keep, seed) {
  const x1 = [];
  const x2 = [];
  const y = [];
  for (let r = 0; r < task.rows; r++) {
    const label = task.labels[r];
    const coin = ((Math.imul(r + 1, 2654435761) ^ seed) >>> 0) / 4294967296;
    if (coin >= keep[label]) continue;
    x1.push(task.x[2 * r]);
    x2.push(task.x[2 * r + 1]);
    y.push(label);
  }
  return {
    rows: y.length,
    columns: {
      x1: { kind: 'number', values: Float64Array.from(x1) },
      x2: { kind: 'number', values: Float64Array.from(x2) },
      y: { kind: 'categorical', levels: ['c0', 'c1'], codes: Int32Array.from(y) },
    },
  };
}

async function modules() {
  const m = (p) => import(`${DIST}${p}`);
  const [index, synthetic] = await Promise.all([
    m('index.js'),
    m('learning/training/synthetic.js'),
  ]);
  return { ...index, ...synthetic };
}

/**
 * Trains with each strategy for `rounds` rounds and returns, per strategy, the first round whose
 * federated validation accuracy reaches `target` × the central accuracy (null if none), the final
 * and best accuracy, and the wall time of the whole simulated job.
 */
export async function benchConvergence({ rounds = 30, target = 0.95 } = {}) {
  const m = await modules();
  const sites = [
    skewed(m.twoMoons(900, 0.15, 11), [1, 0.25], 1),
    skewed(m.twoMoons(900, 0.15, 12), [0.25, 1], 2),
    skewed(m.twoMoons(500, 0.25, 13), [1, 1], 3),
  ];
  // The same model trained on the pooled training splits (no federated code path).
  const central = m.pooledReferenceAccuracy(sites, { ...BASE, hidden: BASE.model.hidden, rounds });
  const goal = target * central;
  const runs = STRATEGIES.map((strategy) => {
    const t0 = performance.now();
    const run = m.simulateJob(m.train, { ...BASE, strategy, rounds }, sites);
    const wallMs = performance.now() - t0;
    if (run.decision.kind !== 'done')
      throw new Error(`${strategy.name}: ${run.decision.code} ${run.decision.reason}`);
    const acc = run.decision.result.rounds.map((r) => r.accuracy);
    const hit = acc.findIndex((a) => a >= goal);
    return {
      strategy,
      roundsToTarget: hit === -1 ? null : hit + 1,
      final: acc.at(-1),
      best: Math.max(...acc),
      wallMs,
    };
  });
  return { rows: sites.map((s) => s.rows), rounds, target, central, goal, runs };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '30' },
      target: { type: 'string', default: '0.95' },
    },
  });
  const r = await benchConvergence({
    rounds: Number(values.rounds),
    target: Number(values.target),
  });
  console.log(JSON.stringify(r, null, 2));
}
