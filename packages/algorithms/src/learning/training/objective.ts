/*
 * The objective a site minimises in one round: the model's loss (weighted cross-entropy and L2)
 * plus, for FedProx (Li et al. 2020, eq. 2), the proximal term μ/2·‖w − w_global‖² over every
 * parameter, which keeps a site's model near the global one on non-identical data.
 */
import type { Batch, LossOptions, Model } from '../models/model.js';
import type { Labels } from '../models/losses.js';

/** The FedProx term: μ and the vector it pulls towards (the round's global model). */
export interface Proximal {
  readonly mu: number;
  readonly anchor: Float64Array;
}

/** Options of {@link localObjective}. */
export interface ObjectiveOptions extends LossOptions {
  readonly proximal?: Proximal;
}

/** Value and gradient of the local objective; `loss` is the model's part alone. */
export interface ObjectiveValue {
  /** Model loss plus the proximal term. */
  readonly objective: number;
  /** Model loss (cross-entropy with class weights, plus L2). */
  readonly loss: number;
  /** Cross-entropy with class weights alone. */
  readonly crossEntropy: number;
  readonly gradient: Float64Array;
}

/**
 * μ/2·‖w − anchor‖², adding μ·(w − anchor) to `gradient` when it is given.
 * @throws RangeError when μ is not a finite number ≥ 0 or the anchor's length differs.
 */
export function proximalTerm(
  params: Float64Array,
  proximal: Proximal,
  gradient: Float64Array | null,
): number {
  const { mu, anchor } = proximal;
  if (!Number.isFinite(mu) || mu < 0)
    throw new RangeError(`proximal mu is ${mu}, expected a finite number ≥ 0`);
  if (anchor.length !== params.length)
    throw new RangeError(
      `proximal anchor has ${anchor.length} entries, the model ${params.length}`,
    );
  if (mu === 0) return 0;
  let sum = 0;
  for (let k = 0; k < params.length; k++) {
    const d = (params[k] as number) - (anchor[k] as number);
    sum += d * d;
    if (gradient !== null) gradient[k] = (gradient[k] as number) + mu * d;
  }
  return (mu / 2) * sum;
}

/**
 * The local objective and its gradient (written into `out` when given).
 * @throws RangeError as Model.lossAndGradient and {@link proximalTerm}.
 */
export function localObjective(
  model: Model,
  params: Float64Array,
  batch: Batch,
  labels: Labels,
  options: ObjectiveOptions = {},
  out?: Float64Array,
): ObjectiveValue {
  const { loss, crossEntropy, gradient } = model.lossAndGradient(
    params,
    batch,
    labels,
    options,
    out,
  );
  const prox =
    options.proximal === undefined ? 0 : proximalTerm(params, options.proximal, gradient);
  return { objective: loss + prox, loss, crossEntropy, gradient };
}

/**
 * The local objective's value alone (for gradient checks and line searches).
 * @throws RangeError as Model.loss and {@link proximalTerm}.
 */
export function localObjectiveValue(
  model: Model,
  params: Float64Array,
  batch: Batch,
  labels: Labels,
  options: ObjectiveOptions = {},
): number {
  const loss = model.loss(params, batch, labels, options);
  return options.proximal === undefined
    ? loss
    : loss + proximalTerm(params, options.proximal, null);
}
