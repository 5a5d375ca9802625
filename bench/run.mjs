// `npm run bench` (issue 2, STYLE 20): envelope seal+open throughput, the latency of a trivial
// one-step job with 3 and 10 real node processes, and (issue 3) logistic regression on 1,000,000
// rows × 10 covariates over 5 sites, (issue 5) the secure-aggregation core and the whole
// secure-aggregation protocol against plain aggregation, (issue 6) federated training: per-round
// platform overhead with 3 and 10 real node processes, local training throughput and rounds to a
// target accuracy. Figures go to stdout, progress to stderr.
//
//   node bench/run.mjs [--jobs 50] [--warmup 20] [--sites 3,10] [--rows 200] [--profile]
//                      [--cpu-prof] [--database-url URL] [--keep] [--train-rounds 20]
//                      [--train-rows 500]
//                      [--only envelope|latency|glm|guard|secagg|secagg-flow|learning|training]
//
// --profile breaks each job's latency down from the hub's and nodes' audit timestamps and the
//   hub's request log (lib/profile.mjs).
// --cpu-prof runs hub and nodes under V8's CPU profiler and sums where their time went
//   (lib/cpu-prof.mjs).
// --database-url runs the hub on PostgreSQL (a fresh database is created beside the one named,
//   and dropped after) instead of the embedded PGlite default.
// --keep leaves the temp folder (hub, nodes, logs) in place for inspection.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchEnvelope } from './envelope.mjs';
import { benchGlm } from './glm.mjs';
import { benchLearning } from './learning.mjs';
import { measureOverhead } from './training.mjs';
import { benchConvergence } from './training-convergence.mjs';
import { benchSecagg, secaggRows } from './secagg.mjs';
import { benchSecaggFlow, secaggFlowReport } from './secagg-flow.mjs';
import { cpuProfileReport, enableCpuProfiles } from './lib/cpu-prof.mjs';
import { cpuPerJob, cpuSnapshot } from './lib/cpu.mjs';
import { machine, ms, stats, table } from './lib/format.mjs';
import { runJobs } from './lib/latency.mjs';
import { createProcs, progress, tail } from './lib/procs.mjs';
import { hubEvents, hubRequestReport, nodeEvents, profileReport } from './lib/profile.mjs';

const ENVELOPE_TARGET_MBS = 500;
const LATENCY_TARGET_MS = 100;
const LATENCY_TARGET_SITES = 10;
const GLM_TARGET_ROWS_PER_SECOND = 5e6;
const SECAGG_HUB_TARGET_MS = 1000;
const TRAIN_OVERHEAD_TARGET_MS = 100;
const TRAIN_OVERHEAD_TARGET_SITES = 10;
/** FLIP's published figures per round (2 sites, 50 rounds): aggregation plus time between rounds. */
const FLIP_ROUND_OVERHEAD_MS = 190 + 190;

const { values: opt } = parseArgs({
  options: {
    jobs: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '20' },
    sites: { type: 'string', default: '3,10' },
    rows: { type: 'string', default: '200' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'database-url': { type: 'string' },
    keep: { type: 'boolean', default: false },
    'train-rounds': { type: 'string', default: '20' },
    'train-rows': { type: 'string', default: '500' },
  },
});
const jobs = Number(opt.jobs);
const warmup = Number(opt.warmup);
const rows = Number(opt.rows);
const sizes = [...new Set(opt.sites.split(',').map(Number))].sort((a, b) => a - b);
const trainRounds = Number(opt['train-rounds']);
const trainRows = Number(opt['train-rows']);
const whole = (v, min) => Number.isInteger(v) && v >= min;
if (
  !whole(jobs, 1) ||
  !whole(warmup, 0) ||
  !whole(rows, 10) ||
  !sizes.every((v) => whole(v, 1)) ||
  !whole(trainRounds, 2) ||
  !whole(trainRows, 100)
) {
  process.stderr.write(
    'bench: --jobs ≥ 1, --warmup ≥ 0, --rows ≥ 10, --sites a list of counts ≥ 1, ' +
      '--train-rounds ≥ 2, --train-rows ≥ 100\n',
  );
  process.exit(2);
}

/** PASS/FAIL against a binding target; above/below for an informative one. */
const verdict = (pass, binding) =>
  binding ? (pass ? 'PASS' : 'FAIL') : pass ? 'meets (info)' : 'misses (info)';

