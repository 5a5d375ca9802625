/*
 * Reference fixtures (issue 3 "Done when"): fixed datasets committed under test/fixtures/<name>/
 * with reference values computed once by R or statsmodels (the script that produced them is
 * committed beside them as make-reference.R or .py). The tests read them without R or Python.
 *
 * Layout of a fixture folder:
 *   data.csv          the rows (header line; empty or NA cells are missing)
 *   reference.json    the reference values, in whatever shape the algorithm's test needs
 *   make-reference.*  the script that wrote reference.json from data.csv
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { Algorithm, DisclosurePolicy, SiteResult } from '../../src/framework.js';
import { createRng } from '../../src/numerics/random.js';
import { simulateJob } from '../../src/simulate.js';
import { makeTable } from '../../src/table-info.js';
import type { Column, Table } from '../../src/table.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Absolute path of a file in a fixture folder. */
export function fixturePath(name: string, file: string): string {
  return `${FIXTURES}${name}/${file}`;
}

/** reference.json of a fixture, parsed; the caller names the shape it expects. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed JSON read
export function readReference<T = Record<string, unknown>>(
  name: string,
  file = 'reference.json',
): T {
  return JSON.parse(readFileSync(fixturePath(name, file), 'utf8')) as T;
}

const isMissingCell = (s: string): boolean => s === '' || s === 'NA';

/**
 * data.csv of a fixture as a Table. A column whose every present cell parses as a finite number is
 * a number column; any other is categorical with sorted levels (as the node's importer does), unless
 * `categorical` names it explicitly. No quoting: fixture files do not need it.
 */
export function loadFixtureTable(
  name: string,
  options: { categorical?: readonly string[]; file?: string } = {},
): Table {
  const text = readFileSync(fixturePath(name, options.file ?? 'data.csv'), 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',').map((h) => h.replace(/^"|"$/g, ''));
  const cells = lines.slice(1).map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
  const columns: Record<string, Column> = {};
  header.forEach((h, j) => {
    const raw = cells.map((r) => r[j] ?? '');
    const numeric =
      !(options.categorical ?? []).includes(h) &&
      raw.every((c) => isMissingCell(c) || Number.isFinite(Number(c)));
    if (numeric) {
      columns[h] = {
        kind: 'number',
        values: Float64Array.from(raw, (c) => (isMissingCell(c) ? Number.NaN : Number(c))),
      };
      return;
    }
    const levels = [...new Set(raw.filter((c) => !isMissingCell(c)))].sort();
    const index = new Map(levels.map((l, i) => [l, i]));
    columns[h] = {
      kind: 'categorical',
      levels,
      codes: Int32Array.from(raw, (c) => (isMissingCell(c) ? -1 : (index.get(c) ?? -1))),
    };
  });
  return makeTable(columns);
}

/** The rows of `table` at `indices`, in that order. */
export function takeRows(table: Table, indices: readonly number[]): Table {
  const columns: Record<string, Column> = {};
  for (const [name, col] of Object.entries(table.columns)) {
    columns[name] =
      col.kind === 'categorical'
        ? {
            kind: 'categorical',
            levels: col.levels,
            codes: Int32Array.from(indices, (i) => col.codes[i] ?? -1),
          }
        : {
            kind: col.kind,
            values: Float64Array.from(indices, (i) => col.values[i] ?? Number.NaN),
          };
  }
  return { rows: indices.length, columns };
}

/**
 * Splits the rows of `table` at random over `sites` tables (a seeded shuffle, then random cut
 * points), each with at least `minRows` rows. Used by the property tests: the same rows split in
 * different ways must give the same federated result.
 */
export function splitRandomly(table: Table, sites: number, seed: number, minRows = 10): Table[] {
  if (table.rows < sites * minRows) throw new RangeError('too few rows for that many sites');
  const rng = createRng(seed);
  const order = Array.from({ length: table.rows }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  // Random sizes: each site gets minRows, the rest is dealt out by random weights.
  const spare = table.rows - sites * minRows;
  const weights = Array.from({ length: sites }, () => 0.2 + rng.uniform());
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => minRows + Math.floor((spare * w) / total));
  sizes[sites - 1] = (sizes[sites - 1] ?? 0) + table.rows - sizes.reduce((a, b) => a + b, 0);
  const out: Table[] = [];
  let at = 0;
  for (const size of sizes) {
    out.push(takeRows(table, order.slice(at, at + size)));
    at += size;
  }
  return out;
}

/** One case of a reference.json `cases` list: the job's params and R's values for them. */
export interface ReferenceCase<E = Record<string, unknown>> {
  readonly name: string;
  readonly params: unknown;
  readonly expected: E;
}

/** Where a reference test runs a job: 1 site is the whole table; more sites a split cut by `seed`. */
export interface SiteLayout {
  readonly sites: number;
  readonly seed: number;
}

