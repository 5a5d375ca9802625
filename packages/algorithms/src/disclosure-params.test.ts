import { describe, expect, it } from 'vitest';
import { listAlgorithms } from './registry.js';

/** The smallest valid params of every built-in algorithm. */
const MINIMAL: Readonly<Record<string, Record<string, unknown>>> = {
  summary: { variables: ['age'] },
  histogram: { variable: 'age', bins: 4, range: [0, 100] },
  crosstab: { rows: 'sex', columns: 'smoking' },
  ttest: { variable: 'sbp', group: 'sex' },
  'linear-regression': { outcome: 'sbp', covariates: ['age'] },
  'logistic-regression': { outcome: 'diabetes', covariates: ['age'] },
  'poisson-regression': { outcome: 'visits', covariates: ['age'] },
  anova: { variable: 'sbp', group: 'smoking' },
  correlation: { variables: ['age', 'bmi'] },
  'kaplan-meier': { time: 'days', event: 'event', interval: 30, until: 360 },
  pca: { variables: ['age', 'bmi'] },
  kmeans: { variables: ['age', 'bmi'], k: 2 },
  train: { outcome: 'diabetes', features: ['age', 'bmi'], model: { type: 'logistic' } },
  'imaging-cohort': {},
  'image-stats': { min: -1024, max: 3072, bins: 64 },
};

const STRICTER = {
  minCount: 20,
  maxStringLength: 40,
  maxLevels: 10,
  maxLevelDensity: 0.2,
  differencingGuard: true,
};

describe('disclosure params', () => {
  it('every built-in algorithm is listed here', () => {
    expect(
      listAlgorithms()
        .map((a) => a.name)
        .sort(),
    ).toEqual(Object.keys(MINIMAL).sort());
  });

  it.each(listAlgorithms().map((a) => [a.name, a] as const))(
    '%s accepts the stricter disclosure fields a job may send',
    (name, alg) => {
      const base = MINIMAL[name] ?? {};
      expect(alg.params.safeParse(base).success).toBe(true);
      expect(alg.params.safeParse({ ...base, ...STRICTER }).success).toBe(true);
      // A job cannot switch the guard off: only `true` is accepted.
      expect(alg.params.safeParse({ ...base, differencingGuard: false }).success).toBe(false);
    },
  );
});
