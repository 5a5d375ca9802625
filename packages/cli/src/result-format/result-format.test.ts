import { describe, expect, it } from 'vitest';
import { makeJob } from '../../test/fixtures.js';
import { formatAlgorithmResult, summaryRows } from './index.js';
import { survivalPlot } from './survival.js';

describe('summaryRows', () => {
  const variables = (makeJob().result as { variables: unknown }).variables;

  it('gives one row per variable: count, missing, mean, sd for numbers, levels for categories', () => {
    expect(summaryRows(variables)).toEqual([
      ['age', '2990', '10', '54.123', '12.5', '', ''],
      ['sex', '3000', '0', '', '', '', 'F: 1480, M: 1520'],
    ]);
  });

  it('orders the rows as the job asked for the variables', () => {
    expect(summaryRows(variables, ['sex', 'age'])?.map((r) => r[0])).toEqual(['sex', 'age']);
  });

  it('shows the range and quantiles when the result has them', () => {
    const rows = summaryRows({
      age: {
        count: 20,
        missing: 0,
        mean: 50,
        sd: 10,
        min: 18,
        max: 90,
        quantiles: [{ p: 0.5, estimate: 49.5, lower: 49, upper: 50 }],
      },
    });
    expect(rows).toEqual([['age', '20', '0', '50', '10', '18–90', '0.5: 49.5']]);
  });

  it('returns null for a result that is not a summary', () => {
    expect(summaryRows(undefined)).toBeNull();
  });
});

describe('formatAlgorithmResult', () => {
  it('prints a summary per group after the overall table', () => {
    const text = formatAlgorithmResult(
      'summary',
      {
        n: 30,
        variables: { age: { count: 30, missing: 0, mean: 50, sd: 10 } },
        groups: { F: { n: 14, variables: { age: { count: 14, missing: 0, mean: 48, sd: 9 } } } },
      },
      { variables: ['age'], groupBy: 'sex' },
    );
    expect(text).toContain('sex = F (n = 14)');
    expect(text).toMatch(/age\s+14\s+0\s+48\s+9/);
  });

  it('prints a crosstab with its chi-square test', () => {
    const text = formatAlgorithmResult(
      'crosstab',
      {
        n: 40,
        sites: 2,
        missing: 0,
        rows: ['F', 'M'],
        columns: ['no', 'yes'],
        counts: [
          [12, 10],
          [8, null],
        ],
        chiSquare: { statistic: 1.5, df: 1, pValue: 0.2207 },
      },
      { rows: 'sex', columns: 'diabetes' },
    );
    expect(text).toMatch(/sex \\ diabetes\s+no\s+yes/);
    expect(text).toMatch(/M\s+8\s+—/);
    expect(text).toContain('chi-square = 1.5, df = 1, p = 0.2207');
  });

  it('prints a regression table with odds ratios for a logistic model', () => {
    const text = formatAlgorithmResult(
      'logistic-regression',
      {
        n: 100,
        family: 'binomial',
        coefficients: {
          age: {
            estimate: Math.log(2),
            standardError: 0.1,
            statistic: 6.93,
            pValue: 4e-12,
            ci: [0.5, 0.9],
          },
          '(Intercept)': {
            estimate: -1,
            standardError: 0.2,
            statistic: -5,
            pValue: 5.7e-7,
            ci: [-1.4, -0.6],
          },
        },
        deviance: 80.5,
        iterations: 5,
      },
      { outcome: 'y', covariates: ['age'] },
    );
    expect(text).toMatch(/term\s+estimate\s+std\. error\s+z\s+p\s+95% CI/);
    expect(text).toContain('< 1e-6');
    expect(text).toContain('odds ratios: age 2');
    expect(text).toContain('iterations: 5');
    // Model order, whatever order the stored result's keys came back in.
    expect(text.indexOf('(Intercept)')).toBeLessThan(text.indexOf('age'));
  });

  it('says how a result was protected: secure aggregation and differential privacy', () => {
    const text = formatAlgorithmResult(
      'histogram',
      {
        n: 40,
        edges: [0, 1],
        counts: [40],
        below: 0,
        above: 0,
        missing: 0,
        secureAggregation: {
          sites: 4,
          threshold: 3,
          scaleBits: 20,
          errorBound: 2e-6,
          dropped: ['e'],
        },
        privacy: {
          mechanism: 'laplace',
          epsilonPerSite: 0.5,
          deltaPerSite: 0,
          sites: 4,
          noiseScale: { cells: 2 },
        },
      },
      { variable: 'x', edges: [0, 1] },
    );
    expect(text).toContain(
      'secure aggregation: the hub saw only masked sums of 4 sites (threshold 3, fixed point 2^-20, error ≤ 0.000002); dropped: e',
    );
    expect(text).toContain(
      'differential privacy: laplace, ε = 0.5 spent at each site; noise scale cells 2',
    );
  });

  it("prints a linear model's fit: R², the F test", () => {
    const text = formatAlgorithmResult(
      'linear-regression',
      {
        n: 100,
        coefficients: {
          age: { estimate: 0.5, standardError: 0.1, statistic: 5, pValue: 2e-6, ci: [0.3, 0.7] },
        },
        rSquared: 0.2,
        fStatistic: { value: 25, df1: 1, df2: 98, pValue: 2e-6 },
      },
      { outcome: 'sbp', covariates: ['age'] },
    );
    expect(text).toMatch(/age\s+0\.5\s+0\.1\s+5\s+< 1e-5/);
    expect(text).toContain('R² = 0.2');
    expect(text).toContain('F = 25 on 1 and 98 df, p < 1e-5');
  });

  it('falls back to JSON for a result it does not know', () => {
    expect(formatAlgorithmResult('summary', { x: 1 }, {})).toBe('{\n  "x": 1\n}\n');
    expect(formatAlgorithmResult('no-such-algorithm', [1], {})).toBe('[\n  1\n]\n');
  });
});

