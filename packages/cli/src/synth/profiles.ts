import { createRng } from '@tessera/algorithms';

/**
 * How one site's population differs from the others (DESIGN: distributions differ between sites):
 * age, BMI, sex ratio and smoking prevalence. The first five are fixed so that a demo's sites
 * differ visibly; later sites are drawn from the same ranges with a seeded generator.
 */
export interface SiteProfile {
  /** Mean age in years of the site's adult patients. */
  readonly ageMean: number;
  /** Median BMI in kg/m². */
  readonly bmiMedian: number;
  readonly femaleShare: number;
  readonly currentSmokers: number;
  readonly formerSmokers: number;
}

const FIXED: readonly SiteProfile[] = [
  { ageMean: 57, bmiMedian: 27.0, femaleShare: 0.51, currentSmokers: 0.14, formerSmokers: 0.25 },
  { ageMean: 64, bmiMedian: 29.5, femaleShare: 0.47, currentSmokers: 0.22, formerSmokers: 0.3 },
  { ageMean: 51, bmiMedian: 25.8, femaleShare: 0.55, currentSmokers: 0.09, formerSmokers: 0.2 },
  { ageMean: 60, bmiMedian: 28.2, femaleShare: 0.5, currentSmokers: 0.18, formerSmokers: 0.28 },
  { ageMean: 55, bmiMedian: 30.5, femaleShare: 0.53, currentSmokers: 0.26, formerSmokers: 0.22 },
];

/** The profile of site `site` (0-based) for a given seed. */
export function siteProfile(seed: number, site: number): SiteProfile {
  const fixed = FIXED[site];
  if (fixed !== undefined) return fixed;
  const rng = createRng(mixSeed(seed, site, 0x51ed));
  const between = (lo: number, hi: number): number => lo + (hi - lo) * rng.uniform();
  return {
    ageMean: between(50, 66),
    bmiMedian: between(25.5, 31),
    femaleShare: between(0.46, 0.56),
    currentSmokers: between(0.08, 0.27),
    formerSmokers: between(0.18, 0.32),
  };
}

/** One 32-bit seed from a run seed, a site and a stream tag, so streams never coincide. */
export function mixSeed(seed: number, site: number, stream: number): number {
  let h = Math.imul(seed >>> 0, 0x9e3779b1) >>> 0;
  h = (h ^ Math.imul(site + 1, 0x85ebca6b)) >>> 0;
  h = (h ^ Math.imul(stream, 0xc2b2ae35)) >>> 0;
  return h;
}
