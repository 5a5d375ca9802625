/*
 * Hub side of 'prepare': the sites' class counts and feature statistics pooled into the classes,
 * the input columns and the federated standardisation every site applies.
 */
import { poolMoments, type Moments } from '../../numerics/moments.js';
import type { FeatureInfo, PrepareOutput, Preprocessing, TrainParams } from './schemas.js';

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Why the sites' statistics cannot be pooled, as a failure code and reason. */
export interface PoolingProblem {
  readonly code: 'VARIABLE_KIND_MISMATCH' | 'TOO_FEW_CLASSES' | 'NO_INPUTS';
  readonly reason: string;
}

/** The pooled preprocessing with the pooled class counts (for balanced class weights). */
export interface Pooled {
  readonly preprocessing: Preprocessing;
  /** Complete cases per class, in class order. */
  readonly classCounts: number[];
  /** Complete cases over the sites. */
  readonly n: number;
}

function kindOf(
  outputs: readonly PrepareOutput[],
  pick: (o: PrepareOutput) => string,
): string | null {
  const kinds = [...new Set(outputs.map(pick))].sort(byCodeUnit);
  return kinds.length === 1 ? (kinds[0] ?? null) : null;
}

/**
 * Classes (sorted: numerically for a number outcome), columns (features in order; a categorical
 * as one 0/1 dummy per level after the first in sorted order, as R's treatment coding) and pooled
 * means and sample SDs of the number features (Chan et al.'s pooled moments). Dummies are left
 * unscaled (mean 0, SD 1).
 */
export function poolPrepare(
  params: TrainParams,
  outputs: readonly PrepareOutput[],
): Pooled | PoolingProblem {
  const outcomeKind = kindOf(outputs, (o) => o.outcome.kind);
  if (outcomeKind === null)
    return { code: 'VARIABLE_KIND_MISMATCH', reason: `${params.outcome}: number and categorical` };
  const counts = new Map<string, number>();
  for (const o of outputs)
    for (const [c, k] of Object.entries(o.outcome.counts)) counts.set(c, (counts.get(c) ?? 0) + k);
  const classes = [...counts.keys()].sort(
    outcomeKind === 'number' ? (a, b) => Number(a) - Number(b) : byCodeUnit,
  );
  if (classes.length < 2)
    return { code: 'TOO_FEW_CLASSES', reason: `${params.outcome} has fewer than 2 classes` };
  const columns: Preprocessing['columns'] = [];
  const means: number[] = [];
  const sds: number[] = [];
  const levels: Record<string, string[]> = {};
  for (const name of params.features) {
    const infos = outputs
      .map((o) => o.features[name])
      .filter((f): f is FeatureInfo => f !== undefined);
    const kind = kindOf(outputs, (o) => o.features[name]?.kind ?? 'absent');
    if (kind === null || infos.length !== outputs.length)
      return {
        code: 'VARIABLE_KIND_MISMATCH',
        reason: `${name}: different kinds at different sites`,
      };
    if (kind === 'number') {
      const pooled = infos.reduce<Moments>(
        (acc, f) => (f.kind === 'number' ? poolMoments(acc, f) : acc),
        { count: 0, mean: 0, m2: 0 },
      );
      columns.push({ name, variable: name, level: null });
      means.push(pooled.mean);
      sds.push(pooled.count < 2 ? 0 : Math.sqrt(pooled.m2 / (pooled.count - 1)));
      continue;
    }
    const set = new Set<string>();
    for (const f of infos) if (f.kind === 'categorical') f.levels.forEach((l) => set.add(l));
    const sorted = [...set].sort(byCodeUnit);
    levels[name] = sorted;
    for (const level of sorted.slice(1)) {
      columns.push({ name: `${name}:${level}`, variable: name, level });
      means.push(0);
      sds.push(1);
    }
  }
  if (columns.length === 0)
    return { code: 'NO_INPUTS', reason: 'every feature is a category with a single level' };
  return {
    preprocessing: {
      columns,
      levels,
      means,
      sds,
      classes,
      numericOutcome: outcomeKind === 'number',
    },
    classCounts: classes.map((c) => counts.get(c) ?? 0),
    n: outputs.reduce((s, o) => s + o.n, 0),
  };
}

/**
 * The class weights of the training loss: none, "balanced" (n / (K·n_c), as scikit-learn's), or
 * the caller's list.
 * @returns the weights, null for none, or an error message when the list's length is wrong.
 */
export function classWeights(
  asked: TrainParams['classWeights'],
  classCounts: readonly number[],
): number[] | null | string {
  if (asked === undefined) return null;
  const k = classCounts.length;
  if (asked === 'balanced') {
    const n = classCounts.reduce((s, c) => s + c, 0);
    return classCounts.map((c) => n / (k * c));
  }
  if (asked.length !== k)
    return `classWeights has ${asked.length} entries, the outcome has ${k} classes`;
  return [...asked];
}
