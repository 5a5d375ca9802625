// Local training throughput (issue 6 "Done when"): examples/s on one thread for an MLP of about
// 100k parameters (100 → 256 → 256 → 2, ReLU, softmax head, Adam, mini-batches of 32), on the
// compiled @tessera/algorithms. The clock handed to measureTrainingThroughput is this process's
// CPU time (user + system), so other processes on a busy machine do not count; wall time too.
//
//   npm run build && node bench/learning.mjs [--rows 8192] [--batch 32]
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { machine } from './lib/format.mjs';

const DIST = fileURLToPath(new URL('../packages/algorithms/dist/', import.meta.url));

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Trains once to warm up, then once measured; returns the figures with wall time added. */
export async function benchLearning({ rows = 8192, batchSize = 32 } = {}) {
  const { measureTrainingThroughput } = await import(`${DIST}learning/training/throughput.js`);
  measureTrainingThroughput({ now: cpuMs, rows: 1024, batchSize });
  const began = performance.now();
  const figures = measureTrainingThroughput({ now: cpuMs, rows, batchSize });
  const wallSeconds = (performance.now() - began) / 1000;
  return { ...figures, wallSeconds, wallExamplesPerSecond: figures.examples / wallSeconds };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '8192' },
      batch: { type: 'string', default: '32' },
    },
  });
  const f = await benchLearning({ rows: Number(values.rows), batchSize: Number(values.batch) });
  console.log(JSON.stringify(machine()));
  console.log(
    `MLP 100 → 256 → 256 → 2 (${f.parameters} parameters), Adam, batch ${values.batch}: ` +
      `${Math.round(f.examplesPerSecond)} examples/s per CPU second, ` +
      `${Math.round(f.wallExamplesPerSecond)} per wall second (${f.examples} examples, ` +
      `last-epoch loss ${f.meanLoss.toFixed(3)})`,
  );
}
