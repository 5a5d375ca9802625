// Per-round overhead of the platform in federated training (issue 6 "npm run bench adds"): a real
// hub and real node processes on this machine (lib/cluster.mjs, as the latency bench), one `train`
// job of R rounds per size. The round's wall time is read from the hub's own audit log: round k
// runs from its `job.step` entry (the hub opened the step: tasks sealed and stored, nodes woken)
// to the next one (every result in, aggregated, the next step opened), 1 ms resolution, one clock.
// The sites' compute is the same local step timed in this process on the same rows with the same
// input (the job is seeded, so the in-process run replays the real run's rounds), each site alone
// on one thread: the slowest of them is what an ideal platform would take per round.
//   overhead = round wall time − slowest site's compute
// It holds everything the platform adds: dispatch (long-poll wake-up), sealing/opening and
// signatures, the node's policy checks and worker thread, the result's way back, the hub's
// aggregation and its database transaction, and, with more node processes than cores, the sites
// waiting for a core: the "CPU floor" column, max(slowest, sum of the sites' compute / cores),
// separates that queueing from the rest.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cpuPerJob, cpuSnapshot } from './lib/cpu.mjs';
import { DATASET, TRAINING_FEATURES, trainingCsv, trainingTable } from './lib/csv.mjs';
import { progress } from './lib/procs.mjs';

const DIST = fileURLToPath(new URL('../packages/algorithms/dist/', import.meta.url));

