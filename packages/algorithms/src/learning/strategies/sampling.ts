import { createRng } from '../../numerics/random.js';

/*
 * Client sampling and round bookkeeping (issue 6: sampling fraction, a minimum of sites per
 * round, a deadline, rounds that continue without failed sites while the minimum holds). Pure:
 * the hub supplies the sites, the replies and whether the deadline has passed.
 */

/** How many sites a round asks for. */
export interface SamplingConfig {
  /** Fraction of the available sites to ask, in (0, 1]. */
  readonly fraction: number;
  /** Fewest sites whose updates a round needs (a positive integer). */
  readonly minimum: number;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The sites asked to train in `round`: max(minimum, ⌈fraction·n⌉) of the n available ones
 * (all of them when fewer), drawn without replacement from a stream seeded by (seed, round).
 * The draw depends on the set of sites, not their order, so a restarted hub draws the same.
 * Returned sorted.
 * @throws Error when fewer sites are available than the minimum, a site is listed twice, or
 *   the fraction or minimum is out of range.
 */
export function sampleSites(
  available: readonly string[],
  config: SamplingConfig,
  seed: number,
  round: number,
): string[] {
  const { fraction, minimum } = config;
  if (!(fraction > 0 && fraction <= 1))
    throw new Error(`sampling fraction ${fraction} is not in (0, 1]`);
  if (!Number.isSafeInteger(minimum) || minimum < 1)
    throw new Error(`minimum sites ${minimum} is not a positive integer`);
  const pool = [...available].sort(byCodeUnit);
  if (new Set(pool).size !== pool.length)
    throw new Error('a site is listed twice among the available');
  if (pool.length < minimum)
    throw new Error(`round ${round}: ${pool.length} sites available, the minimum is ${minimum}`);
  const take = Math.min(pool.length, Math.max(minimum, Math.ceil(fraction * pool.length)));
  // One stream per round from both numbers: Math.imul spreads the round over all 32 bits.
  const rng = createRng((seed ^ Math.imul(round + 1, 0x9e3779b1)) >>> 0);
  for (let i = 0; i < take; i++) {
    const j = i + rng.int(pool.length - i);
    const a = pool[i] ?? '';
    pool[i] = pool[j] ?? '';
    pool[j] = a;
  }
  return pool.slice(0, take).sort(byCodeUnit);
}

/** A selected site's answer so far: trained, failed (refused, error), or none yet. */
export type SiteReply = 'ok' | 'failed';

/** Where a round stands. */
export interface RoundStatus {
  /**
   * `waiting`: replies still due before the deadline and the minimum still reachable;
   * `complete`: settled with at least `minimum` updates; `short`: settled without enough.
   */
  readonly state: 'waiting' | 'complete' | 'short';
  /** Sites that returned an update, sorted. */
  readonly completed: readonly string[];
  /** Sites that answered with a failure, sorted. */
  readonly failed: readonly string[];
  /** Sites without a reply when the deadline passed, sorted (empty before it). */
  readonly timedOut: readonly string[];
  /** Sites still expected (empty once settled by the deadline). */
  readonly pending: readonly string[];
}

/**
 * The status of a round from the sites asked, their replies so far and whether the deadline
 * has passed. A round settles when every site answered, when the deadline passes, or early as
 * `short` once too few sites remain to reach the minimum. Replies from sites not asked are
 * ignored (a late site from an earlier round, say).
 * @throws Error when the minimum is not a positive integer.
 */
export function roundStatus(
  selected: readonly string[],
  replies: ReadonlyMap<string, SiteReply>,
  minimum: number,
  deadlinePassed: boolean,
): RoundStatus {
  if (!Number.isSafeInteger(minimum) || minimum < 1)
    throw new Error(`minimum sites ${minimum} is not a positive integer`);
  const sites = [...new Set(selected)].sort(byCodeUnit);
  const completed = sites.filter((s) => replies.get(s) === 'ok');
  const failed = sites.filter((s) => replies.get(s) === 'failed');
  const unanswered = sites.filter((s) => !replies.has(s));
  const timedOut = deadlinePassed ? unanswered : [];
  const pending = deadlinePassed ? [] : unanswered;
  let state: RoundStatus['state'];
  if (completed.length + pending.length < minimum) state = 'short';
  else if (pending.length > 0) state = 'waiting';
  else state = 'complete';
  return { state, completed, failed, timedOut, pending };
}
