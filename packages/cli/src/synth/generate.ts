import { createRng, type Rng } from '@tessera/algorithms';
import { mixSeed, siteProfile, type SiteProfile } from './profiles.js';

/** One synthetic patient: the columns of the demo dataset (clinically plausible, not real). */
export interface SyntheticRow {
  /** Unique within a site; pseudonymised by the node on import. */
  readonly patient_id: string;
  /** Years, 18 to 95. */
  readonly age: number;
  readonly sex: 'F' | 'M';
  /** kg/m², one decimal; ~2% missing. */
  readonly bmi: number | null;
  /** ~1% missing. */
  readonly smoking: 'never' | 'former' | 'current' | null;
  /** Systolic blood pressure, mmHg. */
  readonly sbp: number;
  /** HbA1c in mmol/mol (IFCC); ~2% missing. */
  readonly hba1c: number | null;
  /** Diabetes diagnosis (0/1). */
  readonly diabetes: 0 | 1;
  /** Days from baseline to the event or censoring, at least 1. */
  readonly followup_days: number;
  /** 1 when the event (a cardiovascular event) was observed, 0 when censored. */
  readonly event: 0 | 1;
}

export interface GenerateSiteOptions {
  /** Run seed: the same seed, site and rows always give the same patients. */
  readonly seed: number;
  /** Site index, 0-based; sites differ in age, BMI, sex ratio and smoking. */
  readonly site: number;
  readonly rows: number;
}

/*
 * The planted model (the coefficients are what federated regressions should recover):
 *   sbp       = 95 + 0.55·age + 0.9·(bmi − 27) + 4·male + N(0, 12)                 [mmHg]
 *   hba1c     = 34 + 0.12·(age − 55) + 0.9·(bmi − 27) + N(0, 5.5)                  [mmol/mol]
 *   logit P(diabetes) = −2.6 + 0.16·(hba1c − 38) + 0.06·(bmi − 27) + 0.03·(age − 55)
 *                        + 0.35·current smoker
 *   event time: Weibull, shape 1.3, cumulative hazard H(t) = λ·t^1.3 (t in years) with
 *     λ = 0.025 · exp(0.65·diabetes + 0.05·(age − 60) + 0.55·current + 0.2·former + 0.25·male)
 *   censoring: administrative (enrolment spread over 2–5 years before the data cut) and loss to
 *     follow-up at 2% a year, whichever is first.
 */
export const SURVIVAL_SHAPE = 1.3;
const MISSING_BMI = 0.02;
const MISSING_HBA1C = 0.02;
const MISSING_SMOKING = 0.01;

/**
 * Synthetic patients of one site, pure and seeded (no I/O, no clock).
 * @throws RangeError when seed or site is not a non-negative integer or rows is not an integer in
 *   0..10 000 000.
 */
export function generateSite(options: GenerateSiteOptions): SyntheticRow[] {
  const { seed, site, rows } = options;
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError('seed must be an integer >= 0');
  if (!Number.isInteger(site) || site < 0) throw new RangeError('site must be an integer >= 0');
  if (!Number.isInteger(rows) || rows < 0 || rows > 10_000_000) {
    throw new RangeError('rows must be an integer in 0..10000000');
  }
  const profile = siteProfile(seed, site);
  const rng = createRng(mixSeed(seed, site, 1));
  const out: SyntheticRow[] = [];
  for (let i = 0; i < rows; i++) out.push(makePatient(rng, profile, site, i));
  return out;
}

function makePatient(rng: Rng, p: SiteProfile, site: number, i: number): SyntheticRow {
  const sex = rng.uniform() < p.femaleShare ? 'F' : 'M';
  const male = sex === 'M' ? 1 : 0;
  const age = Math.round(truncatedNormal(rng, p.ageMean, 13, 18, 95));
  const u = rng.uniform();
  const smoking =
    u < p.currentSmokers ? 'current' : u < p.currentSmokers + p.formerSmokers ? 'former' : 'never';
  const current = smoking === 'current' ? 1 : 0;
  const former = smoking === 'former' ? 1 : 0;
  // BMI is right-skewed: log-normal around the site median, men slightly heavier.
  const bmi = round1(clamp(p.bmiMedian * Math.exp(0.16 * rng.normal()) + 0.6 * male, 15, 60));
  const sbp = Math.round(
    clamp(95 + 0.55 * age + 0.9 * (bmi - 27) + 4 * male + 12 * rng.normal(), 80, 240),
  );
  const hba1c = Math.round(
    clamp(34 + 0.12 * (age - 55) + 0.9 * (bmi - 27) + 5.5 * rng.normal(), 20, 130),
  );
  const logit = -2.6 + 0.16 * (hba1c - 38) + 0.06 * (bmi - 27) + 0.03 * (age - 55) + 0.35 * current;
  const diabetes = rng.uniform() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  const lp = 0.65 * diabetes + 0.05 * (age - 60) + 0.55 * current + 0.2 * former + 0.25 * male;
  const { days, event } = survival(rng, 0.025 * Math.exp(lp));
  return {
    patient_id: `S${site + 1}-${String(i + 1).padStart(6, '0')}`,
    age,
    sex,
    bmi: rng.uniform() < MISSING_BMI ? null : bmi,
    smoking: rng.uniform() < MISSING_SMOKING ? null : smoking,
    sbp,
    hba1c: rng.uniform() < MISSING_HBA1C ? null : hba1c,
    diabetes,
    followup_days: days,
    event,
  };
}

/** Weibull event time by inversion, against administrative and loss-to-follow-up censoring. */
function survival(rng: Rng, lambda: number): { days: number; event: 0 | 1 } {
  const eventYears = (-Math.log(1 - rng.uniform()) / lambda) ** (1 / SURVIVAL_SHAPE);
  const adminYears = 2 + 3 * rng.uniform();
  const lossYears = -Math.log(1 - rng.uniform()) / 0.02;
  const censorYears = Math.min(adminYears, lossYears);
  const years = Math.min(eventYears, censorYears);
  return {
    days: Math.max(1, Math.round(years * 365.25)),
    event: eventYears <= censorYears ? 1 : 0,
  };
}

function truncatedNormal(rng: Rng, mean: number, sd: number, lo: number, hi: number): number {
  // Resampling keeps the shape inside the bounds; the clamp only guards an unlucky streak.
  for (let k = 0; k < 20; k++) {
    const x = mean + sd * rng.normal();
    if (x >= lo && x <= hi) return x;
  }
  return clamp(mean, lo, hi);
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round1 = (x: number): number => Math.round(x * 10) / 10;
