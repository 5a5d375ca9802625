import { describe, expect, it } from 'vitest';
import type { SeriesImages } from '../../framework.js';
import { runLocalStep } from '../../run-local-step.js';
import { seededRandomBytes } from '../../simulate.js';
import { categoricalColumn, makeTable, numberColumn } from '../../table-info.js';
import type { Table } from '../../table.js';
import { memorySeriesImages, type ImageFrame } from '../memory-images.js';
import { simulateImagingJob } from '../simulate-imaging.js';
import {
  splitByPatient,
  syntheticFrames,
  syntheticSeries,
  syntheticSeriesTable,
  type SyntheticSeries,
} from '../synthetic-series.js';
import {
  IMAGE_STATS_STEP,
  imageStats,
  type ImageStatsGroupOutput,
  type ImageStatsResult,
} from './index.js';

// 100-wide bins from −1100: the synthetic classes sit at bin centres ± 20 (synthetic-series.ts).
const PARAMS = { min: -1100, max: 1900, bins: 30 };

/** Independent reference histogram: bin found by walking the edges, values outside clamped. */
function referenceCounts(values: readonly number[], min: number, max: number, bins: number) {
  const w = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    let k = 0;
    while (k < bins - 1 && v >= min + (k + 1) * w) k++;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/** Exact population mean and sd of raw values (two-pass). */
function exactMoments(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / values.length) };
}

const pixels = (xs: readonly SyntheticSeries[]): number[] =>
  xs.flatMap((s) => (s.frames ?? []).flatMap((f) => Array.from(f.values)));

const sitesOf = (parts: readonly SyntheticSeries[][]) =>
  parts.map((p) => ({
    table: syntheticSeriesTable(p),
    images: memorySeriesImages(syntheticFrames(p)),
  }));

function run(params: unknown, sites: ReturnType<typeof sitesOf>, minCount = 10) {
  const { decision } = simulateImagingJob(imageStats, params, sites, {
    policy: { minCount, allowMinMax: false },
  });
  if (decision.kind !== 'done') throw new Error(`${decision.code}: ${decision.reason}`);
  return decision.result as ImageStatsResult;
}

function local(table: Table, images: SeriesImages | undefined, params: unknown = PARAMS) {
  return runLocalStep(imageStats, IMAGE_STATS_STEP, {
    table,
    params: imageStats.params.parse(params),
    input: null,
    round: 0,
    policy: { minCount: 10, allowMinMax: false },
    randomBytes: seededRandomBytes(1),
    ...(images === undefined ? {} : { images }),
  });
}

const POOLED = syntheticSeries({ seed: 21, patients: 120, undecodable: 0.03 });

