import { parentPort, workerData } from 'node:worker_threads';
import { keyedDeidentifier } from './process.js';
import { runJob, type WorkerMessage, type WorkerRequest, type WorkerSetup } from './process-job.js';

/*
 * A worker thread of the imaging store's pool (process-pool.ts): runs the jobs it is sent, one at
 * a time — read the input, parse, de-identify, encode, write the synced temp file — and answers
 * each with its result. It logs nothing: the keys it holds (sent once, in workerData) never leave
 * it, and every failure is a result (runJob never throws).
 */

const port = parentPort;
if (port === null) throw new Error('process-worker.js runs as a worker thread');
const setup = workerData as WorkerSetup;
const deidentify = keyedDeidentifier(setup.keys);

port.on('message', (req: WorkerRequest) => {
  if (req.type === 'stop') {
    // Nothing left to wait for: the thread ends as a program does (its exit handlers run).
    port.close();
    return;
  }
  const done: WorkerMessage = { type: 'done', id: req.id, result: runJob(req.job, deidentify) };
  port.postMessage(done);
});
const ready: WorkerMessage = { type: 'ready' };
port.postMessage(ready);
