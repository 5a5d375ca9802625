// Secure aggregation through the whole protocol (issue 5 "Done when"): n sites × `length` float32
// values summed plainly and with secure aggregation (phases keys, shares, masked, unmask: X25519
// keys signed with Ed25519, Shamir shares sealed node to node, AES-CTR masks, fixed point 2^-20 in
// Z_(2^64)), driven in one process on the compiled @tessera/algorithms with the hub's own
// secureAlgorithm and the node's own runSecureStep — the calls the hub and node make, without
// transport. Every message crosses as the wire carries it: JSON text, masked vectors base64url.
//
//   node bench/secagg-flow.mjs [--nodes 10] [--length 1000000] [--stop-after-masked N]
//                              [--stop-after-shares N]
//
// Sites run one after another on this one thread. Not included: TLS, the sealed and signed
// task/result envelopes around each message, the database, the node's persisting of its secure
// state, worker start-up. The timings are wall (performance.now) and CPU (process.cpuUsage).
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fromB64u, generatePartyKeys, toB64u } from '@tessera/protocol';
import { z } from 'zod';
import { ms, table } from './lib/format.mjs';
import { makeValues } from './lib/values.mjs';
import { siteInput } from '../packages/hub/dist/orchestrator/site-input.js';

const DIST = fileURLToPath(new URL('../packages/algorithms/dist/', import.meta.url));
const STEP = 'vector';
const JOB_ID = '00000000-0000-4000-8000-00000000b00c';
const POLICY = { minCount: 10, allowMinMax: false };
export const PHASES = ['keys', 'shares', 'masked', 'unmask'];

/**
 * The vector of an output: JSON numbers, float32 bytes in base64url, or (the pooled output the
 * secure wrapper hands to aggregate) the decoded Float64Array.
 */
function vectorOf(output) {
  if (Array.isArray(output.values) || output.values instanceof Float64Array) return output.values;
  const b = fromB64u(output.f32);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/**
 * The bench algorithm: one local step `vector` returning the site's column `v` (as JSON numbers,
 * or with `encoding: 'f32'` as float32 bytes base64url), and an aggregate that sums the vectors of
 * the ok sites in Float64. No disclosure rule beyond minCount rows: a bench, not a release.
 */
const vectorSum = {
  name: 'bench-vector-sum',
  version: '0.0.0',
  description: 'bench only: the elementwise sum of one numeric column over the sites',
  params: z.object({ encoding: z.enum(['json', 'f32']).default('json') }).strict(),
  variables: () => ['v'],
  start: () => ({ kind: 'step', step: STEP, input: null, state: null }),
  local: {
    [STEP]: {
      run: ({ table, params }) => {
        const v = table.columns.v.values;
        if (params.encoding === 'json') return { values: Array.from(v) };
        const f = Float32Array.from(v);
        return { f32: toB64u(new Uint8Array(f.buffer)) };
      },
      disclose: (output) => ({ status: 'ok', output }),
    },
  },
  aggregate: (_params, _state, step, results) => {
    if (step !== STEP) return { kind: 'failed', code: 'BAD_STEP', reason: `no step ${step}` };
    const ok = results.filter((r) => r.status === 'ok');
    if (ok.length === 0) return { kind: 'failed', code: 'NO_SITES', reason: 'no site answered' };
    let sum = null;
    for (const r of ok) {
      const v = vectorOf(r.output);
      sum ??= new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) sum[i] += v[i];
    }
    return { kind: 'done', result: { sites: ok.length, sum } };
  },
};

/** Its SumForm (packages/algorithms/src/secure/sum-form.ts): the identity, no layout. */
const vectorSumForm = (length) => ({
  length: () => length,
  toVector: (output) => {
    const v = vectorOf(output);
    if (v.length !== length) throw new Error(`vector of ${v.length} values, ${length} expected`);
    return v instanceof Float64Array ? v : Float64Array.from(v);
  },
  fromSum: (sum) => ({ values: sum }),
});

/** Wall and CPU ms of `f`, and its value. */
function timed(f) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1000 };
}

const bytes = (text) => Buffer.byteLength(text, 'utf8');

