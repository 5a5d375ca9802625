import type { DesignColumn } from '../linear-regression/schemas.js';

/** The design the hub sends to the sites after pooling the covariates' levels. */
export interface DummyDesign {
  /** Design columns after the intercept: number covariates, then one dummy per non-reference level. */
  columns: DesignColumn[];
  /** Every categorical covariate's pooled levels, sorted; the first is the reference. */
  levels: Record<string, string[]>;
}

/**
 * Treatment coding as R's factor(): a covariate with pooled levels (a categorical) gets one dummy
 * column `variable:level` per level after the first in sorted order; any other covariate is one
 * number column. Columns follow the order of `covariates`.
 */
export function dummyDesign(
  covariates: readonly string[],
  levels: ReadonlyMap<string, ReadonlySet<string>>,
): DummyDesign {
  const columns: DesignColumn[] = [];
  const sent: Record<string, string[]> = {};
  for (const name of covariates) {
    const lv = levels.get(name);
    if (lv === undefined) {
      columns.push({ name, variable: name, level: null });
      continue;
    }
    const sorted = [...lv].sort();
    sent[name] = sorted;
    for (const l of sorted.slice(1))
      columns.push({ name: `${name}:${l}`, variable: name, level: l });
  }
  return { columns, levels: sent };
}

/** Each variable's kinds and categorical levels, pooled over the sites' 'levels' outputs. */
export class PooledKinds {
  private readonly kinds = new Map<string, Set<string>>();
  /** Levels of each variable some site reported as categorical, over all sites. */
  readonly levels = new Map<string, Set<string>>();

  /** Adds one site's view of a variable: its kind and, for a categorical, the levels present. */
  note(name: string, info: { readonly kind: string; readonly levels?: readonly string[] }): void {
    this.kinds.set(name, (this.kinds.get(name) ?? new Set()).add(info.kind));
    if (info.levels === undefined) return;
    const set = this.levels.get(name) ?? new Set<string>();
    info.levels.forEach((l) => set.add(l));
    this.levels.set(name, set);
  }

  /** The first of `names` whose kind is not one and the same at every site, as "name: a and b". */
  mismatch(names: readonly string[]): string | null {
    for (const name of names) {
      const k = [...(this.kinds.get(name) ?? [])];
      if (k.length !== 1) return `${name}: ${k.sort().join(' and ')}`;
    }
    return null;
  }
}
