import type { HubDecision, SiteResult } from '../../framework.js';
import { COMMON_FAILURES, describeSites, failureFor } from '../../hub-failures.js';
import { keyObject } from '../params.js';
import { compareKeys } from '../series-table.js';
import {
  imagingCohortLocalOutputSchema,
  type CohortCells,
  type ImagingCohortLocalOutput,
  type ImagingCohortParams,
  type ImagingCohortResult,
} from './schemas.js';

/** Hub-side failure codes of `imaging-cohort` (HubDecision `failed`). */
export const IMAGING_COHORT_FAILURES = {
  ...COMMON_FAILURES,
} as const;

const fail = failureFor(IMAGING_COHORT_FAILURES);

/** Said with every result: how patients add up over sites. */
export const PATIENTS_NOTE =
  'patients are counted distinct within each site and summed over sites: a patient imaged at ' +
  'two sites counts twice, since each node pseudonymises patient ids with its own key';

const add = (a: number | null, b: number | null): number | null =>
  a === null || b === null ? null : a + b;

const CELLS = ['patients', 'studies', 'series', 'instances'] as const;

/**
 * Pools the sites' 'counts': each count is the exact sum over the sites that released; a group
 * suppressed at any site has every count null (the others' sum would be an undercount). Groups
 * are the union over the sites, ordered by their values.
 */
export function aggregateImagingCohort(
  params: ImagingCohortParams,
  results: readonly SiteResult[],
): HubDecision<null> {
  const ok = results.filter((r) => r.status === 'ok');
  if (ok.length === 0) return fail('NO_SITES', describeSites(results));
  const outputs: ImagingCohortLocalOutput[] = [];
  for (const r of ok) {
    const parsed = imagingCohortLocalOutputSchema.safeParse(r.output);
    if (!parsed.success || parsed.data.groups.some((g) => g.key.length !== params.groupBy.length)) {
      return fail('INVALID_OUTPUT', `${r.trust}: output does not fit the imaging-cohort step`);
    }
    outputs.push(parsed.data);
  }
  const pooled = new Map<string, { key: (string | null)[]; cells: CohortCells }>();
  for (const o of outputs) {
    for (const g of o.groups) {
      const id = JSON.stringify(g.key);
      const cur = pooled.get(id);
      if (cur === undefined) pooled.set(id, { key: g.key, cells: { ...g.counts } });
      else for (const c of CELLS) cur.cells[c] = add(cur.cells[c], g.counts[c]);
    }
  }
  const totals = { patients: 0, studies: 0, series: 0, instances: 0 };
  for (const o of outputs) for (const c of CELLS) totals[c] += o.totals[c];
  const result: ImagingCohortResult = {
    sites: outputs.length,
    groupBy: [...params.groupBy],
    dateRange: params.dateRange === undefined ? null : [...params.dateRange],
    groups: [...pooled.values()]
      .sort((a, b) => compareKeys(a.key, b.key))
      .map((g) => ({ key: keyObject(params.groupBy, g.key), ...g.cells })),
    totals,
    note: PATIENTS_NOTE,
  };
  return { kind: 'done', result };
}