/**
 * One job, plain or secure. Returns its wall time (the sum of every timed piece: sites one after
 * another, then the hub), the hub's time (aggregate calls and JSON
 * handling, wall and CPU), each node's time and bytes per step, the hub's bytes, and the sum.
 */
function runJob({ alg, forms, secure, params, tables, names, stopAfterMasked, stopAfterShares }) {
  const { parsePhaseStep, runLocalStep, runSecureStep, secureAlgorithm } = runJob.dist;
  const hubAlg = secure ? secureAlgorithm(alg, forms) : alg;
  const keys = new Map(names.map((n) => [n, generatePartyKeys()]));
  const identityKeys = new Map([...keys].map(([n, k]) => [n, k.public.sign]));
  const memory = new Map();
  const hub = { aggregateMs: 0, aggregateCpuMs: 0, jsonMs: 0, jsonCpuMs: 0, sent: 0, received: 0 };
  const perPhase = {};
  const nodes = names.map((name) => ({ name, sent: 0, received: 0, ms: 0, cpuMs: 0 }));
  const add = (acc, t) => ({ ms: acc.ms + t.wall, cpuMs: acc.cpuMs + t.cpu });
  const hubTime = (kind, t) => {
    hub[`${kind}Ms`] += t.wall;
    hub[`${kind}CpuMs`] += t.cpu;
  };
  const first = timed(() => hubAlg.start(params));
  hubTime('aggregate', first);
  let decision = first.value;
  let round = 0;
  while (decision.kind === 'step') {
    const { step, input, state } = decision;
    const phase = parsePhaseStep(step)?.phase ?? null;
    // As the hub does: every site gets the step's input, the masked phase only its own boxes.
    const sent = timed(() =>
      names.map((name) => JSON.stringify({ step, input: siteInput(input ?? null, step, name) })),
    );
    hubTime('json', sent);
    const taskBytesOf = sent.value.map(bytes);
    for (const b of taskBytesOf) hub.sent += b;
    const label = phase ?? 'step';
    const times = (perPhase[label] ??= []);
    const texts = [];
    tables.forEach((table, i) => {
      const node = nodes[i];
      const gone =
        (phase === 'unmask' &&
          (stopAfterMasked.has(node.name) || stopAfterShares.has(node.name))) ||
        (phase === 'masked' && stopAfterShares.has(node.name));
      if (gone) return;
      const t = timed(() => {
        const task = JSON.parse(sent.value[i]);
        const ctx = { table, params, input: task.input, round, policy: POLICY };
        let out;
        if (phase === null) out = runLocalStep(alg, step, ctx);
        else {
          const who = { jobId: JOB_ID, me: node.name, identity: keys.get(node.name).signPrivate };
          const r = runSecureStep(alg, forms, step, ctx, { ...who, identityKeys }, memory.get(i));
          memory.set(i, r.memory);
          out = r.outcome;
        }
        if (out.status !== 'ok') throw new Error(`${node.name} at ${step}: ${out.reason}`);
        return JSON.stringify({ trust: node.name, status: 'ok', output: out.output });
      });
      const out = bytes(t.value);
      const taskBytes = taskBytesOf[i];
      times.push({ wall: t.wall, cpu: t.cpu, sent: out, received: taskBytes });
      Object.assign(node, add(node, t));
      node.received += taskBytes;
      node.sent += out;
      hub.received += out;
      texts.push(t.value);
    });
    const results = timed(() => texts.map((x) => JSON.parse(x)));
    hubTime('json', results);
    // The hub persists its state as JSON between steps (the database is not measured).
    const kept = timed(() => JSON.parse(JSON.stringify(state ?? null)));
    hubTime('json', kept);
    const next = timed(() => hubAlg.aggregate(params, kept.value, step, results.value));
    hubTime('aggregate', next);
    perPhase[`hub ${label}`] = (perPhase[`hub ${label}`] ?? 0) + next.wall;
    decision = next.value;
    round++;
  }
  // The sum of the timed work, so the bench's own bookkeeping (byte counts) stays out of it.
  const wallMs = hub.aggregateMs + hub.jsonMs + nodes.reduce((acc, x) => acc + x.ms, 0);
  if (decision.kind !== 'done') throw new Error(`${decision.code}: ${decision.reason}`);
  return { wallMs, hub, nodes, perPhase, result: decision.result };
}

