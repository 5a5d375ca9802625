/**
 * The seeded synthetic-patient generator of `tessera demo` (issue 2 point 7): clinically plausible
 * cardiometabolic patients with planted correlations and site-specific distributions.
 */
export {
  generateSite,
  SURVIVAL_SHAPE,
  type GenerateSiteOptions,
  type SyntheticRow,
} from './generate.js';
export { toCsv, SYNTHETIC_COLUMNS } from './csv.js';
export { siteProfile, type SiteProfile } from './profiles.js';
