/*
 * Sensitivities under add/remove-one-row neighbouring (two cohorts differ by one patient's row),
 * from bounds the job declares for each variable. Values outside the bounds are clipped to them
 * before anything is summed, so the bounds hold whatever the data.
 */

/** Declared bounds [lo, hi] of a numeric variable, lo < hi, both finite. */
export type Bounds = readonly [number, number];

/** How far one row can move a released vector: in L1 (Laplace) and L2 (Gaussian) norm. */
export interface Sensitivity {
  readonly l1: number;
  readonly l2: number;
}

/** A released statistic whose sensitivity is asked for. */
export type Statistic =
  /** One count of rows. */
  | { readonly kind: 'count' }
  /** `k` counts each of which one row may change (e.g. non-missing counts of k variables). */
  | { readonly kind: 'counts'; readonly k: number }
  /** Cell counts of a histogram or contingency table: one row falls in exactly one cell. */
  | { readonly kind: 'histogram' }
  | { readonly kind: 'contingency' }
  /** Sums of clipped values of variables with these bounds, over the same rows. */
  | { readonly kind: 'sum'; readonly bounds: readonly Bounds[] }
  /** Sums of clipped values minus the bounds' midpoint (the numerator of a mean). */
  | { readonly kind: 'centred-sum'; readonly bounds: readonly Bounds[] };

/**
 * Δ₁ and Δ₂ of a statistic under add/remove-one neighbouring. A mean is released as a noisy
 * centred sum and a noisy count (Δ = (hi − lo)/2 and 1) and divided after: see `meanParts`.
 * @throws RangeError for invalid bounds or k.
 */
export function sensitivity(s: Statistic): Sensitivity {
  switch (s.kind) {
    case 'count':
    case 'histogram':
    case 'contingency':
      // Adding or removing a row changes one cell by one.
      return { l1: 1, l2: 1 };
    case 'counts':
      if (!Number.isInteger(s.k) || s.k < 1) throw new RangeError(`k must be ≥ 1, got ${s.k}`);
      return { l1: s.k, l2: Math.sqrt(s.k) };
    case 'sum':
      return vectorOf(s.bounds.map((b) => Math.max(Math.abs(checkBounds(b)[0]), Math.abs(b[1]))));
    case 'centred-sum':
      return vectorOf(s.bounds.map((b) => (checkBounds(b)[1] - b[0]) / 2));
  }
}

/** The centre of bounds, subtracted from each clipped value before a centred sum. */
export function midpoint(b: Bounds): number {
  const [lo, hi] = checkBounds(b);
  return lo + (hi - lo) / 2;
}

/**
 * Clips a value to declared bounds (NaN stays NaN, as a missing value is not a row's value).
 * @throws RangeError for invalid bounds.
 */
export function clip(x: number, b: Bounds): number {
  const [lo, hi] = checkBounds(b);
  return x < lo ? lo : x > hi ? hi : x;
}

function vectorOf(per: readonly number[]): Sensitivity {
  if (per.length === 0) throw new RangeError('a sum needs the bounds of at least one variable');
  return {
    l1: per.reduce((a, b) => a + b, 0),
    l2: Math.sqrt(per.reduce((a, b) => a + b * b, 0)),
  };
}

/**
 * @throws RangeError unless lo < hi and both are finite.
 */
export function checkBounds(b: Bounds): Bounds {
  const [lo, hi] = b;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi))
    throw new RangeError(`bounds must be finite with lo < hi, got [${lo}, ${hi}]`);
  return b;
}