const mean = (xs) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Sum over the phases of the slowest node, plus the hub: the wall time with sites in parallel. */
function parallelEstimate(job) {
  const nodeMax = Object.entries(job.perPhase)
    .filter(([k]) => !k.startsWith('hub '))
    .reduce((acc, [, xs]) => acc + Math.max(...xs.map((x) => x.wall)), 0);
  return nodeMax + job.hub.aggregateMs + job.hub.jsonMs;
}

const maxAbsDiff = (a, b) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** A job's figures without its result and raw per-step samples. */
function figures(job) {
  const { result: _r, perPhase: _p, ...rest } = job;
  return { ...rest, parallelMs: parallelEstimate(job) };
}

/**
 * One case: `nodes` sites × `length` values, summed plainly (the outputs as JSON numbers, and as
 * float32 base64url) and securely once per scenario: {stopAfterMasked, stopAfterShares} are how
 * many sites (the last ones) stop answering after that phase.
 * @throws Error when a job fails or a secure sum is off by more than fixedPointErrorBound.
 */
export async function benchSecaggFlow({
  nodes: n = 10,
  length = 1_000_000,
  scenarios = [{ stopAfterMasked: 0, stopAfterShares: 0 }],
} = {}) {
  runJob.dist ??= await import(`${DIST}index.js`);
  const names = Array.from({ length: n }, (_, i) => `site-${String(i + 1).padStart(3, '0')}`);
  const tables = names.map((_, i) => ({
    rows: length,
    columns: { v: { kind: 'number', values: Float64Array.from(makeValues(length, i + 1)) } },
  }));
  const forms = { [STEP]: vectorSumForm(length) };
  const none = new Set();
  const job = (secure, encoding, stopAfterMasked, stopAfterShares) =>
    runJob({
      alg: vectorSum,
      forms,
      tables,
      names,
      secure,
      params: vectorSum.params.parse({ encoding }),
      stopAfterMasked,
      stopAfterShares,
    });
  const plain = job(false, 'json', none, none);
  const plainF32 = job(false, 'f32', none, none);
  if (maxAbsDiff(plain.result.sum, plainF32.result.sum) !== 0)
    throw new Error('the two plain sums differ');

  const secure = scenarios.map(({ stopAfterMasked: a, stopAfterShares: b }) => {
    const masked = new Set(names.slice(n - a));
    const early = new Set(names.slice(n - a - b, n - a));
    const run = job(true, 'json', masked, early);
    // Reference: the Float64 sum over the sites whose input is in the secure sum (U3).
    const reference = new Float64Array(length);
    tables.forEach((t, i) => {
      if (early.has(names[i])) return;
      for (let j = 0; j < length; j++) reference[j] += t.columns.v.values[j];
    });
    const maxAbsError = maxAbsDiff(run.result.sum, reference);
    const report = run.result.secureAggregation;
    if (!(maxAbsError <= report.errorBound))
      throw new Error(`secure sum off by ${maxAbsError}, above the bound ${report.errorBound}`);
    const phases = PHASES.map((p) => {
      const xs = run.perPhase[p] ?? [];
      return {
        phase: p,
        nodes: xs.length,
        meanMs: mean(xs.map((x) => x.wall)),
        maxMs: Math.max(...xs.map((x) => x.wall)),
        meanCpuMs: mean(xs.map((x) => x.cpu)),
        sentBytes: mean(xs.map((x) => x.sent)),
        receivedBytes: mean(xs.map((x) => x.received)),
        hubMs: run.perPhase[`hub ${p}`] ?? 0,
      };
    });
    return {
      stopAfterMasked: [...masked],
      stopAfterShares: [...early],
      threshold: report.threshold,
      scaleBits: report.scaleBits,
      sitesInSum: report.sites,
      errorBound: report.errorBound,
      maxAbsError,
      phases,
      ...figures(run),
    };
  });
  const step = plain.perPhase.step;
  return {
    nodes: n,
    length,
    plain: {
      ...figures(plain),
      nodeMeanMs: mean(step.map((x) => x.wall)),
      nodeMaxMs: Math.max(...step.map((x) => x.wall)),
    },
    plainF32: figures(plainF32),
    secure,
  };
}