describe('image-stats', () => {
  it.each([1, 3, 5])(
    'equals the histogram of the pooled pixels when the patients are split over %i site(s)',
    (sites) => {
      const res = run(PARAMS, sitesOf(splitByPatient(POOLED, sites, 40 + sites)));
      expect(res).toMatchObject({ sites, groupBy: ['modality'], binWidth: 100 });
      expect(res.groups.map((g) => g.key)).toEqual([{ modality: 'CT' }, { modality: 'MR' }]);
      for (const g of res.groups) {
        const of = POOLED.filter((s) => s.modality === g.key['modality']);
        const decoded = of.filter((s) => s.frames !== null);
        const values = pixels(decoded);
        const counts = referenceCounts(values, PARAMS.min, PARAMS.max, PARAMS.bins);
        expect(g.counts).toEqual(counts);
        expect(g.series).toBe(decoded.length);
        expect(g.patients).toBe(new Set(decoded.map((s) => s.patient)).size);
        expect(g.complete).toBe(true);
        // Reference moments of the binned values, computed from the reference counts.
        const centres = counts.flatMap((n, k) => Array<number>(n).fill(-1100 + 100 * k + 50));
        const binned = exactMoments(centres);
        // Tolerance: relative 1e-12 (the two sums run in different orders).
        expect(Math.abs((g.mean ?? 0) - binned.mean)).toBeLessThanOrEqual(
          1e-12 * Math.abs(binned.mean),
        );
        expect(Math.abs((g.sd ?? 0) - binned.sd)).toBeLessThanOrEqual(1e-12 * binned.sd);
        // Binning error: within half a bin (50) of the raw values' moments.
        const raw = exactMoments(values);
        expect(Math.abs((g.mean ?? 0) - raw.mean)).toBeLessThanOrEqual(50);
        expect(Math.abs((g.sd ?? 0) - raw.sd)).toBeLessThanOrEqual(50);
      }
      // undecodable: the exact sum, unless some site had 1 to minCount − 1 of them (null).
      const parts = splitByPatient(POOLED, sites, 40 + sites);
      for (const g of res.groups) {
        const perSite = parts.map(
          (p) => p.filter((s) => s.modality === g.key['modality'] && s.frames === null).length,
        );
        const small = perSite.some((u) => u > 0 && u < 10);
        expect(g.undecodable).toBe(small ? null : perSite.reduce((a, b) => a + b, 0));
      }
      expect(POOLED.some((s) => s.frames === null)).toBe(true);
    },
  );

  it('counts undecodable series, and releases their number once it reaches minCount', () => {
    const series = syntheticSeries({ seed: 4, patients: 80, undecodable: 0.25 });
    const res = run(PARAMS, sitesOf([series]));
    for (const g of res.groups) {
      const of = series.filter((s) => s.modality === g.key['modality']);
      expect(g.undecodable).toBe(of.filter((s) => s.frames === null).length);
      expect(g.undecodable).toBeGreaterThanOrEqual(10);
    }
  });

  it('suppresses a bin that one patient fills, and the next smallest so the pair holds minCount patients', () => {
    const series = syntheticSeries({ seed: 2, patients: 40 }).filter((s) => s.modality === 'CT');
    // One patient's metal implant: a few pixels at 1850 HU, a bin nobody else reaches.
    const implant = series.findIndex((s) => s.frames !== null);
    const first = series[implant];
    const frame = first?.frames?.[0];
    if (first === undefined || frame === undefined) throw new Error('no decodable series');
    const metal = Float32Array.from(frame.values, (v, i) => (i < 3 ? 1850 : v));
    const frames: ImageFrame[] = [{ ...frame, values: metal }, ...(first.frames ?? []).slice(1)];
    const withImplant = series.map((s, i) => (i === implant ? { ...s, frames } : s));
    const out = local(
      syntheticSeriesTable(withImplant),
      memorySeriesImages(syntheticFrames(withImplant)),
    );
    expect(out.status).toBe('ok');
    const [ct] = (out as { output: { groups: ImageStatsGroupOutput[] } }).output.groups;
    const counts = ct?.counts ?? [];
    const nulls = counts.flatMap((c, k) => (c === null ? [k] : []));
    expect(nulls).toContain(29);
    expect(nulls).toHaveLength(2);
    // Every released non-empty bin has pixels from at least minCount patients.
    const patients = new Map<number, Set<string>>();
    for (const s of withImplant) {
      for (const f of s.frames ?? []) {
        for (const v of Array.from(f.values)) {
          const k = Math.min(29, Math.max(0, Math.floor((v + 1100) / 100)));
          patients.set(k, (patients.get(k) ?? new Set()).add(s.patient));
        }
      }
    }
    counts.forEach((c, k) => {
      if (c !== null && c > 0) expect(patients.get(k)?.size).toBeGreaterThanOrEqual(10);
    });
    const hiddenPatients = new Set(nulls.flatMap((k) => [...(patients.get(k) ?? [])]));
    expect(hiddenPatients.size).toBeGreaterThanOrEqual(10);
  });

  it('suppresses a group of fewer than minCount patients at a site and pools it from the others', () => {
    const series = syntheticSeries({ seed: 9, patients: 60 });
    const [a = [], b = []] = splitByPatient(series, 2, 1);
    const mrAt = new Set(b.filter((s) => s.modality === 'MR').map((s) => s.patient));
    const keep = new Set([...mrAt].slice(0, 4));
    // Site b keeps the MR series of 4 patients only.
    const small = b.filter((s) => s.modality === 'CT' || keep.has(s.patient));
    const res = run(PARAMS, sitesOf([a, small]));
    const mr = res.groups.find((g) => g.key['modality'] === 'MR');
    expect(mr).toMatchObject({ sites: 1, suppressedAt: 1, complete: false });
    const mrA = a.filter((s) => s.modality === 'MR');
    expect(mr?.counts).toEqual(referenceCounts(pixels(mrA), PARAMS.min, PARAMS.max, PARAMS.bins));
    expect(mr?.patients).toBe(new Set(mrA.map((s) => s.patient)).size);
  });

  it('refuses without pixel access (INVALID_PARAMS), under minCount patients, and a tabular table', () => {
    const series = syntheticSeries({ seed: 1, patients: 30 });
    const table = syntheticSeriesTable(series);
    expect(local(table, undefined)).toMatchObject({ status: 'refused', code: 'INVALID_PARAMS' });
    const few = syntheticSeries({ seed: 1, patients: 9 });
    const fewTable = syntheticSeriesTable(few);
    expect(fewTable.rows).toBeGreaterThanOrEqual(10);
    expect(local(fewTable, memorySeriesImages(syntheticFrames(few)))).toEqual({
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'fewer than 10 patients have a series whose pixels could be read',
    });
    const none = memorySeriesImages(new Map());
    expect(local(table, none)).toMatchObject({ status: 'refused', code: 'MIN_COUNT' });
    const tabular = makeTable({
      modality: categoricalColumn(Array<string>(20).fill('CT')),
      age: numberColumn(Array<number>(20).fill(50)),
    });
    expect(local(tabular, none)).toMatchObject({ status: 'refused', code: 'VARIABLE_MISSING' });
  });

  it('fails INVALID_OUTPUT at the hub for a histogram of the wrong length', () => {
    const params = imageStats.params.parse(PARAMS);
    const bad = {
      groups: [{ key: ['CT'], patients: 12, series: 20, undecodable: 0, counts: [1, 2] }],
    };
    expect(
      imageStats.aggregate(params, null, IMAGE_STATS_STEP, [
        { trust: 'a', status: 'ok', output: bad },
      ]),
    ).toMatchObject({ kind: 'failed', code: 'INVALID_OUTPUT' });
  });
});

describe('image-stats params', () => {
  const parse = (p: unknown) => imageStats.params.safeParse(p);
  it('defaults groupBy to modality', () => {
    expect(parse(PARAMS).data).toEqual({ ...PARAMS, groupBy: ['modality'] });
  });
  it.each([
    ['min not below max', { min: 5, max: 5, bins: 10 }],
    ['no bins', { min: 0, max: 5, bins: 0 }],
    ['too many bins', { min: 0, max: 5, bins: 1001 }],
    ['fractional bins', { min: 0, max: 5, bins: 2.5 }],
    ['an infinite bound', { min: 0, max: Number.POSITIVE_INFINITY, bins: 10 }],
    ['an unknown field', { ...PARAMS, variable: 'x' }],
  ])('refuses %s', (_w, p) => {
    expect(parse(p).success).toBe(false);
  });
});
