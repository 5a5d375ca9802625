/*
 * Numerical gradient check (issue 6 "gradient checks pass for every layer and loss"): compares a
 * hand-written gradient with the fourth-order central difference
 *   f'(w) ≈ (f(w − 2h) − 8 f(w − h) + 8 f(w + h) − f(w + 2h)) / 12h,
 * whose truncation error is O(h⁴), so that in Float64 the comparison is limited by rounding
 * (≈ 1e-12 with h = 1e-4) rather than by the stencil.
 */

/** Options of {@link checkGradient}. */
export interface GradientCheckOptions {
  /** Step h; default 1e-4. */
  readonly step?: number;
  /**
   * Floor of the relative error's denominator; default 1e-4. A dead ReLU unit's weights have an
   * exact zero gradient while the difference quotient returns rounding noise of about 1e-12, so
   * components smaller than the floor in both gradients are compared by absolute error (a
   * relative error of 1e-6 then means an absolute one of 1e-10).
   */
  readonly floor?: number;
}

/** Result of {@link checkGradient}. */
export interface GradientCheck {
  /** max over components of |analytic − numeric| / max(|analytic|, |numeric|, floor). */
  readonly maxRelativeError: number;
  /** The component where it occurs. */
  readonly worstIndex: number;
  /** The numerical gradient. */
  readonly numeric: Float64Array;
}

/**
 * Checks `analytic` against the numerical gradient of `f` at `w`. `w` is perturbed in place and
 * restored before returning.
 * @throws RangeError when the lengths differ or f returns a non-finite value.
 */
export function checkGradient(
  f: (w: Float64Array) => number,
  w: Float64Array,
  analytic: Float64Array,
  options: GradientCheckOptions = {},
): GradientCheck {
  if (analytic.length !== w.length)
    throw new RangeError(`gradient has ${analytic.length} entries for ${w.length} parameters`);
  const h = options.step ?? 1e-4;
  const floor = options.floor ?? 1e-4;
  const numeric = new Float64Array(w.length);
  let maxRelativeError = 0;
  let worstIndex = -1;
  for (let k = 0; k < w.length; k++) {
    const original = w[k] as number;
    const at = (delta: number): number => {
      w[k] = original + delta;
      const v = f(w);
      if (!Number.isFinite(v)) throw new RangeError(`f is ${v} at parameter ${k} + ${delta}`);
      return v;
    };
    const d = (at(-2 * h) - 8 * at(-h) + 8 * at(h) - at(2 * h)) / (12 * h);
    w[k] = original;
    numeric[k] = d;
    const a = analytic[k] as number;
    const err = Math.abs(a - d) / Math.max(Math.abs(a), Math.abs(d), floor);
    if (err > maxRelativeError || worstIndex < 0) {
      maxRelativeError = err;
      worstIndex = k;
    }
  }
  return { maxRelativeError, worstIndex, numeric };
}
