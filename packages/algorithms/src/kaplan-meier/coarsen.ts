import type { SiteCurve } from './schemas.js';

/** One curve's exact counts at a site, before disclosure control. */
export interface RawCurve {
  /** Events whose time rounds up to grid point j (t_{j−1} < time ≤ t_j). */
  readonly events: readonly number[];
  /** Censored rows whose time rounds up to grid point j. */
  readonly censored: readonly number[];
  /** Rows followed beyond the last grid point, whatever their status. */
  readonly beyond: number;
}

const releasable = (x: number, min: number): boolean => x === 0 || x >= min;

/**
 * Disclosure control of one curve (issue 3 "minCount on every released count, cell"): every
 * released number is 0 or ≥ `min`, and the released curve is always the exact Kaplan–Meier input
 * of the same rows with some times rounded further up. Two rules:
 *
 * 1. Carry forward. At each grid point the pending events (and, separately, pending censored
 *    rows) are released when 0 or ≥ min; otherwise they are held back and added to the next
 *    point. Moving a row to a later grid point is the same rounding the grid already applies, only
 *    coarser, so nothing false is released: events appear later (never earlier) and censored rows
 *    stay at risk longer.
 * 2. Stop early. The site's last reported point J is the latest at which no event is pending and
 *    the rows still followed there (pending censored plus everyone beyond t_J) make a releasable
 *    count; they are released as censored at t_J. Beyond J the site adds nothing to the pooled
 *    curve, like administrative censoring at t_J. J = 0 (no point at all) is always possible.
 *
 * Every at-risk count the hub derives is a sum of released cells, hence also 0 or ≥ min. When no
 * cell is small and the beyond count is releasable, the output equals the raw counts exactly.
 */
export function coarsenCurve(raw: RawCurve, min: number): SiteCurve {
  const k = raw.events.length;
  let n = raw.beyond;
  for (let j = 0; j < k; j++) n += (raw.events[j] ?? 0) + (raw.censored[j] ?? 0);
  const events: number[] = [];
  const censored: number[] = [];
  const heldBack: boolean[] = [];
  // Rows still followed after point j but not released by it, and whether j may be the last.
  const followedAt: number[] = [];
  const canEndAt: boolean[] = [];
  let pendingE = 0;
  let pendingC = 0;
  let upTo = 0;
  for (let j = 0; j < k; j++) {
    const d = raw.events[j] ?? 0;
    const c = raw.censored[j] ?? 0;
    upTo += d + c;
    pendingE += d;
    pendingC += c;
    const outE = releasable(pendingE, min) ? pendingE : 0;
    const outC = releasable(pendingC, min) ? pendingC : 0;
    pendingE -= outE;
    pendingC -= outC;
    events.push(outE);
    censored.push(outC);
    heldBack.push(pendingE > 0 || pendingC > 0);
    followedAt.push(pendingC + n - upTo);
    canEndAt.push(pendingE === 0 && releasable(outC + pendingC + n - upTo, min));
  }
  let last = k;
  while (last > 0 && canEndAt[last - 1] !== true) last--;
  const outEvents = events.slice(0, last);
  const outCensored = censored.slice(0, last);
  if (last > 0) {
    // Everyone still followed after t_J is censored at t_J; as the grid only asks who is at risk
    // at each t_j, censoring at t_J and censoring after it are the same.
    outCensored[last - 1] = (outCensored[last - 1] ?? 0) + (followedAt[last - 1] ?? 0);
  }
  const deferred = heldBack.slice(0, Math.max(0, last - 1)).filter(Boolean).length;
  return { n, events: outEvents, censored: outCensored, deferred };
}
