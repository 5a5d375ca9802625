import { describe, expect, it } from 'vitest';
import type { SiteResult } from '../framework.js';
import { simulateJob } from '../simulate.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { findQuantile } from './estimate.js';
import { kaplanMeier } from './index.js';
import {
  kaplanMeierLocalOutputSchema,
  timeGrid,
  type KaplanMeierParams,
  type KaplanMeierResult,
} from './schemas.js';

interface Row {
  time: number | null;
  died: number | null;
  arm?: string | null;
}

const siteTable = (rows: readonly Row[]): Table =>
  makeTable({
    time: numberColumn(rows.map((r) => r.time)),
    died: numberColumn(rows.map((r) => r.died)),
    arm: categoricalColumn(
      rows.map((r) => r.arm ?? 'A'),
      ['A', 'B'],
    ),
  });

/** `count` rows with the same time and status. */
const rows = (count: number, time: number | null, died: number, arm = 'A'): Row[] =>
  Array.from({ length: count }, () => ({ time, died, arm }));

const base = { time: 'time', event: 'died', timePoints: [1, 2, 3, 4] };

function done(params: object, tables: Table[]): KaplanMeierResult {
  const { decision } = simulateJob(kaplanMeier, params, tables);
  if (decision.kind !== 'done') throw new Error(`expected done, got ${JSON.stringify(decision)}`);
  return decision.result as KaplanMeierResult;
}

function siteOutcomes(params: object, tables: Table[]): readonly SiteResult[] {
  return simulateJob(kaplanMeier, params, tables).rounds[0] ?? [];
}