describe('kaplan-meier', () => {
  it('prints each curve at its time points, the medians, the coarsening and the log-rank test', () => {
    const point = (time: number, survival: number) => ({
      time,
      atRisk: 50,
      events: 5,
      censored: 0,
      survival,
      standardError: 0.01,
      lower: survival - 0.05,
      upper: survival + 0.05,
    });
    const text = formatAlgorithmResult(
      'kaplan-meier',
      {
        n: 100,
        events: 30,
        curves: { '0': [point(30, 0.9), point(60, 0.8)], '1': [point(30, 0.7), point(60, 0.4)] },
        median: {
          '0': { median: null, lower: null, upper: null },
          '1': { median: 60, lower: 30, upper: null },
        },
        logRank: { chiSquare: 12.5, df: 1, pValue: 0.0004 },
        coarsened: { 'site-b': { '1': { deferredPoints: 1, lastPoint: 60 } } },
      },
      { time: 'days', event: 'died', group: 'arm' },
    );
    expect(text).toMatch(/time\s+arm = 0\s+arm = 1/);
    expect(text).toMatch(
      /^\s*60\s+0\.800 \[0\.750, 0\.850\] n=50\s+0\.400 \[0\.350, 0\.450\] n=50$/m,
    );
    expect(text).toContain('median survival: arm = 0 not reached; arm = 1 60 [30, —]');
    expect(text).toContain('small cells carried to later time points at site-b');
    expect(text).toContain('log-rank chi-square = 12.5, df = 1, p = 0.0004');
  });
});

describe('survivalPlot', () => {
  it('draws each curve as a step function from 1 at time 0 downwards', () => {
    const plot = survivalPlot({
      all: [
        { time: 10, survival: 0.5 },
        { time: 20, survival: 0 },
      ],
    });
    const lines = plot.split('\n');
    expect(lines[0]).toMatch(/^ 1\.0 │●/);
    expect(lines[12]).toMatch(/^ 0\.0 │ +●+$/);
    expect(plot).toContain('● all');
  });
});
