import type { RawGroup } from './groups-local.js';
import type { CategoricalStats, GroupsOutput, VariableStats } from './schemas.js';

/**
 * Secondary suppression over one line of cells whose total the hub may know (summary's rule,
 * suppressSmallCells): while exactly one non-zero cell is hidden, or the hidden cells add up to
 * less than minCount, the smallest released non-zero cell is hidden too.
 *
 * @returns whether a cell was hidden.
 */
function protectLine(values: readonly number[], hidden: boolean[], minCount: number): boolean {
  let changed = false;
  for (;;) {
    let count = 0;
    let sum = 0;
    values.forEach((v, i) => {
      if (hidden[i] === true && v > 0) {
        count++;
        sum += v;
      }
    });
    if (count === 0 || (count > 1 && sum >= minCount)) return changed;
    let next = -1;
    values.forEach((v, i) => {
      if (hidden[i] !== true && v > 0 && (next < 0 || v < (values[next] ?? 0))) next = i;
    });
    if (next < 0) return changed;
    hidden[next] = true;
    changed = true;
  }
}

/** A table of group cells: one column of values (one per group) per released quantity. */
interface CellTable {
  readonly values: Map<string, number[]>;
  readonly hidden: Map<string, boolean[]>;
}

const N = 'n';
const countKey = (v: string): string => `count\u0000${v}`;
const levelKey = (v: string, l: string): string => `level\u0000${v}\u0000${l}`;

function buildTable(groups: readonly RawGroup[], minCount: number): CellTable {
  const values = new Map<string, number[]>();
  const put = (key: string, g: number, v: number): void => {
    const col = values.get(key) ?? new Array<number>(groups.length).fill(0);
    col[g] = v;
    values.set(key, col);
  };
  groups.forEach((group, g) => {
    put(N, g, group.rows);
    for (const [name, s] of Object.entries(group.variables)) {
      put(countKey(name), g, s.count);
      if (s.kind === 'categorical') {
        for (const [l, n] of Object.entries(s.levels)) put(levelKey(name, l), g, n);
      }
    }
  });
  const hidden = new Map<string, boolean[]>();
  for (const [key, col] of values)
    hidden.set(
      key,
      col.map((v) => v > 0 && v < minCount),
    );
  return { values, hidden };
}

/** Hides a cell; returns whether it was visible before. */
function hide(t: CellTable, key: string, g: number): boolean {
  const h = t.hidden.get(key);
  if (h === undefined || h[g] === true) return false;
  h[g] = true;
  return true;
}

const isHidden = (t: CellTable, key: string, g: number): boolean => t.hidden.get(key)?.[g] === true;

/** One pass of every rule over the table; returns whether anything changed. */
function sweep(t: CellTable, groups: readonly RawGroup[], minCount: number): boolean {
  let changed = false;
  groups.forEach((group, g) => {
    const whole = isHidden(t, N, g);
    for (const [name, s] of Object.entries(group.variables)) {
      const varHidden = whole || isHidden(t, countKey(name), g);
      if (whole) changed = hide(t, countKey(name), g) || changed;
      if (s.kind !== 'categorical') continue;
      const keys = Object.keys(s.levels).map((l) => levelKey(name, l));
      if (varHidden) {
        for (const k of keys) changed = hide(t, k, g) || changed;
        continue;
      }
      // The variable's count in the group is released, so its level cells add up to a known total.
      const vals = keys.map((k) => t.values.get(k)?.[g] ?? 0);
      const hid = keys.map((k) => isHidden(t, k, g));
      if (protectLine(vals, hid, minCount)) {
        keys.forEach((k, i) => (hid[i] === true ? (changed = hide(t, k, g) || changed) : null));
      }
    }
  });
  // Each column adds up over the groups to a total the hub knows from the ungrouped release.
  for (const [key, vals] of t.values) {
    const hid = t.hidden.get(key);
    if (hid !== undefined && protectLine(vals, hid, minCount)) changed = true;
  }
  return changed;
}

/**
 * Disclosure of the per-group statistics at a site: a group with 0 < n < minCount is suppressed,
 * and so is a variable whose non-missing count in a group, or a level cell, is 0 < n < minCount.
 * Secondary suppression then runs over both directions of the table until nothing changes: along
 * each group's level cells (their sum is the group's released count) and along each quantity
 * across the groups (the sum is the ungrouped figure, released too), so no hidden cell can be
 * derived by subtraction.
 */
export function suppressGroups(
  levels: Readonly<Record<string, RawGroup>>,
  minCount: number,
): GroupsOutput {
  const names = Object.keys(levels);
  const groups = names.map((l) => levels[l] ?? { rows: 0, variables: {} });
  const table = buildTable(groups, minCount);
  while (sweep(table, groups, minCount));
  const out: GroupsOutput = { levels: {}, suppressed: [] };
  groups.forEach((group, g) => {
    const level = names[g] ?? '';
    if (isHidden(table, N, g)) {
      out.suppressed.push(level);
      return;
    }
    const variables: Record<string, VariableStats> = {};
    const suppressed: string[] = [];
    for (const [name, s] of Object.entries(group.variables)) {
      if (isHidden(table, countKey(name), g)) suppressed.push(name);
      else variables[name] = s.kind === 'categorical' ? keepLevels(s, table, name, g) : s;
    }
    out.levels[level] = { rows: group.rows, variables, suppressed };
  });
  return out;
}

function keepLevels(s: CategoricalStats, t: CellTable, name: string, g: number): CategoricalStats {
  const cells = Object.entries(s.levels);
  const hidden = (l: string): boolean => isHidden(t, levelKey(name, l), g);
  return {
    ...s,
    levels: Object.fromEntries(cells.filter(([l]) => !hidden(l))),
    suppressed: cells.filter(([l]) => hidden(l)).map(([l]) => l),
  };
}
