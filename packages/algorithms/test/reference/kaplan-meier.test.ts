/*
 * kaplan-meier against R's survival package (test/fixtures/kaplan-meier/make-reference.R):
 * survfit and survdiff on times rounded up to the job's grid, rows beyond the last point censored
 * there. Tolerance rtol 1e-6, p-values atol 1e-6 (issue 3 "Done when").
 */
import { describe, expect, it } from 'vitest';
import type { DisclosurePolicy } from '../../src/framework.js';
import { kaplanMeier, type KaplanMeierResult } from '../../src/kaplan-meier/index.js';
import type { Table } from '../../src/table.js';
import {
  REFERENCE_TOLERANCE,
  expectClose,
  jobResult,
  loadFixtureTable,
  readReference,
  splitRandomly,
} from '../support/fixtures.js';

interface RCurve {
  time: number[];
  'n.risk': number[];
  'n.event': number[];
  'n.censor': number[];
  surv: number[];
  'std.err': number[];
  lower: number[];
  upper: number[];
}
interface RMedian {
  median: number | null;
  lower: number | null;
  upper: number | null;
}
interface RGrid {
  grid: number[];
  n: number;
  events: number;
  smallestCell: number;
  conf: Record<'log' | 'log-log' | 'plain', { curve: RCurve; median: RMedian }>;
  groups: {
    n: number;
    events: number;
    curves: Record<string, RCurve>;
    median: Record<string, RMedian>;
    logRank: {
      chisq: number;
      df: number;
      p: number;
      observed: Record<string, number>;
      expected: Record<string, number>;
    };
  };
}

const reference = readReference<{ coarse: RGrid; fine: RGrid }>('kaplan-meier');
const table = loadFixtureTable('kaplan-meier');
const base = { time: 'survival_days', event: 'died' };
const { rtol, atol } = REFERENCE_TOLERANCE;

function run(params: object, tables: Table[], policy?: DisclosurePolicy): KaplanMeierResult {
  return jobResult(kaplanMeier, params, tables, policy) as KaplanMeierResult;
}

function expectCurve(
  actual: KaplanMeierResult['curves'][string] | undefined,
  r: RCurve,
  what: string,
) {
  expect(actual?.map((p) => p.time)).toEqual(r.time);
  expect(
    actual?.map((p) => p.atRisk),
    `${what} n.risk`,
  ).toEqual(r['n.risk']);
  expect(
    actual?.map((p) => p.events),
    `${what} n.event`,
  ).toEqual(r['n.event']);
  expect(
    actual?.map((p) => p.censored),
    `${what} n.censor`,
  ).toEqual(r['n.censor']);
  r.time.forEach((t, j) => {
    const p = actual?.[j];
    expectClose(p?.survival, r.surv[j] ?? Number.NaN, `${what} S(${t})`, { rtol });
    expectClose(p?.standardError, r['std.err'][j] ?? Number.NaN, `${what} se(${t})`, { rtol });
    expectClose(p?.lower, r.lower[j] ?? Number.NaN, `${what} lower(${t})`, { rtol });
    expectClose(p?.upper, r.upper[j] ?? Number.NaN, `${what} upper(${t})`, { rtol });
  });
}

function expectGrouped(result: KaplanMeierResult, r: RGrid): void {
  expect(result.n).toBe(r.groups.n);
  expect(result.events).toBe(r.groups.events);
  expect(Object.keys(result.curves)).toEqual(Object.keys(r.groups.curves));
  for (const [g, curve] of Object.entries(r.groups.curves)) {
    expectCurve(result.curves[g], curve, `arm ${g}`);
    expect(result.median[g], `arm ${g} median`).toEqual(r.groups.median[g]);
  }
  const lr = result.logRank;
  const ref = r.groups.logRank;
  expectClose(lr?.chiSquare, ref.chisq, 'log-rank chi-square', { rtol });
  expect(lr?.df).toBe(ref.df);
  expectClose(lr?.pValue, ref.p, 'log-rank p', { rtol, atol });
  for (const g of Object.keys(ref.expected)) {
    expect(lr?.observed[g]).toBe(ref.observed[g]);
    expectClose(lr?.expected[g], ref.expected[g] ?? Number.NaN, `expected ${g}`, { rtol });
  }
}

describe('kaplan-meier against R survival (survfit, survdiff, quantile)', () => {
  const coarse = { ...base, timePoints: reference.coarse.grid };

  it('has a fixture whose cells are all large enough to split exactly', () => {
    expect(reference.coarse.smallestCell).toBeGreaterThanOrEqual(100);
  });

  for (const confType of ['log', 'log-log', 'plain'] as const) {
    it(`matches survfit with conf.type "${confType}" on one site`, () => {
      const result = run({ ...coarse, confType }, [table]);
      expect(result.coarsened).toBeUndefined();
      expect(result.n).toBe(reference.coarse.n);
      expect(result.events).toBe(reference.coarse.events);
      const r = reference.coarse.conf[confType];
      expectCurve(result.curves.all, r.curve, confType);
      expect(result.median.all).toEqual(r.median);
      expect(result.logRank).toBeUndefined();
    });
  }

  it('matches survfit by arm and survdiff on one site', () => {
    expectGrouped(run({ ...coarse, group: 'arm' }, [table]), reference.coarse);
  });

  for (const sites of [3, 5]) {
    for (const seed of [1, 2, 3]) {
      it(`gives the same result split over ${sites} sites (seed ${seed})`, () => {
        const result = run({ ...coarse, group: 'arm' }, splitRandomly(table, sites, seed, 1500));
        expect(result.sites).toBe(sites);
        expect(result.coarsened).toBeUndefined();
        expectGrouped(result, reference.coarse);
      });
    }
  }

  it('matches on a fine grid (every 30 days) at one site with minCount 5, medians between points', () => {
    const params = { ...base, group: 'arm', interval: 30, until: 720 };
    expect(reference.fine.smallestCell).toBeGreaterThanOrEqual(5);
    const result = run(params, [table], { minCount: 5, allowMinMax: false });
    expect(result.coarsened).toBeUndefined();
    expect(result.timePoints).toEqual(reference.fine.grid);
    expectGrouped(result, reference.fine);
    const all = run({ ...base, interval: 30, until: 720 }, [table], {
      minCount: 5,
      allowMinMax: false,
    });
    expectCurve(all.curves.all, reference.fine.conf.log.curve, 'fine');
    expect(all.median.all).toEqual(reference.fine.conf.log.median);
  });
});
