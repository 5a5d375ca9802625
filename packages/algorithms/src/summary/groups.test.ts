import { describe, expect, it } from 'vitest';
import type { LocalStepContext } from '../framework.js';
import { runLocalStep } from '../run-local-step.js';
import { simulateJob, seededRandomBytes } from '../simulate.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { summary } from './index.js';
import {
  MAX_GROUPS,
  summaryLocalOutputSchema,
  type GroupsOutput,
  type SummaryParams,
  type SummaryResult,
} from './schemas.js';

/** A site whose `arm` groups have the given sizes; `y` is numeric, `smoker` categorical. */
function makeSite(sizes: Record<string, number>, smokers = 0.3): Table {
  const arm: string[] = [];
  for (const [level, n] of Object.entries(sizes)) for (let i = 0; i < n; i++) arm.push(level);
  return makeTable({
    arm: categoricalColumn(arm, Object.keys(sizes)),
    y: numberColumn(arm.map((_, i) => (i * 37) % 101)),
    smoker: categoricalColumn(arm.map((_, i) => (((i * 13) % 100) / 100 < smokers ? 'yes' : 'no'))),
  });
}

function groupsAt(table: Table, params: SummaryParams, minCount = 10): GroupsOutput | string {
  const ctx: LocalStepContext<SummaryParams> = {
    table,
    params,
    input: null,
    round: 0,
    policy: { minCount, allowMinMax: true },
    randomBytes: seededRandomBytes(1),
  };
  const out = runLocalStep(summary, 'stats', ctx);
  if (out.status !== 'ok') return `${out.code}: ${out.reason}`;
  return summaryLocalOutputSchema.parse(out.output).groups ?? 'no groups';
}

const params: SummaryParams = { variables: ['y', 'smoker'], groupBy: 'arm' };

describe('summary groups at a site', () => {
  it('suppresses a small group and, by secondary suppression, the next smallest', () => {
    const g = groupsAt(makeSite({ a: 60, b: 40, c: 4 }), params) as GroupsOutput;
    expect(g.suppressed.sort()).toEqual(['b', 'c']);
    expect(Object.keys(g.levels)).toEqual(['a']);
    expect(JSON.stringify(g)).not.toMatch(/min|max/);
  });

  it('releases groups of minCount or more untouched', () => {
    const g = groupsAt(makeSite({ a: 60, b: 40 }), params) as GroupsOutput;
    expect(g.suppressed).toEqual([]);
    expect(g.levels.b?.rows).toBe(40);
    expect(g.levels.b?.variables.y).toMatchObject({ count: 40 });
  });

  it('hides a small level cell in a group, a second cell in the group and one across groups', () => {
    // Few smokers: each group's 'yes' cell is small, so they are hidden in every group.
    const g = groupsAt(makeSite({ a: 60, b: 50 }, 0.12), params) as GroupsOutput;
    for (const level of ['a', 'b']) {
      const s = g.levels[level]?.variables.smoker;
      expect(s?.kind === 'categorical' && s.suppressed.length >= 1).toBe(true);
    }
    for (const group of Object.values(g.levels)) {
      const s = group.variables.smoker;
      if (s?.kind !== 'categorical') continue;
      for (const n of Object.values(s.levels)) expect(n === 0 || n >= 10).toBe(true);
      expect(s.suppressed.length === 0 || s.suppressed.length >= 2).toBe(true);
    }
  });

  it('never releases a group count or cell between 1 and minCount − 1', () => {
    for (const sizes of [
      { a: 15, b: 9, c: 30 },
      { a: 11, b: 12, c: 1 },
      { a: 200, b: 3, c: 3 },
    ]) {
      const g = groupsAt(makeSite(sizes, 0.2), params) as GroupsOutput;
      for (const group of Object.values(g.levels)) {
        expect(group.rows).toBeGreaterThanOrEqual(10);
        for (const s of Object.values(group.variables)) {
          expect(s.count === 0 || s.count >= 10).toBe(true);
          if (s.kind === 'categorical') {
            for (const n of Object.values(s.levels)) expect(n === 0 || n >= 10).toBe(true);
          }
        }
      }
      const hidden = g.suppressed.length;
      expect(hidden === 0 || hidden >= 2).toBe(true);
    }
  });

  it(`refuses with LEVEL_LIMIT a groupBy of more than ${String(MAX_GROUPS)} levels`, () => {
    const sizes = Object.fromEntries(
      Array.from({ length: MAX_GROUPS + 1 }, (_, i) => [`g${String(i)}`, 2]),
    );
    expect(groupsAt(makeSite(sizes), params)).toBe(
      `LEVEL_LIMIT: groupBy arm has more than ${String(MAX_GROUPS)} levels`,
    );
  });

  it('refuses with INVALID_PARAMS a numeric groupBy', () => {
    expect(groupsAt(makeSite({ a: 30 }), { variables: ['smoker'], groupBy: 'y' })).toBe(
      'INVALID_PARAMS: groupBy y is not categorical',
    );
  });
});