/**
 * The usual layouts of a reference test: the whole table on 1 site, then random splits over 3 and
 * 5 sites, two each, with seeds `firstSeed` to `firstSeed + 3` (each test has its own seeds, so the
 * tests between them try many different splits).
 */
export function siteLayouts(firstSeed: number): readonly SiteLayout[] {
  return [
    { sites: 1, seed: 0 },
    { sites: 3, seed: firstSeed },
    { sites: 3, seed: firstSeed + 1 },
    { sites: 5, seed: firstSeed + 2 },
    { sites: 5, seed: firstSeed + 3 },
  ];
}

/** One layout with its tables, one a site. */
export interface FixtureSplit extends SiteLayout {
  readonly tables: readonly Table[];
}

/**
 * `table` laid out as each of `layouts`: on 1 site the table itself, on more the tables of
 * splitRandomly(table, sites, seed, minRows). `minRows` is chosen so that every cell the test
 * checks stays at least minCount at every site.
 */
export function fixtureSplits(
  table: Table,
  layouts: readonly SiteLayout[],
  minRows: number,
): FixtureSplit[] {
  return layouts.map(({ sites, seed }) => ({
    sites,
    seed,
    tables: sites === 1 ? [table] : splitRandomly(table, sites, seed, minRows),
  }));
}

/**
 * The result of `alg` run by simulateJob over `tables` (one a site) under `policy` (default
 * minCount 10, no min/max).
 *
 * @throws Error naming the code and reason when the job fails instead of finishing.
 */
export function jobResult(
  alg: Algorithm,
  params: unknown,
  tables: readonly Table[],
  policy?: DisclosurePolicy,
): unknown {
  const { decision } = simulateJob(alg, params, tables, policy ? { policy } : {});
  if (decision.kind !== 'done') throw new Error(`${decision.code}: ${decision.reason}`);
  return decision.result;
}

/**
 * The site results of the first step of `alg` run by simulateJob over `tables` (one a site, named
 * site-1, site-2, …) under `policy`, as the hub's aggregate saw them: a refusal as `refused`, a
 * local step that throws as `failed` with code STEP_FAILED.
 */
export function firstStepResults(
  alg: Algorithm,
  params: unknown,
  tables: readonly Table[],
  policy?: DisclosurePolicy,
): readonly SiteResult[] {
  return simulateJob(alg, params, tables, policy ? { policy } : {}).rounds[0] ?? [];
}

/**
 * Declares one test per reference case and split, named "<case>, <n> site(s), split seed <seed>";
 * each runs `check` on the case and the split's tables.
 */
export function itForEachSplit<C extends { readonly name: string }>(
  cases: readonly C[],
  splits: readonly FixtureSplit[],
  check: (c: C, split: FixtureSplit) => void,
): void {
  for (const c of cases) {
    for (const split of splits) {
      it(`${c.name}, ${String(split.sites)} site(s), split seed ${String(split.seed)}`, () => {
        check(c, split);
      });
    }
  }
}

/** Tolerances of the reference tests (issue 3: rtol 1e-6; p-values atol 1e-6 where small). */
export const REFERENCE_TOLERANCE = { rtol: 1e-6, atol: 1e-6 } as const;

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| (numpy's isclose), with a message naming
 * `what`. `atol` defaults to 0, so only p-values and values near zero should pass one.
 */
export function expectClose(
  actual: number | null | undefined,
  expected: number,
  what: string,
  tol: { rtol?: number; atol?: number } = { rtol: REFERENCE_TOLERANCE.rtol },
): void {
  const rtol = tol.rtol ?? REFERENCE_TOLERANCE.rtol;
  const atol = tol.atol ?? 0;
  expect(actual, `${what}: missing`).toBeTypeOf('number');
  const a = actual as number;
  const ok = Math.abs(a - expected) <= atol + rtol * Math.abs(expected);
  expect(ok, `${what}: ${a} is not within rtol ${rtol}, atol ${atol} of ${expected}`).toBe(true);
}

/**
 * Asserts that `actual` holds every field of the reference `expected`, recursively: `n` and
 * `count` exactly, `pValue` within rtol and atol (small p-values), every other number within rtol,
 * anything else equal. Extra fields in `actual` are allowed. `path` names the value in messages.
 */
export function expectMatchesReference(actual: unknown, expected: unknown, path: string): void {
  const key = path.slice(path.lastIndexOf('.') + 1);
  if (typeof expected === 'number') {
    if (key === 'n' || key === 'count') expect(actual, path).toBe(expected);
    else if (key === 'pValue') expectClose(actual as number, expected, path, REFERENCE_TOLERANCE);
    else expectClose(actual as number, expected, path);
  } else if (expected !== null && typeof expected === 'object') {
    expect(actual, path).toBeTypeOf('object');
    const a = actual as Record<string, unknown>;
    expect(Object.keys(a), path).toEqual(expect.arrayContaining(Object.keys(expected)));
    for (const [k, v] of Object.entries(expected)) expectMatchesReference(a[k], v, `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}
