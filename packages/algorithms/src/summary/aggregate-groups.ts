import { poolCategorical, poolNumeric } from './pool.js';
import {
  MAX_GROUPS,
  type CategoricalStats,
  type GroupNumericSummary,
  type GroupSummary,
  type NumericStats,
  type SummaryLocalOutput,
  type SummaryParams,
} from './schemas.js';

/**
 * Pools the sites' per-group statistics. A group suppressed at any site is listed in
 * `suppressedGroups` and not pooled (its sum would be an undercount); likewise a variable suppressed
 * in a group at any site is listed in that group's `suppressed`. A group a site does not list has
 * no rows there.
 *
 * @returns null when the groups add up to more than MAX_GROUPS over the sites.
 */
export function poolGroups(
  params: SummaryParams,
  outputs: readonly SummaryLocalOutput[],
): { groups: Record<string, GroupSummary>; suppressedGroups?: string[] } | null {
  const all = new Set<string>();
  const hidden = new Set<string>();
  for (const o of outputs) {
    for (const l of Object.keys(o.groups?.levels ?? {})) all.add(l);
    for (const l of o.groups?.suppressed ?? []) {
      all.add(l);
      hidden.add(l);
    }
  }
  if (all.size > MAX_GROUPS) return null;
  const groups: Record<string, GroupSummary> = {};
  for (const level of [...all].filter((l) => !hidden.has(l)).sort()) {
    const parts = outputs
      .map((o) =>
        o.groups !== undefined && Object.hasOwn(o.groups.levels, level)
          ? o.groups.levels[level]
          : undefined,
      )
      .filter((g) => g !== undefined);
    const suppressed = new Set(parts.flatMap((g) => g.suppressed));
    const variables: GroupSummary['variables'] = {};
    for (const name of params.variables) {
      if (suppressed.has(name)) continue;
      const stats = parts.flatMap((g) =>
        Object.hasOwn(g.variables, name) && g.variables[name] !== undefined
          ? [g.variables[name]]
          : [],
      );
      const numeric = stats.filter((s): s is NumericStats => s.kind !== 'categorical');
      const categorical = stats.filter((s): s is CategoricalStats => s.kind === 'categorical');
      if (numeric.length > 0) variables[name] = poolGroupNumeric(numeric);
      else if (categorical.length > 0) variables[name] = poolCategorical(categorical);
    }
    const n = parts.reduce((s, g) => s + g.rows, 0);
    groups[level] = {
      n,
      variables,
      ...(suppressed.size === 0 ? {} : { suppressed: [...suppressed].sort() }),
    };
  }
  return hidden.size === 0 ? { groups } : { groups, suppressedGroups: [...hidden].sort() };
}

function poolGroupNumeric(stats: readonly NumericStats[]): GroupNumericSummary {
  const { count, missing, mean, sd } = poolNumeric(stats);
  return { count, missing, mean: count === 0 ? null : mean, sd };
}