describe('summary groups pooled', () => {
  it('lists a group suppressed at any site instead of pooling an undercount', () => {
    const tables = [makeSite({ a: 60, b: 40, c: 30 }), makeSite({ a: 50, b: 5, c: 45 })];
    const { decision } = simulateJob(summary, params, tables);
    const result = (decision.kind === 'done' ? decision.result : null) as SummaryResult;
    expect(result.groupBy).toBe('arm');
    // At the second site b is small and c, the smallest other group, is hidden with it.
    expect(result.suppressedGroups).toEqual(['b', 'c']);
    expect(Object.keys(result.groups ?? {})).toEqual(['a']);
    expect(result.groups?.a?.n).toBe(110);
    expect(result.groups?.a?.variables.y).toMatchObject({ count: 110 });
  });
});

describe('summary params', () => {
  const parse = (p: unknown) => summary.params.safeParse(p);

  it('accepts quantiles, bins, range, groupBy and allowMinMax', () => {
    expect(
      parse({
        variables: ['age', 'sex'],
        quantiles: [0.25, 0.5, 0.75],
        bins: 500,
        range: { age: [0, 120] },
        groupBy: 'sex',
        allowMinMax: false,
      }).success,
    ).toBe(true);
  });

  it.each([
    ['a quantile of 0', { variables: ['age'], quantiles: [0] }],
    ['a quantile of 1', { variables: ['age'], quantiles: [1] }],
    ['duplicate quantiles', { variables: ['age'], quantiles: [0.5, 0.5] }],
    ['no quantiles', { variables: ['age'], quantiles: [] }],
    [
      '100 quantiles',
      { variables: ['age'], quantiles: Array.from({ length: 100 }, (_, i) => (i + 1) / 102) },
    ],
    ['bins over the cap', { variables: ['age'], quantiles: [0.5], bins: 10_001 }],
    ['fractional bins', { variables: ['age'], quantiles: [0.5], bins: 99.5 }],
    ['bins without quantiles', { variables: ['age'], bins: 100 }],
    ['a range without quantiles', { variables: ['age'], range: { age: [0, 1] } }],
    ['a reversed range', { variables: ['age'], quantiles: [0.5], range: { age: [5, 1] } }],
    ['an empty range', { variables: ['age'], quantiles: [0.5], range: { age: [1, 1] } }],
    [
      'a range of another variable',
      { variables: ['age'], quantiles: [0.5], range: { bmi: [0, 1] } },
    ],
    [
      'a range of three numbers',
      { variables: ['age'], quantiles: [0.5], range: { age: [0, 1, 2] } },
    ],
    ['a groupBy that is not a name', { variables: ['age'], groupBy: '1sex' }],
    ['a prototype groupBy', { variables: ['age'], groupBy: '__proto__' }],
    ['a non-boolean allowMinMax', { variables: ['age'], allowMinMax: 'yes' }],
  ])('refuses %s', (_what, p) => {
    expect(parse(p).success).toBe(false);
  });

  it('reads the groupBy variable too, so nodes can check it exists', () => {
    expect(summary.variables({ variables: ['y'], groupBy: 'arm' })).toEqual(['y', 'arm']);
  });
});
