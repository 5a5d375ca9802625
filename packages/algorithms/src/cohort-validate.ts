import {
  cohortDepth,
  MAX_COHORT_DEPTH,
  type Cohort,
  type CohortCondition,
} from '@tessera/protocol';
import { isOrdered, scalarAsNumber, type CohortScalar } from './cohort-values.js';
import type { VariableInfo } from './table.js';

/**
 * Checks a cohort filter against a dataset's variables before it is evaluated, so a researcher
 * gets every problem at once, each naming its variable. Rules:
 * - every variable must exist;
 * - `<`, `<=`, `>`, `>=` and `between` need an ordered (number or date) variable and a number
 *   (or, for dates, an ISO `YYYY-MM-DD` string; for numbers, a boolean counts as 1/0);
 * - `=`, `!=` and `in` on a number or date variable need values of that kind;
 * - on a categorical variable any scalar may be compared for equality; a level the variable does
 *   not have is allowed (it matches no row), because level lists differ between sites;
 * - `between` needs lo <= hi; the tree may be at most MAX_COHORT_DEPTH deep.
 *
 * @returns the problems, empty when the cohort fits.
 */
export function validateCohort(variables: readonly VariableInfo[], cohort: Cohort): string[] {
  const byName = new Map(variables.map((v) => [v.name, v]));
  const problems: string[] = [];
  if (cohortDepth(cohort) > MAX_COHORT_DEPTH) {
    problems.push(`cohort: nested deeper than ${MAX_COHORT_DEPTH} levels`);
  }
  visit(cohort, (c) => {
    const info = byName.get(c.variable);
    if (info === undefined) {
      problems.push(`${c.variable}: not a variable of the dataset`);
      return;
    }
    problems.push(...checkCondition(c, info));
  });
  return problems;
}

function visit(c: Cohort, onCondition: (c: CohortCondition) => void): void {
  if ('and' in c) for (const x of c.and) visit(x, onCondition);
  else if ('or' in c) for (const x of c.or) visit(x, onCondition);
  else if ('not' in c) visit(c.not, onCondition);
  else onCondition(c);
}

function checkCondition(c: CohortCondition, info: VariableInfo): string[] {
  const name = info.name;
  switch (c.op) {
    case 'isNull':
    case 'notNull':
      return [];
    case '=':
    case '!=':
      return checkScalars(name, c.op, [c.value], info);
    case 'in':
      return checkScalars(name, c.op, c.value, info);
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (!isOrdered(info.kind))
        return [`${name}: '${c.op}' does not apply to a ${info.kind} variable`];
      return checkScalars(name, c.op, [c.value], info);
    case 'between': {
      if (!isOrdered(info.kind))
        return [`${name}: 'between' does not apply to a ${info.kind} variable`];
      const [lo, hi] = c.value;
      return lo <= hi ? [] : [`${name}: 'between' needs the lower bound first`];
    }
    default:
      return exhaustive(c);
  }
}

function checkScalars(
  name: string,
  op: string,
  values: readonly CohortScalar[],
  info: VariableInfo,
): string[] {
  const kind = info.kind;
  if (!isOrdered(kind)) return [];
  const bad = values.filter((v) => scalarAsNumber(v, kind) === null);
  if (bad.length === 0) return [];
  const wanted = kind === 'date' ? 'a date (YYYY-MM-DD) or a number of days' : 'a number';
  return [`${name}: '${op}' on a ${kind} variable needs ${wanted}, got a ${typeof bad[0]}`];
}

function exhaustive(x: never): never {
  throw new TypeError(`unhandled cohort condition ${JSON.stringify(x)}`);
}
