/*
 * Local optimisers for a flat parameter vector, updated in place. SGD with (heavy-ball) momentum
 * in the PyTorch form v ← μ·v + g, w ← w − η·v; Adam (Kingma & Ba 2015, Algorithm 1) with
 * bias-corrected moments. Their state lives for one site's local training only: every round
 * starts them afresh from the global vector, as Flower's and FedProx's clients do.
 */

/** Which optimiser, with its hyper-parameters. */
export type OptimizerConfig =
  | {
      readonly name: 'sgd';
      /** Step size η > 0. */
      readonly learningRate: number;
      /** Momentum μ in [0, 1); default 0 (plain SGD). */
      readonly momentum?: number;
    }
  | {
      readonly name: 'adam';
      /** Step size α > 0. */
      readonly learningRate: number;
      /** Decay of the first moment, in [0, 1); default 0.9. */
      readonly beta1?: number;
      /** Decay of the second moment, in [0, 1); default 0.999. */
      readonly beta2?: number;
      /** ε > 0 added to √v̂; default 1e-8. */
      readonly epsilon?: number;
    };

/** An optimiser bound to a vector length. */
export interface Optimizer {
  /** Moves `params` one step against `gradient`, in place. */
  step(params: Float64Array, gradient: Float64Array): void;
}

function checkRange(value: number, what: string, lo: number, hiExclusive: number): void {
  if (!(Number.isFinite(value) && value >= lo && value < hiExclusive))
    throw new RangeError(
      `optimizer ${what} is ${value}, expected a number in [${lo}, ${hiExclusive})`,
    );
}

/**
 * A fresh optimiser for vectors of `size` entries.
 * @throws RangeError naming the hyper-parameter that is out of range (learning rate ≤ 0, a decay
 *   or momentum outside [0, 1), ε ≤ 0).
 */
export function createOptimizer(config: OptimizerConfig, size: number): Optimizer {
  const lr = config.learningRate;
  if (!(Number.isFinite(lr) && lr > 0))
    throw new RangeError(`optimizer learningRate is ${lr}, expected a positive number`);
  if (config.name === 'sgd') {
    const momentum = config.momentum ?? 0;
    checkRange(momentum, 'momentum', 0, 1);
    const velocity = new Float64Array(momentum === 0 ? 0 : size);
    return {
      step(params, gradient) {
        if (momentum === 0) {
          for (let k = 0; k < size; k++)
            params[k] = (params[k] as number) - lr * (gradient[k] as number);
          return;
        }
        for (let k = 0; k < size; k++) {
          const v = momentum * (velocity[k] as number) + (gradient[k] as number);
          velocity[k] = v;
          params[k] = (params[k] as number) - lr * v;
        }
      },
    };
  }
  const beta1 = config.beta1 ?? 0.9;
  const beta2 = config.beta2 ?? 0.999;
  const epsilon = config.epsilon ?? 1e-8;
  checkRange(beta1, 'beta1', 0, 1);
  checkRange(beta2, 'beta2', 0, 1);
  if (!(Number.isFinite(epsilon) && epsilon > 0))
    throw new RangeError(`optimizer epsilon is ${epsilon}, expected a positive number`);
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  let t = 0;
  return {
    step(params, gradient) {
      t += 1;
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (let k = 0; k < size; k++) {
        const g = gradient[k] as number;
        const mk = beta1 * (m[k] as number) + (1 - beta1) * g;
        const vk = beta2 * (v[k] as number) + (1 - beta2) * g * g;
        m[k] = mk;
        v[k] = vk;
        params[k] = (params[k] as number) - (lr * (mk / c1)) / (Math.sqrt(vk / c2) + epsilon);
      }
    },
  };
}
