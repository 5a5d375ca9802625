import { normalCdf } from '../numerics/distributions.js';

/**
 * The δ of the Gaussian mechanism with noise σ at a given ε, for L2 sensitivity Δ₂ (Balle & Wang
 * 2018, Theorem 8, tight): Φ(Δ/2σ − εσ/Δ) − e^ε·Φ(−Δ/2σ − εσ/Δ).
 */
export function gaussianDelta(sigma: number, l2: number, epsilon: number): number {
  const a = l2 / (2 * sigma);
  const b = (epsilon * sigma) / l2;
  return normalCdf(a - b) - Math.exp(epsilon) * normalCdf(-a - b);
}

/**
 * The smallest σ for which the Gaussian mechanism is (ε, δ)-DP for L2 sensitivity `l2`: the
 * analytic Gaussian mechanism (Balle & Wang 2018, "Improving the Gaussian mechanism for
 * differential privacy"), valid for every ε > 0, unlike the classical bound. Found by bisection
 * on log σ (δ(σ) decreases in σ), returning the upper end so that δ(σ) ≤ δ always holds.
 * @throws RangeError unless l2 > 0, 0 < ε ≤ 50 and 0 < δ < 1.
 */
export function analyticGaussianSigma(l2: number, epsilon: number, delta: number): number {
  if (!(l2 > 0) || !Number.isFinite(l2)) throw new RangeError(`Δ₂ must be > 0, got ${l2}`);
  // Beyond ε = 50, e^ε·Φ(·) loses the precision the bisection relies on.
  if (!(epsilon > 0 && epsilon <= 50)) throw new RangeError(`ε must be in (0, 50], got ${epsilon}`);
  if (!(delta > 0 && delta < 1)) throw new RangeError(`δ must be in (0, 1), got ${delta}`);
  let lo = Math.log(l2) - 40;
  let hi = Math.log(l2) + 40;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (gaussianDelta(Math.exp(mid), l2, epsilon) > delta) lo = mid;
    else hi = mid;
  }
  return Math.exp(hi);
}

/**
 * The classical bound σ = Δ₂·√(2 ln(1.25/δ))/ε (Dwork & Roth 2014, Theorem A.1), valid for ε < 1
 * only; kept to compare with the analytic σ, which is never larger.
 * @throws RangeError unless 0 < ε < 1 and 0 < δ < 1.
 */
export function classicalGaussianSigma(l2: number, epsilon: number, delta: number): number {
  if (!(epsilon > 0 && epsilon < 1))
    throw new RangeError(`the classical bound needs 0 < ε < 1, got ${epsilon}`);
  if (!(delta > 0 && delta < 1)) throw new RangeError(`δ must be in (0, 1), got ${delta}`);
  return (l2 * Math.sqrt(2 * Math.log(1.25 / delta))) / epsilon;
}