/** The timed job's params: a small MLP, so the figure is the platform's, not the arithmetic. */
export function overheadParams(rounds) {
  return {
    outcome: 'y',
    features: TRAINING_FEATURES,
    model: { type: 'mlp', hidden: [16] },
    strategy: { name: 'fedavg' },
    rounds,
    epochs: 1,
    batchSize: 32,
    seed: 5,
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const quantile = (xs, q) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * Runs the job in this process as the hub and nodes would, timing every site's local step alone:
 * per step, the slowest site's and the sum of the sites' wall time (ms).
 */
export async function inProcessSteps(tables, params) {
  const { train, runLocalStep } = await import(`${DIST}index.js`);
  const p = train.params.parse(params);
  const policy = { minCount: 10, allowMinMax: false };
  const steps = [];
  let decision = train.start(p);
  while (decision.kind === 'step') {
    const input = JSON.parse(JSON.stringify(decision.input ?? null));
    const times = [];
    const results = tables.map((table, i) => {
      const ctx = { table, params: p, input, round: steps.length, policy, randomBytes };
      const t0 = performance.now();
      const out = runLocalStep(train, decision.step, ctx);
      times.push(performance.now() - t0);
      const trust = `site-${String(i + 1).padStart(2, '0')}`;
      return out.status === 'ok'
        ? { trust, status: 'ok', output: JSON.parse(JSON.stringify(out.output)) }
        : { trust, status: 'refused', code: out.code, reason: out.reason };
    });
    steps.push({
      step: decision.step,
      slowestMs: Math.max(...times),
      sumMs: times.reduce((s, t) => s + t, 0),
    });
    decision = train.aggregate(
      p,
      JSON.parse(JSON.stringify(decision.state)),
      decision.step,
      results,
    );
  }
  if (decision.kind !== 'done')
    throw new Error(`in-process train: ${decision.code} ${decision.reason}`);
  return steps;
}

/** Every audit entry of the hub (admin), paged. */
async function hubAudit(hub) {
  const all = [];
  for (;;) {
    const after = all.at(-1)?.seq ?? 0;
    const page = await hub.admin.call('GET', `/api/v1/audit?after=${after}&limit=1000`);
    const list = Array.isArray(page) ? page : (page.entries ?? []);
    all.push(...list);
    if (list.length < 1000) return all;
  }
}

/** Submits a train job as the researcher and waits for it to succeed. */
async function runTrain(hub, project, params) {
  const job = await hub.researcher.call('POST', '/api/v1/jobs', {
    project,
    algorithm: 'train',
    datasets: [DATASET],
    params,
  });
  let view = job;
  const until = Date.now() + 600_000;
  while (view.status === 'queued' || view.status === 'running') {
    if (Date.now() > until) throw new Error(`train job ${job.id} still ${view.status} after 600 s`);
    view = await hub.researcher.call('GET', `/api/v1/jobs/${job.id}?wait=30000`);
  }
  if (view.status !== 'succeeded')
    throw new Error(
      `train job ${job.id} ${view.status}: ${JSON.stringify(view.error)} ${JSON.stringify(view.sites)}`,
    );
  return view;
}

/**
 * The per-round figures of one timed job on `n` running nodes: the hub's round wall times from
 * its audit log beside the in-process compute of the same rounds, and the CPU the hub and node
 * processes (`pids`: [{ label, pid }]) spent per step of the job (from /proc).
 */
export async function measureOverhead(hub, { n, project, rows, rounds, pids }) {
  const tables = Array.from({ length: n }, (_, i) => trainingTable(trainingCsv(rows, 1000 + i)));
  const params = overheadParams(rounds);
  // Warm-up as long as the timed job, on both sides: V8 optimises the hub's and the nodes' code
  // and tiers up PGlite's WebAssembly over some hundreds of calls, and a hub and nodes that run
  // for weeks pay none of that per round (the latency bench warms up with 20 jobs for the same
  // reason); the in-process compute is warmed alike, so neither side is measured cold.
  progress(`training overhead, ${n} nodes: warm-up job (${rounds} rounds), in-process warm-up`);
  await runTrain(hub, project, overheadParams(rounds));
  await inProcessSteps(tables, overheadParams(rounds));
  progress(`training overhead, ${n} nodes: timed job (${rounds} rounds)`);
  const before = cpuSnapshot(pids);
  const view = await runTrain(hub, project, params);
  const after = cpuSnapshot(pids);
  const local = await inProcessSteps(tables, params);
  const steps = (await hubAudit(hub))
    .filter((e) => e.action === 'job.step' && e.target === `job:${view.id}`)
    .map((e) => ({ step: e.details.step, at: Date.parse(e.at) }));
  if (steps.length !== local.length)
    throw new Error(`hub opened ${steps.length} steps, the in-process run ${local.length}`);
  const cores = availableParallelism();
  const perRound = [];
  for (let k = 0; k < steps.length - 1; k++) {
    if (steps[k].step !== 'round') continue;
    const wall = steps[k + 1].at - steps[k].at;
    const { slowestMs, sumMs } = local[k];
    const floor = Math.max(slowestMs, sumMs / cores);
    perRound.push({
      wall,
      slowest: slowestMs,
      sum: sumMs,
      overhead: wall - slowestMs,
      beyondFloor: wall - floor,
    });
  }
  const pick = (key) => perRound.map((r) => r[key]);
  // Per step: the timed job's CPU over its steps (prepare, rounds, evaluate; near enough alike).
  const cpu = cpuPerJob(before, after, steps.length);
  return {
    cpu:
      cpu === null
        ? null
        : {
            hub: cpu.hub,
            nodes: cpu.nodeSum,
            platform: cpu.hub + cpu.nodeSum,
            floor: (cpu.hub + cpu.nodeSum) / cores,
          },
    n,
    rows,
    rounds: perRound.length,
    cores,
    wall: { median: median(pick('wall')), mean: mean(pick('wall')) },
    slowest: { median: median(pick('slowest')) },
    sum: { median: median(pick('sum')) },
    overhead: {
      median: median(pick('overhead')),
      mean: mean(pick('overhead')),
      p95: quantile(pick('overhead'), 0.95),
      min: Math.min(...pick('overhead')),
    },
    beyondFloor: { median: median(pick('beyondFloor')) },
    accuracy: view.result.final.accuracy,
  };
}
