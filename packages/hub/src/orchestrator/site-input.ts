import { phaseOf } from './job-algorithm.js';

/**
 * What one site's task carries of the step's input. The masked phase relays every share box of
 * the round; each node opens only those addressed to it, so it gets only those (n boxes instead of
 * n², which at 100 sites is 2 MiB less per task). Every other input goes to all sites alike.
 */
export function siteInput(input: unknown, step: string, trust: string): unknown {
  if (phaseOf(step) !== 'masked' || typeof input !== 'object' || input === null) return input;
  const shares = (input as { shares?: unknown }).shares;
  if (!Array.isArray(shares)) return input;
  return {
    ...input,
    shares: shares.filter((b) => (b as { to?: unknown } | null)?.to === trust),
  };
}
