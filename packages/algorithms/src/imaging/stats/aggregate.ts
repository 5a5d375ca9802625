import type { HubDecision, SiteResult } from '../../framework.js';
import { COMMON_FAILURES, describeSites, failureFor } from '../../hub-failures.js';
import { binnedMoments } from '../bins.js';
import { PATIENTS_NOTE } from '../cohort/aggregate.js';
import { keyObject } from '../params.js';
import { compareKeys } from '../series-table.js';
import {
  imageStatsLocalOutputSchema,
  type ImageStatsGroup,
  type ImageStatsGroupOutput,
  type ImageStatsLocalOutput,
  type ImageStatsParams,
  type ImageStatsResult,
} from './schemas.js';

/** Hub-side failure codes of `image-stats` (HubDecision `failed`). */
export const IMAGE_STATS_FAILURES = {
  ...COMMON_FAILURES,
} as const;

const fail = failureFor(IMAGE_STATS_FAILURES);

const add = (a: number | null, b: number | null): number | null =>
  a === null || b === null ? null : a + b;

/** A group's sum so far over the sites that released it. */
interface Pooled {
  readonly key: (string | null)[];
  sites: number;
  suppressedAt: number;
  patients: number;
  series: number;
  undecodable: number | null;
  counts: (number | null)[] | null;
}

function addGroup(into: Pooled, g: ImageStatsGroupOutput): void {
  if (g.counts === null) {
    into.suppressedAt++;
    return;
  }
  const counts = g.counts;
  into.sites++;
  into.patients += g.patients ?? 0;
  into.series += g.series ?? 0;
  into.undecodable = add(into.undecodable, g.undecodable);
  into.counts =
    into.counts === null ? [...counts] : into.counts.map((c, b) => add(c, counts[b] ?? null));
}

function fits(o: ImageStatsLocalOutput, params: ImageStatsParams): boolean {
  return o.groups.every(
    (g) =>
      g.key.length === params.groupBy.length &&
      (g.counts === null
        ? g.patients === null && g.series === null
        : g.counts.length === params.bins && g.patients !== null && g.series !== null),
  );
}

function finish(params: ImageStatsParams, p: Pooled): ImageStatsGroup {
  const m = p.counts === null ? null : binnedMoments(p.counts, params.min, params.max);
  const released = p.sites > 0;
  return {
    key: keyObject(params.groupBy, p.key),
    sites: p.sites,
    suppressedAt: p.suppressedAt,
    patients: released ? p.patients : null,
    series: released ? p.series : null,
    undecodable: released ? p.undecodable : null,
    counts: p.counts,
    mean: m?.mean ?? null,
    sd: m?.sd ?? null,
    complete: p.suppressedAt === 0 && p.counts !== null && p.counts.every((c) => c !== null),
  };
}

/**
 * Pools the sites' 'histograms': per group, the bins, patients, series and undecodable series add
 * exactly over the sites that released the group (a bin suppressed at any of them is null), and
 * mean and sd come from the pooled bins at their centres. A group suppressed at a site is
 * pooled from the others and says so in `suppressedAt`.
 */
export function aggregateImageStats(
  params: ImageStatsParams,
  results: readonly SiteResult[],
): HubDecision<null> {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const pooled = new Map<string, Pooled>();
  for (const r of ok) {
    const parsed = imageStatsLocalOutputSchema.safeParse(r.output);
    if (!parsed.success || !fits(parsed.data, params)) {
      return fail('INVALID_OUTPUT', `${r.trust}: output does not fit the image-stats step`);
    }
    for (const g of parsed.data.groups) {
      const id = JSON.stringify(g.key);
      let into = pooled.get(id);
      if (into === undefined) {
        into = {
          key: g.key,
          sites: 0,
          suppressedAt: 0,
          patients: 0,
          series: 0,
          undecodable: 0,
          counts: null,
        };
        pooled.set(id, into);
      }
      addGroup(into, g);
    }
  }
  const w = (params.max - params.min) / params.bins;
  const result: ImageStatsResult = {
    sites: ok.length,
    groupBy: [...params.groupBy],
    min: params.min,
    max: params.max,
    bins: params.bins,
    binWidth: w,
    groups: [...pooled.values()]
      .sort((a, b) => compareKeys(a.key, b.key))
      .map((p) => finish(params, p)),
    note:
      `mean and sd are taken at bin centres: within [min, max) each is off by at most ${String(w / 2)} ` +
      `(half a bin); values outside [min, max) count in the edge bins. ${PATIENTS_NOTE}`,
  };
  return { kind: 'done', result };
}
