import { describe, expect, it } from 'vitest';
import { toCsv, SYNTHETIC_COLUMNS } from './csv.js';
import { generateSite, type SyntheticRow } from './generate.js';

const N = 5000;
const site0 = generateSite({ seed: 42, site: 0, rows: N });
const site1 = generateSite({ seed: 42, site: 1, rows: N });
const site2 = generateSite({ seed: 42, site: 2, rows: N });

const nums = (rows: readonly SyntheticRow[], f: (r: SyntheticRow) => number | null): number[] =>
  rows.map(f).filter((x): x is number => x !== null);
const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Pearson correlation over the rows where both values are present. */
function corr(
  rows: readonly SyntheticRow[],
  f: (r: SyntheticRow) => number | null,
  g: (r: SyntheticRow) => number | null,
): number {
  const pairs = rows
    .map((r) => [f(r), g(r)] as const)
    .filter((p): p is readonly [number, number] => p[0] !== null && p[1] !== null);
  const mx = mean(pairs.map((p) => p[0]));
  const my = mean(pairs.map((p) => p[1]));
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

const rate = (rows: readonly SyntheticRow[], f: (r: SyntheticRow) => boolean): number =>
  rows.filter(f).length / rows.length;

describe('generateSite', () => {
  it('gives the same rows for the same seed, site and size', () => {
    expect(generateSite({ seed: 42, site: 0, rows: 200 })).toEqual(site0.slice(0, 200));
  });

  it('gives other rows for another seed', () => {
    const other = generateSite({ seed: 43, site: 0, rows: 200 });
    expect(other.map((r) => r.age)).not.toEqual(site0.slice(0, 200).map((r) => r.age));
  });

  it('makes patient ids unique within a site', () => {
    expect(new Set(site0.map((r) => r.patient_id)).size).toBe(N);
  });

  it('keeps every value in a clinically plausible range', () => {
    for (const r of [...site0, ...site1, ...site2]) {
      expect(Number.isInteger(r.age) && r.age >= 18 && r.age <= 95).toBe(true);
      expect(['F', 'M']).toContain(r.sex);
      if (r.bmi !== null) expect(r.bmi >= 15 && r.bmi <= 60).toBe(true);
      expect([null, 'never', 'former', 'current']).toContain(r.smoking);
      expect(r.sbp >= 80 && r.sbp <= 240).toBe(true);
      if (r.hba1c !== null) expect(r.hba1c >= 20 && r.hba1c <= 130).toBe(true);
      expect([0, 1]).toContain(r.diabetes);
      expect(Number.isInteger(r.followup_days) && r.followup_days >= 1).toBe(true);
      // Administrative censoring at 5 years bounds follow-up.
      expect(r.followup_days).toBeLessThanOrEqual(Math.round(5 * 365.25));
      expect([0, 1]).toContain(r.event);
    }
  });

  it('has plausible marginals: mean sbp 115–145, mean HbA1c 30–42, diabetes 3–25%, events 5–30%', () => {
    for (const rows of [site0, site1, site2]) {
      expect(mean(nums(rows, (r) => r.sbp))).toBeGreaterThan(115);
      expect(mean(nums(rows, (r) => r.sbp))).toBeLessThan(145);
      expect(mean(nums(rows, (r) => r.hba1c))).toBeGreaterThan(30);
      expect(mean(nums(rows, (r) => r.hba1c))).toBeLessThan(42);
      expect(rate(rows, (r) => r.diabetes === 1)).toBeGreaterThan(0.03);
      expect(rate(rows, (r) => r.diabetes === 1)).toBeLessThan(0.25);
      expect(rate(rows, (r) => r.event === 1)).toBeGreaterThan(0.05);
      expect(rate(rows, (r) => r.event === 1)).toBeLessThan(0.3);
    }
  });

  it('leaves about 2% of bmi and hba1c missing (0.5–4% of 5000)', () => {
    for (const f of [(r: SyntheticRow) => r.bmi, (r: SyntheticRow) => r.hba1c]) {
      const missing = rate(site0, (r) => f(r) === null);
      expect(missing).toBeGreaterThan(0.005);
      expect(missing).toBeLessThan(0.04);
    }
    expect(site0.some((r) => r.smoking === null)).toBe(true);
  });

  it('plants the correlations age → sbp and bmi → hba1c', () => {
    // Planted: corr ≈ 0.45 (age, sbp) and ≈ 0.5 (bmi, hba1c); with n = 5000 the sampling
    // standard error is about 0.012, so 0.2 is far below and a missing effect (0) far above.
    expect(
      corr(
        site0,
        (r) => r.age,
        (r) => r.sbp,
      ),
    ).toBeGreaterThan(0.2);
    expect(
      corr(
        site0,
        (r) => r.bmi,
        (r) => r.hba1c,
      ),
    ).toBeGreaterThan(0.2);
  });

  it('makes diabetes more likely with higher HbA1c and BMI (logistic model)', () => {
    const rows = [...site0, ...site1, ...site2];
    const high = rows.filter((r) => r.hba1c !== null && r.hba1c >= 42);
    const low = rows.filter((r) => r.hba1c !== null && r.hba1c < 34);
    expect(rate(high, (r) => r.diabetes === 1)).toBeGreaterThan(
      3 * rate(low, (r) => r.diabetes === 1),
    );
    expect(
      corr(
        rows,
        (r) => r.bmi,
        (r) => r.diabetes,
      ),
    ).toBeGreaterThan(0.05);
  });

  it('raises the event hazard with diabetes, age and smoking, and censors the rest', () => {
    const rows = [...site0, ...site1, ...site2];
    const eventRate = (f: (r: SyntheticRow) => boolean): number =>
      rate(rows.filter(f), (r) => r.event === 1);
    expect(eventRate((r) => r.diabetes === 1)).toBeGreaterThan(
      1.3 * eventRate((r) => r.diabetes === 0),
    );
    expect(eventRate((r) => r.age >= 70)).toBeGreaterThan(2 * eventRate((r) => r.age < 50));
    expect(eventRate((r) => r.smoking === 'current')).toBeGreaterThan(
      1.3 * eventRate((r) => r.smoking === 'never'),
    );
    // Censored patients are followed for different times (administrative censoring spreads them).
    const censored = nums(
      rows.filter((r) => r.event === 0),
      (r) => r.followup_days,
    );
    expect(Math.min(...censored)).toBeLessThan(2 * 365);
    expect(Math.max(...censored)).toBeGreaterThan(4.5 * 365);
  });

  it('makes sites differ in age, BMI and smoking', () => {
    const ageGap = mean(nums(site1, (r) => r.age)) - mean(nums(site2, (r) => r.age));
    expect(ageGap).toBeGreaterThan(8);
    const bmiGap = mean(nums(site1, (r) => r.bmi)) - mean(nums(site2, (r) => r.bmi));
    expect(bmiGap).toBeGreaterThan(2);
    const smokers = (rows: readonly SyntheticRow[]): number =>
      rate(rows, (r) => r.smoking === 'current');
    expect(smokers(site1) - smokers(site2)).toBeGreaterThan(0.08);
    // Sites past the fixed profiles still differ from each other.
    const s7 = generateSite({ seed: 42, site: 7, rows: 500 });
    const s8 = generateSite({ seed: 42, site: 8, rows: 500 });
    expect(s7.map((r) => r.age)).not.toEqual(s8.map((r) => r.age));
  });

  it.each([
    { seed: -1, site: 0, rows: 1 },
    { seed: 1.5, site: 0, rows: 1 },
    { seed: 1, site: -1, rows: 1 },
    { seed: 1, site: 0, rows: 2.5 },
    { seed: 1, site: 0, rows: 1e8 },
  ])('refuses bad options %o with RangeError', (o) => {
    expect(() => generateSite(o)).toThrowError(RangeError);
  });
});

describe('toCsv', () => {
  it('writes a header and one line per row, missing values as empty fields', () => {
    const rows = generateSite({ seed: 1, site: 0, rows: 300 });
    const lines = toCsv(rows).split('\n');
    expect(lines[0]).toBe(SYNTHETIC_COLUMNS.join(','));
    expect(lines).toHaveLength(302);
    expect(lines.at(-1)).toBe('');
    const withMissingBmi = rows.findIndex((r) => r.bmi === null);
    expect(withMissingBmi).toBeGreaterThanOrEqual(0);
    const fields = lines[withMissingBmi + 1]!.split(',');
    expect(fields).toHaveLength(SYNTHETIC_COLUMNS.length);
    expect(fields[3]).toBe('');
    const r = rows[0]!;
    expect(lines[1]).toBe(
      [
        r.patient_id,
        r.age,
        r.sex,
        r.bmi ?? '',
        r.smoking ?? '',
        r.sbp,
        r.hba1c ?? '',
        r.diabetes,
        r.followup_days,
        r.event,
      ].join(','),
    );
  });

  it('quotes a field that holds a comma or a quote', () => {
    const row = { ...generateSite({ seed: 1, site: 0, rows: 1 })[0]!, patient_id: 'a,"b"' };
    expect(toCsv([row]).split('\n')[1]).toMatch(/^"a,""b""",/);
  });
});