export const RATIO_TARGET = 3;
export const HUB_TARGET_MS = 1000;

const mib = (b) => (b / 2 ** 20).toFixed(2);
const kib = (b) => (b / 2 ** 10).toFixed(1);
const sci = (v) => v.toExponential(2);
const scenarioName = (s) =>
  s.stopAfterMasked.length > 0
    ? `secure, ${s.stopAfterMasked.length} stop after masked`
    : s.stopAfterShares.length > 0
      ? `secure, ${s.stopAfterShares.length} stop before masked`
      : 'secure';

/**
 * The case as text for stdout (`binding`: the targets decide PASS/FAIL; else informative) and
 * one line per job for the summary. `verdict(pass, binding)` is bench/run.mjs's.
 */
export function secaggFlowReport(r, binding, verdict) {
  const jobs = [
    { job: 'plain (JSON numbers)', ...r.plain },
    { job: 'plain (float32 base64url)', ...r.plainF32 },
    ...r.secure.map((s) => ({ job: scenarioName(s), ...s })),
  ];
  const nodeMs = (j) => mean(j.nodes.filter((x) => x.ms > 0).map((x) => x.ms));
  const nodeBytes = (j, k) => mean(j.nodes.filter((x) => x.ms > 0).map((x) => x[k]));
  const rows = jobs.map((j) => ({
    job: j.job,
    'wall ms': ms(j.wallMs),
    '× plain': (j.wallMs / r.plain.wallMs).toFixed(2),
    '× plain f32': (j.wallMs / r.plainF32.wallMs).toFixed(2),
    'parallel est. ms': ms(j.parallelMs),
    'hub aggregate ms (CPU)': `${ms(j.hub.aggregateMs)} (${ms(j.hub.aggregateCpuMs)})`,
    'hub unmask ms': j.phases === undefined ? '' : ms(j.phases[3].hubMs),
    'hub JSON ms': ms(j.hub.jsonMs),
    'node mean ms': ms(nodeMs(j)),
    'node sent KiB': kib(nodeBytes(j, 'sent')),
    'node recv KiB': kib(nodeBytes(j, 'received')),
    'hub sent MiB': mib(j.hub.sent),
    'hub recv MiB': mib(j.hub.received),
    'wire MiB': mib(j.hub.sent + j.hub.received),
    'max |err| (bound)':
      j.phases === undefined ? '' : `${sci(j.maxAbsError)} (${sci(j.errorBound)})`,
  }));
  const s0 = r.secure[0];
  const phaseRows = s0.phases.map((p) => ({
    phase: p.phase,
    nodes: String(p.nodes),
    'node mean ms': ms(p.meanMs),
    'node max ms': ms(p.maxMs),
    'node mean CPU ms': ms(p.meanCpuMs),
    'node sends KiB': kib(p.sentBytes),
    'node receives KiB': kib(p.receivedBytes),
    'hub aggregate ms': ms(p.hubMs),
  }));
  const b = binding ? '' : ' (info)';
  const checks = r.secure.map((s) => {
    const ratio = s.wallMs / r.plain.wallMs;
    const ratioF32 = s.wallMs / r.plainF32.wallMs;
    const hubOk = s.hub.aggregateMs < HUB_TARGET_MS;
    return {
      job: scenarioName(s),
      'secure / plain': `${ratio.toFixed(2)} (≤ ${RATIO_TARGET}${b}) → ${verdict(ratio <= RATIO_TARGET, binding)}`,
      'secure / plain f32': `${ratioF32.toFixed(2)} (≤ ${RATIO_TARGET}, info) → ${verdict(ratioF32 <= RATIO_TARGET, false)}`,
      'hub aggregate': `${ms(s.hub.aggregateMs)} ms (< ${HUB_TARGET_MS}${b}) → ${verdict(hubOk, binding)}`,
    };
  });
  const text =
    `\n## Secure aggregation, whole protocol: ${r.nodes} nodes × ${r.length} float32 values ` +
    `(t = ${s0.threshold}, scale 2^-${s0.scaleBits}, one thread)\n\n` +
    `One process on the compiled @tessera/algorithms: the hub's secureAlgorithm and each node's ` +
    `runSecureStep (keys, shares, masked, unmask: X25519, Ed25519-signed advertisements, Shamir ` +
    `shares sealed node to node, AES-CTR masks, fixed point), every message as JSON text (masked ` +
    `vectors base64url), the hub's state through JSON between steps. Sites run ONE AFTER ANOTHER on ` +
    `this one thread, so "wall" is the sum of every site's and the hub's work; "parallel est." adds ` +
    `the slowest site per step and the hub instead (an estimate, not measured). "plain" is the same ` +
    `bench algorithm without the wrapper: each site sends its vector as JSON numbers (how every ` +
    `Tessera algorithm's output travels) and the hub sums in Float64; "plain f32" sends float32 ` +
    `bytes base64url instead, a leaner plain than Tessera has. Not included: TLS, the sealed and ` +
    `signed task/result envelopes (about 4/3 more bytes and their crypto), the database, the ` +
    `node persisting its secure state, worker start-up, network latency. Bytes: every message's ` +
    `JSON text; the hub sends every node its own task, as the real hub does (the masked step with ` +
    `only the share boxes sealed to that node: hub/dist/orchestrator/site-input.js); "node" ` +
    `figures are means over ` +
    `the nodes that answered. Stopping sites are the last ones; max |err| is the decoded secure ` +
    `sum against the Float64 sum of the sites in it, bound = fixedPointErrorBound.\n\n` +
    table(rows) +
    `\nPer node and step, secure with no dropouts (hub aggregate = its aggregate call for the ` +
    `step; unmask includes rebuilding the seeds and removing every mask):\n\n` +
    table(phaseRows) +
    `\n` +
    table(checks);
  const summary = r.secure.map(
    (s) =>
      `secure aggregation whole protocol ${r.nodes} × ${r.length}, ${scenarioName(s)} (in process, ` +
      `sites one after another): wall ${ms(s.wallMs)} ms vs plain ${ms(r.plain.wallMs)} ms ` +
      `(JSON numbers) = ${(s.wallMs / r.plain.wallMs).toFixed(2)}× ` +
      `[target ≤ ${RATIO_TARGET}× → ${verdict(s.wallMs / r.plain.wallMs <= RATIO_TARGET, binding)}], ` +
      `${(s.wallMs / r.plainF32.wallMs).toFixed(2)}× plain float32 ${ms(r.plainF32.wallMs)} ms; hub ` +
      `aggregate ${ms(s.hub.aggregateMs)} ms (CPU ${ms(s.hub.aggregateCpuMs)}) ` +
      `[< ${HUB_TARGET_MS} → ${verdict(s.hub.aggregateMs < HUB_TARGET_MS, binding)}]; ` +
      `wire ${mib(s.hub.sent + s.hub.received)} MiB vs plain ${mib(r.plain.hub.sent + r.plain.hub.received)}; ` +
      `max |err| ${sci(s.maxAbsError)} ≤ ${sci(s.errorBound)}`,
  );
  return { text, summary };
}

function main() {
  const { values: opt } = parseArgs({
    options: {
      nodes: { type: 'string', default: '10' },
      length: { type: 'string', default: '1000000' },
      'stop-after-masked': { type: 'string', default: '0' },
      'stop-after-shares': { type: 'string', default: '0' },
    },
  });
  const scenario = {
    stopAfterMasked: Number(opt['stop-after-masked']),
    stopAfterShares: Number(opt['stop-after-shares']),
  };
  benchSecaggFlow({
    nodes: Number(opt.nodes),
    length: Number(opt.length),
    scenarios: [scenario],
  }).then(
    (r) => process.stdout.write(JSON.stringify(r, null, 2) + '\n'),
    (e) => {
      process.stderr.write(`secagg-flow: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
