import type { LocalOutcome, LocalStepContext } from '../../framework.js';
import { groupRows, seriesColumns, type ImagingUnfit } from '../series-table.js';
import { cellsToSuppress } from '../suppress-patients.js';
import type { ImageStatsGroupOutput, ImageStatsLocalOutput, ImageStatsParams } from './schemas.js';

/** One group's exact pooled histogram and who is behind each bin (never released as such). */
interface RawGroup {
  readonly key: (string | null)[];
  readonly counts: Float64Array;
  /** Per patient with a decoded series: 1 for each bin that patient has a pixel in. */
  readonly binsOf: Map<number, Uint8Array>;
  series: number;
  undecodable: number;
}

/** The exact local histograms before disclosure. */
export interface StatsRaw {
  readonly groups: readonly RawGroup[];
}

/**
 * Local step 'histograms': per group of series, the sum of the series' histograms from
 * `ctx.images` (a series it cannot decode, or a row without a series uid, counts as undecodable),
 * and for each bin which patients have pixels in it.
 */
export function runImageStats(ctx: LocalStepContext<ImageStatsParams>): StatsRaw | ImagingUnfit {
  const images = ctx.images;
  if (images === undefined) {
    return { unfit: 'no pixel access: the job names no imaging dataset', code: 'INVALID_PARAMS' };
  }
  const cols = seriesColumns(ctx.table);
  if ('unfit' in cols) return cols;
  const grouping = groupRows(ctx.table, ctx.params.groupBy, null);
  if ('unfit' in grouping) return grouping;
  const { min, max, bins } = ctx.params;
  const groups: RawGroup[] = grouping.keys.map((key) => ({
    key,
    counts: new Float64Array(bins),
    binsOf: new Map(),
    series: 0,
    undecodable: 0,
  }));
  for (let i = 0; i < ctx.table.rows; i++) {
    const g = groups[grouping.groupOf[i] ?? -1];
    if (g === undefined) continue;
    const code = cols.series.codes[i] ?? -1;
    const uid = code < 0 ? undefined : cols.series.levels[code];
    const h = uid === undefined ? null : images.histogram(uid, min, max, bins);
    if (h?.length !== bins) {
      g.undecodable++;
      continue;
    }
    g.series++;
    const p = cols.patient[i] ?? -1 - i;
    let flags = g.binsOf.get(p);
    if (flags === undefined) g.binsOf.set(p, (flags = new Uint8Array(bins)));
    for (let b = 0; b < bins; b++) {
      const n = h[b] ?? 0;
      if (n > 0) {
        g.counts[b] = (g.counts[b] ?? 0) + n;
        flags[b] = 1;
      }
    }
  }
  return { groups };
}

const HIDDEN = { patients: null, series: null, undecodable: null, counts: null } as const;

/** The patients behind each bin of a group. */
function binMembers(g: RawGroup): Set<number>[] {
  const members = Array.from(g.counts, () => new Set<number>());
  for (const [p, flags] of g.binsOf) {
    flags.forEach((f, b) => {
      if (f === 1) members[b]?.add(p);
    });
  }
  return members;
}

/**
 * Disclosure check of 'histograms': refuses an unfit job (no imaging dataset, a group variable
 * that is not categorical, too many groups), and MIN_COUNT when fewer than minCount patients have
 * a decoded series. A group whose decoded series belong to fewer than minCount patients is
 * suppressed whole. In a released group a bin is suppressed when fewer than minCount patients
 * have pixels in it (a tail bin filled by one patient's implant would describe that patient),
 * with secondary suppression (cellsToSuppress), since the group's pixel total may be known from
 * its image sizes. The count of undecodable series is withheld (null) from 1 to minCount − 1.
 */
export function discloseImageStats(
  raw: StatsRaw | ImagingUnfit,
  ctx: LocalStepContext<ImageStatsParams>,
): LocalOutcome {
  if ('unfit' in raw) return { status: 'refused', code: raw.code, reason: raw.unfit };
  const min = ctx.policy.minCount;
  const everyone = new Set(raw.groups.flatMap((g) => [...g.binsOf.keys()]));
  if (everyone.size < min) {
    return {
      status: 'refused',
      code: 'MIN_COUNT',
      reason: `fewer than ${min} patients have a series whose pixels could be read`,
    };
  }
  const groups = raw.groups.map((g): ImageStatsGroupOutput => {
    if (g.binsOf.size < min) return { key: g.key, ...HIDDEN };
    const hidden = cellsToSuppress(binMembers(g), min);
    return {
      key: g.key,
      patients: g.binsOf.size,
      series: g.series,
      undecodable: g.undecodable > 0 && g.undecodable < min ? null : g.undecodable,
      counts: Array.from(g.counts, (n, b) => (hidden.has(b) ? null : n)),
    };
  });
  const output: ImageStatsLocalOutput = { groups };
  return { status: 'ok', output };
}
