import type { VariableInfo } from '@tessera/algorithms';
import type { NodePolicy } from '../store/policy-store.js';

/** The node's limits beyond minCount in force for one task: the node's, made stricter by the job. */
export interface TaskLimits {
  readonly maxStringLength: number;
  readonly maxLevels: number;
  readonly maxLevelDensity: number;
  readonly differencingGuard: boolean;
}

function asked(params: unknown, key: string): unknown {
  return typeof params === 'object' && params !== null && Object.hasOwn(params, key)
    ? (params as Record<string, unknown>)[key]
    : undefined;
}

const smallerInt = (node: number, job: unknown): number =>
  typeof job === 'number' && Number.isInteger(job) && job >= 1 && job < node ? job : node;

/**
 * The limits for a task: each numeric limit is the node's unless the job's `params` asks for a
 * smaller one, and the differencing guard is on when the node or the job turns it on. Nothing in
 * `params` can loosen them. Pure.
 */
export function effectiveLimits(policy: NodePolicy, params: unknown): TaskLimits {
  const density = asked(params, 'maxLevelDensity');
  return {
    maxStringLength: smallerInt(policy.maxStringLength, asked(params, 'maxStringLength')),
    maxLevels: smallerInt(policy.maxLevels, asked(params, 'maxLevels')),
    maxLevelDensity:
      typeof density === 'number' && density > 0 && density < policy.maxLevelDensity
        ? density
        : policy.maxLevelDensity,
    differencingGuard: policy.differencingGuard || asked(params, 'differencingGuard') === true,
  };
}

/**
 * The path of the first string (value or object key) in `value` longer than `max`, e.g.
 * `params.covariates[2]`, or null. The string itself is never part of the answer (DataSHIELD
 * caps string arguments because a long one can smuggle data or code). Pure.
 */
export function overlongString(value: unknown, path: string, max: number): string | null {
  if (typeof value === 'string') return value.length > max ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = overlongString(value[i], `${path}[${String(i)}]`, max);
      if (p !== null) return p;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k.length > max) return `${path} (a key)`;
      const p = overlongString(v, `${path}.${k}`, max);
      if (p !== null) return p;
    }
  }
  return null;
}

/**
 * The first of `variables` that is categorical with more than `max` levels over the datasets
 * named (their levels merged, as the worker stacks them), or null. Pure.
 */
export function tooManyLevels(
  variables: readonly string[],
  names: readonly string[],
  datasets: ReadonlyMap<string, readonly VariableInfo[]>,
  max: number,
): string | null {
  for (const v of variables) {
    const levels = new Set<string>();
    for (const n of names) {
      const info = datasets.get(n)?.find((x) => x.name === v);
      if (info?.kind === 'categorical') for (const l of info.levels ?? []) levels.add(l);
    }
    if (levels.size > max) return v;
  }
  return null;
}