const procs = createProcs();
const cores = availableParallelism();
const started = Date.now();
const summary = [];
let benchDir = null;

function envelopeSection() {
  progress('envelope seal+open (a few seconds)');
  const rowsOut = benchEnvelope().map((r) => {
    const pass = r['seal+open MB/s'] >= ENVELOPE_TARGET_MBS;
    const binding = r.form === 'binary';
    summary.push(
      `envelope ${r.payload} ${r.form}: seal ${r['seal MB/s']} MB/s, open ${r['open MB/s']} MB/s, ` +
        `seal+open ${r['seal+open MB/s']} MB/s = ${(r['seal+open MB/s'] / ENVELOPE_TARGET_MBS).toFixed(2)}× ` +
        `target${binding ? '' : ' (not binding)'} → ${verdict(pass, binding)}`,
    );
    return {
      ...r,
      target: `≥ ${ENVELOPE_TARGET_MBS}${binding ? '' : ' (info)'}`,
      verdict: verdict(pass, binding),
    };
  });
  process.stdout.write(`\n## Envelope seal+open throughput (MB = 2^20 bytes)\n\n${table(rowsOut)}`);
}

async function glmSection() {
  progress('logistic regression: 1,000,000 rows × 10 covariates over 5 sites, in process');
  const r = await benchGlm();
  const mrs = (v) => (v / 1e6).toFixed(2);
  let newton = 0;
  const out = r.rounds.map((x) => ({
    round: x.step === 'newton' ? `newton ${++newton}` : x.step,
    'sites wall ms': ms(x.localMs),
    'sites CPU ms': ms(x.cpuMs),
    'slowest site wall ms': ms(x.slowestMs),
    'M rows/s per core (CPU)': mrs(x.rowsPerSecond),
    'M rows/s (wall)': mrs(x.wallRowsPerSecond),
  }));
  const pass = r.steadyRowsPerSecond >= GLM_TARGET_ROWS_PER_SECOND;
  process.stdout.write(
    `\n## Logistic regression, ${r.rows} rows × ${r.covariates} covariates over ${r.sites} sites\n\n` +
      `Measured in one process on the compiled @tessera/algorithms: the hub part and every site's ` +
      `local step (run + disclosure check, JSON round trips between them), each site's step run ` +
      `alone on one thread; rows / the steps' CPU time (process.cpuUsage) is the node's Newton ` +
      `throughput per core, which other load on the machine does not lower much (wall shown too). ` +
      `No transport, sealing or worker start-up; newton 1 includes building each site's design.\n\n` +
      table(out) +
      `\nNewton rounds ${r.newtonRounds}, wall time ${ms(r.wallMs)} ms (sites run one after another), ` +
      `steady-state node throughput (newton 2…) ${mrs(r.steadyRowsPerSecond)} M rows/s per core ` +
      `(${mrs(r.steadyWallRowsPerSecond)} by wall time) ` +
      `(target ≥ ${mrs(GLM_TARGET_ROWS_PER_SECOND)}) → ${verdict(pass, true)}\n`,
  );
  summary.push(
    `logistic regression ${r.rows} rows × ${r.covariates} covariates, ${r.sites} sites (in process): ` +
      `${r.newtonRounds} Newton rounds, wall ${ms(r.wallMs)} ms, node ${mrs(r.steadyRowsPerSecond)} M rows/s ` +
      `per core per round by CPU time (${mrs(r.steadyWallRowsPerSecond)} by wall; first round with ` +
      `design build ${mrs(r.firstRoundRowsPerSecond)}) = ` +
      `${(r.steadyRowsPerSecond / GLM_TARGET_ROWS_PER_SECOND).toFixed(2)}× target → ${verdict(pass, true)}`,
  );
}

/** bench/learning.mjs's figures, measured once per run (the learning and training sections). */
let learningFigures = null;
async function learningOnce() {
  if (learningFigures === null) {
    progress('local training: MLP 100 → 256 → 256 → 2, Adam, batches of 32, one thread');
    learningFigures = await benchLearning();
  }
  return learningFigures;
}

