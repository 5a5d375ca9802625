// The differencing guard's cost (issue 3 point 4): checking one cohort over 1,000,000 rows
// against 1,000 remembered ones, in three cases, plus building the cohort and loading the file.
//
//   npm run build && node bench/guard.mjs [--rows 1000000] [--remembered 1000] [--min-count 10]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createDifferencingGuard,
  guardFile,
} from '../packages/node/dist/guard/differencing-guard.js';
import { checkCohort, toCohortRows } from '../packages/node/dist/guard/row-set.js';
import { rowsPerDataset } from '../packages/node/dist/guard/worker-checks.js';
import { nodePaths } from '../packages/node/dist/store/layout.js';
import { machine } from './lib/format.mjs';

const { values: opt } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    remembered: { type: 'string', default: '1000' },
    'min-count': { type: 'string', default: '10' },
  },
});
const N = Number(opt.rows);
const R = Number(opt.remembered);
const MIN = Number(opt['min-count']);
const FP = 'f'.repeat(64);

let seed = 42;
const rand = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};

/** A cohort of about half the rows, as the worker reports it. */
function randomMask() {
  const mask = new Uint8Array(N);
  for (let i = 0; i < N; i++) mask[i] = rand() < 0.5 ? 1 : 0;
  return mask;
}
const cohortOf = (mask) =>
  toCohortRows([
    { dataset: 'patients', fingerprint: FP, total: N, rows: rowsPerDataset(mask, [N])[0] },
  ]);

function time(fn, reps = 5) {
  fn();
  const t = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) fn();
  return Number(process.hrtime.bigint() - t) / 1e6 / reps;
}

const candidateMask = randomMask();
let candidate;
const buildMs = time(() => (candidate = cohortOf(candidateMask)), 3);

// 1. Unrelated cohorts of exactly the candidate's size (the mask rotated): the size check cannot
//    reject them, the scan stops once it has counted minCount differing rows.
const unrelated = [];
for (let r = 0; r < R; r++) {
  const k = 1 + r * 997;
  const m = new Uint8Array(N);
  m.set(candidateMask.subarray(k));
  m.set(candidateMask.subarray(0, k), N - k);
  unrelated.push(cohortOf(m));
}
// 2. Near misses, the worst case: the candidate's size, with minCount rows swapped in the last
//    20,000 rows only, so every comparison scans to the end before it knows.
const nearMisses = [];
for (let r = 0; r < R; r++) {
  const m = candidateMask.slice();
  let out = 0;
  let inn = 0;
  const flipped = new Set();
  while (out < MIN / 2 || inn < MIN / 2) {
    const i = N - 1 - Math.floor(rand() * 20_000);
    if (flipped.has(i)) continue;
    flipped.add(i);
    if (m[i] === 1 && out < MIN / 2) {
      m[i] = 0;
      out++;
    } else if (m[i] === 0 && inn < MIN / 2) {
      m[i] = 1;
      inn++;
    }
  }
  nearMisses.push(cohortOf(m));
}
// 3. Cohorts of other sizes: rejected by |size difference| alone.
const otherSizes = unrelated.map((c) => ({ ...c, size: c.size + MIN * 2 }));

const cases = [
  ['same size, unrelated rows (scan stops at minCount)', unrelated],
  ['same size band, differing only in the last words (full scan)', nearMisses],
  ['sizes ≥ minCount apart (rejected by size)', otherSizes],
];
const results = cases.map(([name, remembered]) => {
  const ms = time(() => {
    const d = checkCohort(remembered, candidate, MIN);
    if (!d.ok) throw new Error('unexpected refusal');
  });
  return [name, ms];
});

// The guard file: append every near miss, then a fresh guard loads it (first task after start).
const dir = mkdtempSync(join(tmpdir(), 'guard-bench-'));
try {
  const paths = nodePaths(dir);
  const writer = createDifferencingGuard(paths);
  const project = '00000000-0000-4000-8000-000000000000';
  const t0 = process.hrtime.bigint();
  for (const c of nearMisses) await writer.admit(project, c, 1);
  const appendMs = Number(process.hrtime.bigint() - t0) / 1e6 / R;
  const bytes = statSync(guardFile(paths, project)).size;
  const t1 = process.hrtime.bigint();
  await createDifferencingGuard(paths).admit(project, candidate, MIN);
  const loadMs = Number(process.hrtime.bigint() - t1) / 1e6;

  console.log(
    `differencing guard: ${N.toLocaleString('en')} rows, ${R} remembered cohorts, minCount ${MIN}`,
  );
  const m = machine();
  console.log(`machine: ${JSON.stringify(m)}`);
  console.log(`  build the cohort (mask → compact set + SHA-256): ${buildMs.toFixed(1)} ms`);
  for (const [name, ms] of results) console.log(`  check, ${name}: ${ms.toFixed(1)} ms`);
  console.log(`  record one cohort (append + fsync): ${appendMs.toFixed(2)} ms`);
  console.log(
    `  guard file: ${(bytes / 1e6).toFixed(1)} MB; first check after a restart (load + check): ${loadMs.toFixed(0)} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
