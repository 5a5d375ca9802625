import type { LocalOutcome, LocalStepContext } from '../../framework.js';
import { dateMask, groupRows, seriesColumns, type ImagingUnfit } from '../series-table.js';
import { cellsToSuppress } from '../suppress-patients.js';
import type { CohortCells, ImagingCohortLocalOutput, ImagingCohortParams } from './schemas.js';

/** One group's exact counts and the patients behind them (never released as such). */
interface RawGroup {
  readonly key: (string | null)[];
  readonly patients: Set<number>;
  readonly studies: Set<number>;
  series: number;
  instances: number;
}

/** The exact local counts before disclosure. */
export interface CohortRaw {
  readonly patients: Set<number>;
  readonly studies: Set<number>;
  readonly series: number;
  readonly instances: number;
  readonly groups: readonly RawGroup[];
}

/**
 * Local step 'counts': per group of series in the date range, the distinct patients, distinct
 * studies, series and instances (a missing instance count counts 0 instances).
 */
export function runImagingCohort(
  ctx: LocalStepContext<ImagingCohortParams>,
): CohortRaw | ImagingUnfit {
  const cols = seriesColumns(ctx.table);
  if ('unfit' in cols) return cols;
  const keep = dateMask(ctx.table, ctx.params.dateRange);
  if (keep !== null && 'unfit' in keep) return keep;
  const grouping = groupRows(ctx.table, ctx.params.groupBy, keep);
  if ('unfit' in grouping) return grouping;
  const groups: RawGroup[] = grouping.keys.map((key) => ({
    key,
    patients: new Set(),
    studies: new Set(),
    series: 0,
    instances: 0,
  }));
  const all = { patients: new Set<number>(), studies: new Set<number>(), series: 0, instances: 0 };
  for (let i = 0; i < ctx.table.rows; i++) {
    const g = groups[grouping.groupOf[i] ?? -1];
    if (g === undefined) continue;
    const p = cols.patient[i] ?? -1 - i;
    const s = cols.study[i] ?? -1;
    const n = cols.instances[i] ?? Number.NaN;
    const inst = Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
    for (const into of [g, all]) {
      into.patients.add(p);
      if (s >= 0) into.studies.add(s);
      into.series++;
      into.instances += inst;
    }
  }
  return { ...all, groups };
}

const HIDDEN: CohortCells = { patients: null, studies: null, series: null, instances: null };

/**
 * Disclosure check of 'counts': INVALID_PARAMS for a dataset without the imaging columns or a
 * group variable, LEVEL_LIMIT past the group limit; MIN_COUNT when the series in the date range
 * belong to fewer than minCount patients. Otherwise a group with fewer than minCount patients is
 * suppressed whole (its studies, series and instances are counts over those few patients), and
 * secondary suppression hides further groups until the hidden ones hold at least minCount
 * patients, since the released totals minus the released groups would give them back.
 */
export function discloseImagingCohort(
  raw: CohortRaw | ImagingUnfit,
  ctx: LocalStepContext<ImagingCohortParams>,
): LocalOutcome {
  if ('unfit' in raw) {
    return { status: 'refused', code: raw.code, reason: raw.unfit };
  }
  const min = ctx.policy.minCount;
  if (raw.patients.size < min) {
    const where = ctx.params.dateRange === undefined ? '' : ' in the date range';
    return {
      status: 'refused',
      code: 'MIN_COUNT',
      reason: `the series${where} belong to fewer than ${min} patients`,
    };
  }
  const hidden = cellsToSuppress(
    raw.groups.map((g) => g.patients),
    min,
  );
  const output: ImagingCohortLocalOutput = {
    totals: {
      patients: raw.patients.size,
      studies: raw.studies.size,
      series: raw.series,
      instances: raw.instances,
    },
    groups: raw.groups.map((g, i) => ({
      key: g.key,
      counts: hidden.has(i)
        ? HIDDEN
        : {
            patients: g.patients.size,
            studies: g.studies.size,
            series: g.series,
            instances: g.instances,
          },
    })),
  };
  return { status: 'ok', output };
}
