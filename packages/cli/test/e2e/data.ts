/*
 * Test data of the end-to-end tests: a small seeded generator of patient-like CSV files (its own,
 * so that the tests do not share a bug with the demo's generator) and an independent pooled
 * computation over the CSV text itself, the reference a federated summary must equal.
 */

/** mulberry32: a tiny seeded PRNG, enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number, mean: number, sd: number): number {
  const u = Math.max(rand(), 1e-12);
  const v = rand();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export interface SiteDataOptions {
  rows: number;
  seed: number;
  /** Shifts the site's distributions so that sites differ. */
  shift?: number;
}

/** Columns: age (integer), sex (F/M), bmi (one decimal), smoking (never/former/current). */
export const VARIABLES = {
  numeric: ['age', 'bmi'],
  categorical: ['sex', 'smoking'],
} as const;

/**
 * A CSV of `rows` patients. Missing values are written as an empty cell or `NA` (both mean
 * missing to the importer); every level is common enough that no cell is suppressed at 100 rows.
 */
export function siteCsv(o: SiteDataOptions): string {
  const rand = seededRandom(o.seed);
  const shift = o.shift ?? 0;
  const lines = ['age,sex,bmi,smoking'];
  for (let i = 0; i < o.rows; i++) {
    const age =
      rand() < 0.03
        ? ''
        : String(Math.min(95, Math.max(18, Math.round(normal(rand, 55 + shift, 14)))));
    const sex = rand() < 0.02 ? 'NA' : rand() < 0.52 ? 'F' : 'M';
    const bmi = rand() < 0.05 ? 'NA' : normal(rand, 27 + shift / 5, 4.5).toFixed(1);
    const r = rand();
    const smoking = r < 0.02 ? '' : r < 0.5 ? 'never' : r < 0.8 ? 'former' : 'current';
    lines.push(`${age},${sex},${bmi},${smoking}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A CSV with the given ages only (other columns filled), for cohort and minCount tests. */
export function agesCsv(ages: readonly number[]): string {
  const lines = ['age,sex,bmi,smoking'];
  ages.forEach((age, i) => {
    lines.push(`${age},${i % 2 === 0 ? 'F' : 'M'},${(22 + (i % 9)).toFixed(1)},never`);
  });
  return `${lines.join('\n')}\n`;
}

export interface NumericReference {
  count: number;
  missing: number;
  mean: number;
  sd: number;
}
export interface CategoricalReference {
  count: number;
  missing: number;
  levels: Record<string, number>;
}
export interface PooledReference {
  n: number;
  numeric: Record<string, NumericReference>;
  categorical: Record<string, CategoricalReference>;
}

const isMissing = (cell: string): boolean => {
  const t = cell.trim();
  return t === '' || t === 'NA' || t === 'NULL';
};

/** Neumaier-compensated sum, so that the reference is accurate to the last bits. */
function accurateSum(xs: readonly number[]): number {
  let sum = 0;
  let c = 0;
  for (const x of xs) {
    const t = sum + x;
    c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + c;
}

/**
 * The pooled statistics over every row of every CSV (plain comma-separated, no quoting, as
 * {@link siteCsv} writes): two-pass mean and sample SD (n − 1), counts per level.
 */
export function pooledReference(
  csvs: readonly string[],
  numeric: readonly string[],
  categorical: readonly string[],
): PooledReference {
  const rows: Record<string, string>[] = [];
  for (const csv of csvs) {
    const lines = csv.split('\n').filter((l) => l !== '');
    const header = (lines[0] ?? '').split(',');
    for (const line of lines.slice(1)) {
      const cells = line.split(',');
      rows.push(Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
    }
  }
  const ref: PooledReference = { n: rows.length, numeric: {}, categorical: {} };
  for (const v of numeric) {
    const xs = rows
      .map((r) => r[v] ?? '')
      .filter((c) => !isMissing(c))
      .map(Number);
    const mean = accurateSum(xs) / xs.length;
    const ss = accurateSum(xs.map((x) => (x - mean) * (x - mean)));
    ref.numeric[v] = {
      count: xs.length,
      missing: rows.length - xs.length,
      mean,
      sd: Math.sqrt(ss / (xs.length - 1)),
    };
  }
  for (const v of categorical) {
    const levels: Record<string, number> = {};
    let missing = 0;
    for (const r of rows) {
      const c = r[v] ?? '';
      if (isMissing(c)) missing++;
      else levels[c.trim()] = (levels[c.trim()] ?? 0) + 1;
    }
    ref.categorical[v] = { count: rows.length - missing, missing, levels };
  }
  return ref;
}

/** |got − want| ≤ tol · max(|want|, tiny): relative closeness with a floor near zero. */
export function relClose(got: unknown, want: number, tol: number): boolean {
  return typeof got === 'number' && Math.abs(got - want) <= tol * Math.max(Math.abs(want), 1e-300);
}
