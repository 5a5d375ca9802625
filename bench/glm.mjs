// Logistic regression by federated Newton–Raphson (issue 3 "Done when"): 1,000,000 rows × 10
// covariates split over 5 sites, driven in one process on the compiled @tessera/algorithms (the
// same calls the node's worker and the hub make, without transport). Each site's local step runs
// alone on one thread; rows / its CPU time (process.cpuUsage, user + system, so other processes
// on a busy machine do not count) is the node's per-core Newton throughput. Wall times are shown too.
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../packages/algorithms/dist/', import.meta.url));

/** Seeded synthetic data: 10 standard-normal covariates, a 0/1 outcome from a logit model. */
function makeSites(rows, covariates, sites, createRng) {
  const rng = createRng(20240317);
  const beta = Array.from({ length: covariates }, (_, j) => (j % 2 ? 0.3 : -0.2) / (1 + j / 4));
  const per = Math.floor(rows / sites);
  return Array.from({ length: sites }, (_, s) => {
    const n = s === sites - 1 ? rows - per * (sites - 1) : per;
    const cols = Array.from({ length: covariates }, () => new Float64Array(n));
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let eta = -0.5;
      for (let j = 0; j < covariates; j++) {
        const v = rng.normal();
        cols[j][i] = v;
        eta += beta[j] * v;
      }
      y[i] = rng.uniform() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    }
    const columns = { y: { kind: 'number', values: y } };
    cols.forEach((values, j) => (columns[`x${j + 1}`] = { kind: 'number', values }));
    return { rows: n, columns };
  });
}

/**
 * Runs the job and returns its figures: Newton rounds, wall time, and per round the sites' summed
 * wall and CPU time, the slowest site's wall time, and the node throughput (rows over CPU time).
 */
export async function benchGlm({ rows = 1_000_000, covariates = 10, sites = 5 } = {}) {
  const { logisticRegression } = await import(`${DIST}glm/index.js`);
  const { runLocalStep } = await import(`${DIST}run-local-step.js`);
  const { createRng } = await import(`${DIST}numerics/random.js`);
  const tables = makeSites(rows, covariates, sites, createRng);
  const params = logisticRegression.params.parse({
    outcome: 'y',
    covariates: Array.from({ length: covariates }, (_, j) => `x${j + 1}`),
  });
  const policy = { minCount: 10, allowMinMax: false };
  const started = performance.now();
  const rounds = [];
  let decision = logisticRegression.start(params);
  for (let round = 0; decision.kind === 'step'; round++) {
    const { step, state } = decision;
    const input = JSON.parse(JSON.stringify(decision.input));
    let local = 0;
    let cpu = 0;
    let slowest = 0;
    const results = tables.map((table, i) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = runLocalStep(logisticRegression, step, { table, params, input, round, policy });
      const dt = performance.now() - t0;
      const dc = process.cpuUsage(c0);
      cpu += (dc.user + dc.system) / 1000;
      local += dt;
      slowest = Math.max(slowest, dt);
      if (out.status !== 'ok') throw new Error(`site ${i + 1} ${out.code}: ${out.reason}`);
      return {
        trust: `site-${i + 1}`,
        status: 'ok',
        output: JSON.parse(JSON.stringify(out.output)),
      };
    });
    rounds.push({
      step,
      localMs: local,
      cpuMs: cpu,
      slowestMs: slowest,
      rowsPerSecond: (rows / cpu) * 1000,
      wallRowsPerSecond: (rows / local) * 1000,
    });
    decision = logisticRegression.aggregate(
      params,
      JSON.parse(JSON.stringify(state)),
      step,
      results,
    );
  }
  const wallMs = performance.now() - started;
  if (decision.kind !== 'done') throw new Error(`${decision.code}: ${decision.reason}`);
  const newton = rounds.filter((r) => r.step === 'newton');
  const later = newton.slice(1);
  const steady = (later.length * rows * 1000) / later.reduce((s, r) => s + r.cpuMs, 0);
  const steadyWall = (later.length * rows * 1000) / later.reduce((s, r) => s + r.localMs, 0);
  return {
    rows,
    covariates,
    sites,
    newtonRounds: newton.length,
    iterations: decision.result.iterations,
    wallMs,
    rounds,
    firstRoundRowsPerSecond: newton[0]?.rowsPerSecond ?? NaN,
    steadyRowsPerSecond: steady,
    steadyWallRowsPerSecond: steadyWall,
  };
}