describe('kaplan-meier', () => {
  it('computes the curve, the Greenwood error and the median midpoint as R survfit does', () => {
    // R 4 / survival 3.5.3: t <- rep(1:4, each = 10); survfit(Surv(t, rep(1, 40)) ~ 1):
    // std.err 0.06846532 0.07905694 0.06846532 NaN, lower 0.6271300 0.3667611 0.1461601 NA,
    // quantile(fit, 0.5): 2.5 (2, 3).
    const table = siteTable([
      ...rows(10, 1, 1),
      ...rows(10, 2, 1),
      ...rows(10, 3, 1),
      ...rows(10, 4, 1),
    ]);
    const r = done(base, [table]);
    const all = r.curves.all ?? [];
    expect(all.map((p) => p.survival)).toEqual([0.75, 0.5, 0.25, 0]);
    expect(all.map((p) => p.atRisk)).toEqual([40, 30, 20, 10]);
    expect(all[0]?.standardError).toBeCloseTo(0.06846532, 7);
    expect(all[1]?.standardError).toBeCloseTo(0.07905694, 7);
    expect(all[1]?.lower).toBeCloseTo(0.3667611, 7);
    expect(all[3]).toMatchObject({ survival: 0, standardError: null, lower: null, upper: null });
    expect(r.median.all).toEqual({ median: 2.5, lower: 2, upper: 3 });
  });

  it('rounds times up to the grid and counts rows beyond the last point as censored there', () => {
    const table = siteTable([...rows(10, 0.5, 1), ...rows(10, 2, 0), ...rows(12, 9, 1)]);
    const r = done({ ...base, timePoints: [1, 2] }, [table]);
    expect(r.curves.all?.map((p) => [p.atRisk, p.events, p.censored])).toEqual([
      [32, 10, 0],
      [22, 0, 22],
    ]);
    expect(r.events).toBe(10);
  });

  it('builds the grid from interval and until', () => {
    const p = kaplanMeier.params.parse({
      ...base,
      timePoints: undefined,
      interval: 0.1,
      until: 0.3,
    });
    expect(timeGrid(p)).toEqual([0.1, 0.2, 0.30000000000000004]);
  });

  it('never releases a small cell: carries it forward and reports the coarsening per site', () => {
    const exact = siteTable([...rows(12, 1, 1), ...rows(10, 2, 1), ...rows(20, 4, 0)]);
    // Site 2 has 3 deaths at t = 1: they are released with the 11 deaths at t = 2.
    const coarse = siteTable([...rows(3, 1, 1), ...rows(11, 2, 1), ...rows(15, 4, 0)]);
    const run = simulateJob(kaplanMeier, base, [exact, coarse]);
    for (const site of run.rounds[0] ?? []) {
      const out = kaplanMeierLocalOutputSchema.parse(site.output);
      for (const c of Object.values(out.curves)) {
        const values = [...c.events, ...c.censored, c.n];
        expect(values.filter((v) => v > 0 && v < 10)).toEqual([]);
      }
    }
    if (run.decision.kind !== 'done') throw new Error('expected done');
    const r = run.decision.result as KaplanMeierResult;
    expect(r.coarsened).toEqual({ 'site-2': { all: { deferredPoints: 1 } } });
    expect(r.curves.all?.map((p) => p.events)).toEqual([12, 24, 0, 0]);
  });

  it('reports where a site stopped its curve early', () => {
    const ok = siteTable([...rows(12, 1, 1), ...rows(12, 3, 1), ...rows(20, 4, 0)]);
    const early = siteTable([...rows(12, 1, 1), ...rows(10, 2, 0), ...rows(4, 3, 1)]);
    const r = done(base, [ok, early]);
    expect(r.coarsened).toEqual({ 'site-2': { all: { deferredPoints: 0, lastPoint: 2 } } });
    expect(r.curves.all?.map((p) => p.atRisk)).toEqual([70, 46, 32, 20]);
  });

  it('groups by a categorical and runs the log-rank test', () => {
    const table = siteTable([
      ...rows(10, 1, 1, 'A'),
      ...rows(20, 4, 0, 'A'),
      ...rows(10, 2, 1, 'B'),
      ...rows(10, 3, 1, 'B'),
      ...rows(10, 4, 0, 'B'),
    ]);
    const r = done({ ...base, group: 'arm' }, [table]);
    expect(Object.keys(r.curves)).toEqual(['A', 'B']);
    expect(r.logRank?.df).toBe(1);
    expect(r.logRank?.observed).toEqual({ A: 10, B: 20 });
  });

  it('reads a two-level categorical event (second level) or the named eventLevel', () => {
    const status = (values: string[], levels: string[]): Table =>
      makeTable({
        time: numberColumn(values.map(() => 1)),
        status: categoricalColumn(values, levels),
      });
    const values = [...Array<string>(12).fill('dead'), ...Array<string>(10).fill('alive')];
    const params = { ...base, event: 'status' };
    expect(done(params, [status(values, ['alive', 'dead'])]).events).toBe(12);
    const three = status(values, ['alive', 'dead', 'lost']);
    expect(done({ ...params, eventLevel: 'alive' }, [three]).events).toBe(10);
    expect(siteOutcomes(params, [three])[0]).toMatchObject({
      status: 'refused',
      code: 'INVALID_PARAMS',
    });
  });

  it('refuses MIN_COUNT when complete cases or a group are below minCount', () => {
    const missing = siteTable([...rows(8, 1, 1), ...rows(10, null, 1)]);
    expect(siteOutcomes(base, [missing])[0]).toEqual({
      trust: 'site-1',
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'fewer than 10 rows have time, died',
    });
    const smallGroup = siteTable([...rows(20, 1, 1, 'A'), ...rows(4, 2, 0, 'B')]);
    expect(siteOutcomes({ ...base, group: 'arm' }, [smallGroup])[0]).toMatchObject({
      code: 'MIN_COUNT',
      reason: 'group B has fewer than 10 complete cases',
    });
  });

  it('fails the step on a negative time or an event other than 0/1, naming no value', () => {
    const negative = siteTable([...rows(12, 1, 1), { time: -2, died: 0 }]);
    expect(siteOutcomes(base, [negative])[0]).toMatchObject({
      status: 'failed',
      reason: 'time time has a negative or infinite value',
    });
    const two = siteTable([...rows(12, 1, 1), { time: 3, died: 2 }]);
    expect(siteOutcomes(base, [two])[0]).toMatchObject({ status: 'failed' });
  });

  it('fails NO_SITES and INVALID_OUTPUT at the hub', () => {
    const p = kaplanMeier.params.parse(base);
    expect(kaplanMeier.aggregate(p, null, 'counts', [])).toMatchObject({ code: 'NO_SITES' });
    const long = {
      all: { n: 50, events: [10, 10, 10, 10, 10], censored: [0, 0, 0, 0, 0], deferred: 0 },
    };
    const bad: SiteResult[] = [{ trust: 's', status: 'ok', output: { curves: long } }];
    expect(kaplanMeier.aggregate(p, null, 'counts', bad)).toMatchObject({ code: 'INVALID_OUTPUT' });
  });

  it('refuses bad params', () => {
    const bad: object[] = [
      { ...base, extra: 1 },
      { time: 'time', event: 'died' },
      { ...base, interval: 30, until: 720 },
      { time: 'time', event: 'died', interval: 30 },
      { time: 'time', event: 'died', interval: 1, until: 1001 },
      { ...base, timePoints: [1, 3, 2] },
      { ...base, timePoints: [-1, 2] },
      { ...base, event: 'time' },
      { ...base, group: 'died' },
      { ...base, confidenceLevel: 1 },
      { ...base, confType: 'logit' },
      { ...base, time: '__proto__' },
    ];
    for (const p of bad)
      expect(kaplanMeier.params.safeParse(p).success, JSON.stringify(p)).toBe(false);
    const ok: KaplanMeierParams = kaplanMeier.params.parse(base);
    expect(ok).toMatchObject({ confidenceLevel: 0.95, confType: 'log' });
  });
});

describe('findQuantile (R survival:::findq)', () => {
  it('takes the midpoint to the last time when the curve ends exactly at p', () => {
    expect(findQuantile([0, 1, 2, 3], [0, 0.2, 0.5, 0.5], 0.5, 1e-8)).toBe(2.5);
    expect(findQuantile([0, 1, 2], [0, 0.2, 0.4], 0.5, 1e-8)).toBeNull();
  });
});