/** Local training throughput of an MLP of about 100k parameters (groundwork for issue 6). */
async function learningSection() {
  const f = await learningOnce();
  const line =
    `local training, MLP 100 → 256 → 256 → 2 (${f.parameters} parameters), Adam, batch 32: ` +
    `${Math.round(f.examplesPerSecond)} examples/s per CPU second, ` +
    `${Math.round(f.wallExamplesPerSecond)} per wall second (${f.examples} examples)`;
  process.stdout.write(`\n## Local training (bench/learning.mjs)\n\n${line}\n`);
  summary.push(line);
}

/**
 * The differencing guard's cost, from bench/guard.mjs in a child process (its own options): 200
 * remembered cohorts here to keep the run short; `node bench/guard.mjs` alone uses 1,000.
 */
function guardSection() {
  progress('differencing guard: 1,000,000 rows against 200 remembered cohorts');
  const script = fileURLToPath(new URL('./guard.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script, '--remembered', '200'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/guard.mjs failed: ${r.stderr.slice(-2000)}`);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('  '));
  process.stdout.write(
    `\n## Differencing guard (bench/guard.mjs --remembered 200)\n\n${lines.join('\n')}\n`,
  );
  const worst = lines.find((l) => l.includes('full scan'));
  if (worst !== undefined)
    summary.push(
      `differencing guard, worst-case check of 1,000,000 rows:${worst.split(':').pop() ?? ''}`,
    );
}

/**
 * The secure-aggregation core (bench/secagg.mjs): 10 parties × 1,000,000 values with 0 and 2
 * dropouts (the binding target: the hub unmasks in under 1 s on one core) and 100 parties ×
 * 100,000 values with 0 and 10 dropouts.
 */
function secaggSection() {
  const cases = [
    { parties: 10, length: 1_000_000, dropouts: [0, 2], binding: true },
    { parties: 100, length: 100_000, dropouts: [0, 10], binding: false },
  ];
  for (const c of cases) {
    progress(`secure aggregation: ${c.parties} parties × ${c.length} values, in process`);
    const r = benchSecagg(c);
    const rows = secaggRows(r);
    const hubRows = rows.hub.map((h, i) => {
      const pass = (r.hub[i]?.totalMs ?? Infinity) < SECAGG_HUB_TARGET_MS;
      return {
        ...h,
        target: `total < ${SECAGG_HUB_TARGET_MS}${c.binding ? '' : ' (info)'}`,
        verdict: verdict(pass, c.binding),
      };
    });
    const kib = (b) => `${(b / 1024).toFixed(0)} KiB`;
    process.stdout.write(
      `\n## Secure aggregation, ${r.parties} parties × ${r.length} float32 values ` +
        `(t = ${r.threshold}, scale 2^-20, one thread)\n\n${table(rows.party)}\n${table(hubRows)}` +
        `\nPlain hub (sum of ${r.parties} Float64Arrays): ${ms(r.plainHubMs)} ms. One masked vector ` +
        `on the wire: ${r.wire.binaryBytes} bytes binary (${kib(r.wire.binaryBytes)}), ` +
        `${r.wire.base64urlBytes} base64url (encoded in ${ms(r.wire.base64urlMs)} ms); the plain ` +
        `float32 vector is ${r.wire.float32Bytes} bytes.\n`,
    );
    const p = r.perParty;
    summary.push(
      `secure aggregation ${r.parties} × ${r.length} (t = ${r.threshold}, in process, one thread): ` +
        `per party encode ${ms(p.encode.mean)} ms + mask ${ms(p.mask.mean)} ms (max ${ms(p.mask.max)}), ` +
        `key/share set-up ${ms(p.setup.mean)} ms, pairwise seeds ${ms(p.seeds.mean)} ms; hub ` +
        r.hub
          .map(
            (h) =>
              `${h.dropouts} dropouts ${ms(h.totalMs)} ms (CPU ${ms(h.cpuMs)}, seeds ${ms(h.rebuildMs)})`,
          )
          .join(', ') +
        ` vs plain sum ${ms(r.plainHubMs)} ms; masked vector ${r.wire.binaryBytes} B binary, ` +
        `${r.wire.base64urlBytes} B base64url` +
        (c.binding
          ? `; hub target < ${SECAGG_HUB_TARGET_MS} ms → ` +
            verdict(
              r.hub.every((h) => h.totalMs < SECAGG_HUB_TARGET_MS),
              true,
            )
          : ''),
    );
  }
}

/**
 * The whole secure-aggregation protocol against plain aggregation (bench/secagg-flow.mjs): 10
 * nodes × 1,000,000 values with no dropouts, 2 stopping after the masked step and 2 before it
 * (binding: ≤ 3× the plain wall time, hub under 1 s), and 100 nodes × 100,000 values.
 */
async function secaggFlowSection() {
  const cases = [
    {
      nodes: 10,
      length: 1_000_000,
      binding: true,
      scenarios: [
        { stopAfterMasked: 0, stopAfterShares: 0 },
        { stopAfterMasked: 2, stopAfterShares: 0 },
        { stopAfterMasked: 0, stopAfterShares: 2 },
      ],
    },
    {
      nodes: 100,
      length: 100_000,
      binding: false,
      scenarios: [{ stopAfterMasked: 0, stopAfterShares: 0 }],
    },
  ];
  for (const c of cases) {
    progress(
      `secure aggregation, whole protocol: ${c.nodes} nodes × ${c.length} values, in process`,
    );
    const { text, summary: lines } = secaggFlowReport(await benchSecaggFlow(c), c.binding, verdict);
    process.stdout.write(text);
    summary.push(...lines);
  }
}

/**
 * Federated training (issue 6): per-round platform overhead with real hub and node processes
 * (bench/training.mjs), local training throughput per site (bench/learning.mjs) and rounds to a
 * target accuracy per strategy (bench/training-convergence.mjs).
 */
async function trainingSection() {
  const f = await learningOnce();
  const perSite =
    `training throughput per site, MLP 100 → 256 → 256 → 2 (${f.parameters} parameters), Adam, ` +
    `batch 32, one thread: ${Math.round(f.examplesPerSecond)} examples/s per CPU second, ` +
    `${Math.round(f.wallExamplesPerSecond)} per wall second`;

  progress('rounds to target: two-moons, 3 label-skewed sites, MLP 2 → 16 → 2, in process');
  const c = await benchConvergence({ rounds: 30, target: 0.95 });
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  const convRows = c.runs.map((r) => ({
    strategy: Object.entries(r.strategy)
      .map(([k, v]) => (k === 'name' ? v : `${k} ${v}`))
      .join(' '),
    [`rounds to ${pct(c.goal)}`]: r.roundsToTarget ?? `> ${c.rounds}`,
    'accuracy after 30': pct(r.final),
    'best accuracy': pct(r.best),
    'vs central': `${(r.final / c.central).toFixed(3)}×`,
    'job ms (in process)': ms(r.wallMs),
  }));

  const { createProject, mapLimit, prepareNode, startHub, startNodes, waitEnrolled } =
    await import('./lib/cluster.mjs');
  const { trainingCsv } = await import('./lib/csv.mjs');
  const base = procs.tempDir('tessera-bench-train-', opt.keep);
  benchDir = base;
  progress(`training overhead: hub and up to ${sizes.at(-1)} nodes in ${base}`);
  if (opt['cpu-prof']) enableCpuProfiles(join(base, 'cpuprof'));
  const hub = await startHub(procs, base, undefined);
  const maxN = sizes.at(-1);
  const names = Array.from({ length: maxN }, (_, i) => `site-${String(i + 1).padStart(2, '0')}`);
  const project = (n) => `train-${n}`;
  const nodes = await mapLimit(names, 3, (name, i) =>
    prepareNode(
      hub,
      base,
      name,
      i,
      trainRows,
      sizes.filter((n) => n > i).map(project),
      trainingCsv,
    ),
  );
  for (const n of sizes) await createProject(hub, project(n), names.slice(0, n));
  const results = [];
  let running = [];
  for (const n of sizes) {
    running = running.concat(await startNodes(procs, base, nodes.slice(running.length, n)));
    await waitEnrolled(hub, names.slice(0, n));
    const pids = [
      { label: 'hub', pid: hub.proc.pid },
      ...running.map((r) => ({ label: r.name, pid: r.proc.pid })),
    ];
    results.push(
      await measureOverhead(hub, {
        n,
        project: project(n),
        rows: trainRows,
        rounds: trainRounds,
        pids,
      }),
    );
  }
  await hub.admin.close();
  await hub.researcher.close();
  if (opt['cpu-prof']) {
    progress('cpu-prof: stopping hub and nodes so they write their profiles');
    await procs.stopAll();
    const roles = new Map([[hub.proc.pid, 'hub'], ...running.map((r) => [r.proc.pid, 'node'])]);
    process.stdout.write(
      `\n### CPU profiles of the training section (whole process lives)\n` +
        cpuProfileReport(join(base, 'cpuprof'), roles),
    );
  }

  const overheadRows = results.map((r) => {
    const binding = r.n === TRAIN_OVERHEAD_TARGET_SITES;
    return {
      nodes: r.n,
      rounds: r.rounds,
      'round wall ms (median)': ms(r.wall.median),
      'slowest site ms': ms(r.slowest.median),
      'sum of sites ms': ms(r.sum.median),
      'overhead ms median': ms(r.overhead.median),
      p95: ms(r.overhead.p95),
      mean: ms(r.overhead.mean),
      [`beyond CPU floor (${r.cores} cores)`]: ms(r.beyondFloor.median),
      'platform CPU ms/round (hub + nodes)':
        r.cpu === null ? '—' : `${ms(r.cpu.platform)} (${ms(r.cpu.hub)} + ${ms(r.cpu.nodes)})`,
      [`CPU floor ms (/ ${r.cores})`]: r.cpu === null ? '—' : ms(r.cpu.floor),
      'vs FLIP 380 ms': `${(r.overhead.median / FLIP_ROUND_OVERHEAD_MS).toFixed(2)}×`,
      target: `< ${TRAIN_OVERHEAD_TARGET_MS}${binding ? '' : ' (info)'}`,
      verdict: verdict(r.overhead.median < TRAIN_OVERHEAD_TARGET_MS, binding),
    };
  });
  process.stdout.write(
    `\n## Federated training\n\n### Per-round platform overhead (bench/training.mjs)\n\n` +
      `A \`train\` job of ${trainRounds} rounds (MLP 4 → 16 → 2, FedAvg, ${trainRows} rows per ` +
      `node) on a real hub (PGlite) and real node processes over TLS on loopback. Round wall time ` +
      `from the hub's audit log (one \`job.step\` to the next); the sites' compute is the same ` +
      `local step timed in this process on the same rows and input. overhead = round wall − ` +
      `slowest site; "beyond CPU floor" subtracts max(slowest, sum of sites / cores) instead, ` +
      `leaving what is not the sites queueing for a core. Platform CPU per round: the hub's and ` +
      `the nodes' CPU time over the timed job (/proc, 10 ms ticks) per step; divided by the ` +
      `cores it is a floor under the round time on this machine. FLIP publishes 0.19 s aggregation + ` +
      `0.19 s between rounds (2 sites).\n\n${table(overheadRows)}` +
      `\n### Training throughput per site (bench/learning.mjs)\n\n${perSite}\n` +
      `\n### Rounds to a target accuracy (bench/training-convergence.mjs)\n\n` +
      `Two moons over 3 label-skewed sites (${c.rows.join(', ')} rows), MLP 2 → 16 → 2, SGD ` +
      `η 0.05 momentum 0.9, batch 16, 1 epoch a round, in process (simulateJob). Central: the ` +
      `same model on the pooled training splits for 30 epochs, ${pct(c.central)} on the pooled ` +
      `validation splits; target ${pct(c.target)} of it = ${pct(c.goal)}.\n\n${table(convRows)}`,
  );
  for (const r of results) {
    const binding = r.n === TRAIN_OVERHEAD_TARGET_SITES;
    summary.push(
      `training round overhead ${r.n} nodes (${r.rounds} rounds, ${r.rows} rows each): median ` +
        `${ms(r.overhead.median)} ms (p95 ${ms(r.overhead.p95)}), round wall ${ms(r.wall.median)} ms, ` +
        `slowest site ${ms(r.slowest.median)} ms, beyond CPU floor ${ms(r.beyondFloor.median)} ms` +
        (r.cpu === null
          ? ''
          : `, platform CPU ${ms(r.cpu.platform)} ms/round (hub ${ms(r.cpu.hub)}) → floor ${ms(r.cpu.floor)} ms on ${r.cores} cores`) +
        '; ' +
        `${(r.overhead.median / TRAIN_OVERHEAD_TARGET_MS).toFixed(2)}× the ${TRAIN_OVERHEAD_TARGET_MS} ms ` +
        `target${binding ? '' : ' (not binding)'}, ${(r.overhead.median / FLIP_ROUND_OVERHEAD_MS).toFixed(2)}× ` +
        `FLIP's 380 ms → ${verdict(r.overhead.median < TRAIN_OVERHEAD_TARGET_MS, binding)}`,
    );
  }
  summary.push(perSite);
  summary.push(
    `rounds to ${pct(c.goal)} (${pct(c.target)} of central ${pct(c.central)}), two moons, 3 skewed sites: ` +
      c.runs.map((r) => `${r.strategy.name} ${r.roundsToTarget ?? `> ${c.rounds}`}`).join(', '),
  );
}

/**
 * DICOM receiving (issue 7): storescu → a real node (de-identify, store, index before each
 * answer) over 1 and 8 associations, and the same files to Orthanc on spare ports (bench/dicom.mjs).
 */
async function dicomSection() {
  const { benchDicom, dicomToolsPresent } = await import('./dicom.mjs');
  const tools = dicomToolsPresent();
  if (!tools.storescu) {
    const line = 'dicom: skipped — storescu not installed (apt-get install -y dcmtk orthanc)';
    progress(line);
    summary.push(line);
    return;
  }
  const base = procs.tempDir('tessera-bench-dicom-', opt.keep);
  benchDir = base;
  const r = await benchDicom(procs, base, {});
  const ratioOf = (n) => r.ratios.find((x) => x.associations === n)?.['tessera/orthanc inst/s'];
  const rowsOut = r.rows.map((x) => {
    const ratio = x.receiver === 'tessera' ? ratioOf(x.associations) : null;
    return {
      ...x,
      'vs orthanc': ratio == null ? '' : `${ratio}×`,
      verdict: ratio == null ? '' : ratio >= 1 ? 'PASS' : 'FAIL',
    };
  });
  process.stdout.write(
    `\n## DICOM receiving (bench/dicom.mjs)\n\nstorescu (dcmtk, TCP_NODELAY=1) sends ` +
      `${r.rows[0]?.instances ?? 0} synthetic CT instances (${r.rows[0]?.MB ?? 0} MB) to a fresh ` +
      `\`tessera node start\` receiver, which parses, de-identifies (PS3.15 Basic Profile), writes ` +
      `and indexes each instance before answering it; then to Orthanc ${tools.orthanc ? '' : '(not installed) '}` +
      `with a fresh storage folder, which stores without de-identifying. Peak memory: VmHWM of the ` +
      `receiving process. Target: Tessera at least Orthanc's rate.\n\n${table(rowsOut)}`,
  );
  for (const x of r.rows) {
    const ratio = x.receiver === 'tessera' ? ratioOf(x.associations) : null;
    summary.push(
      `dicom ${x.receiver}, ${x.associations} association(s): ${x['inst/s']} instances/s, ` +
        `${x['MB/s']} MB/s, peak ${x['peak MiB']} MiB` +
        (ratio == null ? '' : `; ${ratio}× Orthanc → ${ratio >= 1 ? 'PASS' : 'FAIL'}`),
    );
  }
}

async function latencySection() {
  // Loaded here so that `--only envelope` runs even while the CLI does not build.
  const {
    createProject,
    freshPostgres,
    mapLimit,
    prepareNode,
    startHub,
    startNodes,
    waitEnrolled,
  } = await import('./lib/cluster.mjs');
  const base = procs.tempDir('tessera-bench-', opt.keep);
  benchDir = base;
  progress(`latency: hub and up to ${sizes.at(-1)} nodes in ${base}`);
  if (opt['cpu-prof']) enableCpuProfiles(join(base, 'cpuprof'));
  const dbUrl =
    opt['database-url'] === undefined ? undefined : await freshPostgres(procs, opt['database-url']);
  progress(`hub database: ${dbUrl === undefined ? 'PGlite (embedded default)' : 'PostgreSQL'}`);
  const hub = await startHub(procs, base, dbUrl);
  const maxN = sizes.at(-1);
  const names = Array.from({ length: maxN }, (_, i) => `site-${String(i + 1).padStart(2, '0')}`);
  const project = (n) => `bench-${n}`;
  progress(`preparing ${maxN} node folders (trust, init, dataset import, approve)`);
  const nodes = await mapLimit(names, 3, (name, i) =>
    prepareNode(hub, base, name, i, rows, sizes.filter((n) => n > i).map(project)),
  );
  for (const n of sizes) await createProject(hub, project(n), names.slice(0, n));

  const results = [];
  let running = [];
  for (const n of sizes) {
    progress(`starting nodes ${running.length + 1}..${n}`);
    running = running.concat(await startNodes(procs, base, nodes.slice(running.length, n)));
    await waitEnrolled(hub, names.slice(0, n));
    progress(`${n} nodes: ${warmup} warm-up + ${jobs} timed jobs`);
    const run = { project: project(n), sites: n, rows };
    await runJobs(hub.researcher, { ...run, jobs: 0, warmup });
    const pids = [
      { label: 'hub', pid: hub.proc.pid },
      ...running.map((r) => ({ label: r.name, pid: r.proc.pid })),
    ];
    const before = cpuSnapshot(pids);
    const samples = await runJobs(hub.researcher, { ...run, jobs, warmup: 0 });
    const cpu = cpuPerJob(before, cpuSnapshot(pids), jobs);
    results.push({ n, st: stats(samples.map((s) => s.totalMs)), samples, cpu });
  }
  await hub.admin.close();
  await hub.researcher.close();
  return { results, hub, nodes: running };
}

/** Stops the hub (its PGlite database is single-process), then prints each size's profile. */
async function printProfiles(hub, nodes, results) {
  progress('profile: stopping the hub to read its audit log');
  await hub.proc.stop(10_000);
  const traceIds = results.flatMap((r) => r.samples.map((s) => s.traceId));
  const fromHub = await hubEvents(hub, traceIds);
  if (fromHub.error !== null) progress(`profile: hub audit not read (${fromHub.error})`);
  const events = nodeEvents(nodes);
  for (const [id, evs] of fromHub.byTrace) events.set(id, [...(events.get(id) ?? []), ...evs]);
  for (const { n, samples } of results) {
    process.stdout.write(
      `\n### Profile, ${n} nodes\n\n${profileReport(samples, n, events)}\n` +
        hubRequestReport(join(benchDir, 'hub.log'), samples),
    );
  }
}

const dbKind = () => (opt['database-url'] === undefined ? 'PGlite' : 'PostgreSQL');

/** CPU time per job of each process, and the latency floor it implies on this machine. */
function printCpu(results) {
  const out = results
    .filter((r) => r.cpu !== null)
    .map(({ n, cpu }) => ({
      nodes: n,
      'hub ms': ms(cpu.hub),
      'node mean ms': ms(cpu.nodeMean),
      'node max ms': ms(cpu.nodeMax),
      'nodes sum ms': ms(cpu.nodeSum),
      'client ms': ms(cpu.client),
      'total ms': ms(cpu.total),
      [`floor ms (total / ${cores} cores)`]: ms(cpu.total / cores),
    }));
  if (out.length === 0) return;
  process.stdout.write(
    `\n## CPU time per job (from /proc, 10 ms ticks, over the timed jobs)\n\n${table(out)}`,
  );
}

function printLatency(results) {
  const out = results.map(({ n, st }) => ({
    nodes: n,
    jobs: st.n,
    'p50 ms': ms(st.p50),
    'p95 ms': ms(st.p95),
    'mean ms': ms(st.mean),
    'min ms': ms(st.min),
    'max ms': ms(st.max),
    target: `p50 < ${LATENCY_TARGET_MS}${n === LATENCY_TARGET_SITES ? '' : ' (info)'}`,
    verdict: verdict(st.p50 < LATENCY_TARGET_MS, n === LATENCY_TARGET_SITES),
  }));
  process.stdout.write(
    `\n## Job latency, submit → result (hub on ${dbKind()}; summary of 1 variable, ` +
      `${rows} rows per node, ` +
      `${warmup} warm-up jobs, sequential)\n\n${table(out)}`,
  );
  printCpu(results);
  for (const { n, st, cpu } of results) {
    summary.push(
      `job latency ${n} nodes, hub on ${dbKind()} (${st.n} jobs): p50 ${ms(st.p50)} ms, p95 ${ms(st.p95)} ms, ` +
        `mean ${ms(st.mean)} ms, min ${ms(st.min)} ms, max ${ms(st.max)} ms; p50 = ` +
        `${(st.p50 / LATENCY_TARGET_MS).toFixed(2)}× the ${LATENCY_TARGET_MS} ms target` +
        `${n === LATENCY_TARGET_SITES ? '' : ' (not binding)'} → ` +
        verdict(st.p50 < LATENCY_TARGET_MS, n === LATENCY_TARGET_SITES),
    );
    if (cpu !== null) {
      summary.push(
        `CPU per job ${n} nodes: hub ${ms(cpu.hub)} ms, each node ${ms(cpu.nodeMean)} ms ` +
          `(sum ${ms(cpu.nodeSum)} ms), client ${ms(cpu.client)} ms, total ${ms(cpu.total)} ms ` +
          `→ floor ${ms(cpu.total / cores)} ms on ${cores} cores`,
      );
    }
  }
  if (results.length >= 2) {
    const a = results[0];
    const b = results.at(-1);
    summary.push(
      `latency ratio ${b.n} vs ${a.n} nodes: p50 ×${(b.st.p50 / a.st.p50).toFixed(2)}, ` +
        `p95 ×${(b.st.p95 / a.st.p95).toFixed(2)}`,
    );
  }
}

async function main() {
  const m = machine();
  process.stdout.write(
    `# Tessera bench\n\n${table(Object.entries(m).map(([k, v]) => ({ machine: k, value: v })))}`,
  );
  const load = loadavg()[0];
  if (load > cores / 2) {
    const warning =
      `WARNING: the machine was busy when the bench started (load ${load.toFixed(2)} on ` +
      `${cores} cores): every figure below is pessimistic; rerun on a quiet machine to quote them`;
    progress(warning);
    summary.push(warning);
  }
  if (opt.only === undefined || opt.only === 'envelope') envelopeSection();
  if (opt.only === undefined || opt.only === 'glm') await glmSection();
  if (opt.only === undefined || opt.only === 'guard') guardSection();
  if (opt.only === undefined || opt.only === 'learning') await learningSection();
  if (opt.only === undefined || opt.only === 'training') await trainingSection();
  if (opt.only === undefined || opt.only === 'secagg') secaggSection();
  if (opt.only === undefined || opt.only === 'secagg-flow') await secaggFlowSection();
  if (opt.only === undefined || opt.only === 'dicom') await dicomSection();
  if (opt.only === undefined || opt.only === 'latency') {
    const lat = await latencySection();
    printLatency(lat.results);
    if (opt.profile) await printProfiles(lat.hub, lat.nodes, lat.results);
    if (opt['cpu-prof']) {
      progress('cpu-prof: stopping hub and nodes so they write their profiles');
      await procs.stopAll();
      const roles = new Map([
        [lat.hub.proc.pid, 'hub'],
        ...lat.nodes.map((n) => [n.proc.pid, 'node']),
      ]);
      process.stdout.write(
        `\n### CPU profiles (whole process lives: start-up, set-up, warm-up and timed jobs)\n` +
          cpuProfileReport(join(benchDir, 'cpuprof'), roles),
      );
    }
  }
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(
    `\n## Summary\n\n` +
      `machine: ${m.cpu}, ${m.cores} cores, ${m.memory}, Node ${m.node}, ${m.platform}, ${m.date}; ` +
      `load 1/5/15 min at start ${m['load 1/5/15 min']}, at end ${machine()['load 1/5/15 min']}\n` +
      `${summary.join('\n')}\nbench wall time: ${secs} s\n`,
  );
}

/** The last lines of every process log, so a failed run explains itself before teardown. */
function showLogs(dir) {
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.log'))
    .sort()) {
    progress(`${f}: ${tail(join(dir, f), 8)}`);
  }
  if (!opt.keep) progress('run with --keep to keep the hub and node folders and logs');
}

main().then(
  async () => {
    await procs.teardown();
    progress(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    process.exit(0);
  },
  async (e) => {
    progress(`FAILED: ${e instanceof Error ? e.message : String(e)}`);
    if (benchDir !== null) showLogs(benchDir);
    await procs.teardown();
    process.exit(1);
  },
);
