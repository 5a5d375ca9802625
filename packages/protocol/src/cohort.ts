import { z } from 'zod';

/** Comparison operators of the cohort language (DESIGN "Public contract", `--cohort`). */
export const cohortOps = [
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'in',
  'between',
  'isNull',
  'notNull',
] as const;
export type CohortOp = (typeof cohortOps)[number];

const scalar = z.union([z.string().max(200), z.number(), z.boolean()]);

export type CohortCondition =
  | { variable: string; op: '=' | '!=' | '<' | '<=' | '>' | '>='; value: string | number | boolean }
  | { variable: string; op: 'in'; value: (string | number | boolean)[] }
  | { variable: string; op: 'between'; value: [number, number] }
  | { variable: string; op: 'isNull' | 'notNull' };

/** A cohort filter: conditions combined with and / or / not. Evaluated at the node, never SQL. */
export type Cohort = CohortCondition | { and: Cohort[] } | { or: Cohort[] } | { not: Cohort };

const variable = z.string().min(1).max(100);

const condition: z.ZodType<CohortCondition> = z.union([
  z.object({ variable, op: z.enum(['=', '!=', '<', '<=', '>', '>=']), value: scalar }).strict(),
  z.object({ variable, op: z.literal('in'), value: z.array(scalar).min(1).max(1000) }).strict(),
  z
    .object({
      variable,
      op: z.literal('between'),
      value: z.tuple([z.number(), z.number()]),
    })
    .strict(),
  z.object({ variable, op: z.enum(['isNull', 'notNull']) }).strict(),
]);

/** Schema of {@link Cohort}; nesting depth and width are bounded so a filter cannot exhaust a node. */
export const cohortSchema: z.ZodType<Cohort> = z.lazy(() =>
  z.union([
    condition,
    z.object({ and: z.array(cohortSchema).min(1).max(50) }).strict(),
    z.object({ or: z.array(cohortSchema).min(1).max(50) }).strict(),
    z.object({ not: cohortSchema }).strict(),
  ]),
);

/** Depth of a cohort tree (a condition is 1). */
export function cohortDepth(c: Cohort): number {
  if ('and' in c) return 1 + Math.max(...c.and.map(cohortDepth));
  if ('or' in c) return 1 + Math.max(...c.or.map(cohortDepth));
  if ('not' in c) return 1 + cohortDepth(c.not);
  return 1;
}

export const MAX_COHORT_DEPTH = 10;

/** Every variable a cohort filter names, at any depth of and / or / not, each once, in order. */
export function cohortVariables(cohort: Cohort | null): string[] {
  const out = new Set<string>();
  const visit = (c: Cohort): void => {
    if ('and' in c) c.and.forEach(visit);
    else if ('or' in c) c.or.forEach(visit);
    else if ('not' in c) visit(c.not);
    else out.add(c.variable);
  };
  if (cohort !== null) visit(cohort);
  return [...out];
}
