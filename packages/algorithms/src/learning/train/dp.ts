/*
 * DP-FedAvg at the site (issue 6 point 4; McMahan et al. 2018, "Learning Differentially Private
 * Recurrent Language Models"): each site that trains in a round clips its update Δ to L2 norm
 * ≤ C and adds Gaussian noise of SD z·C per coordinate (z = noiseMultiplier) before the update
 * leaves, with the node's own randomness. The guarantee is the site's: it holds whatever the
 * hub does with the update, with or without secure aggregation.
 *
 * Sensitivity. Neighbouring training splits differ in one example (replace-one adjacency, so
 * the split's size is the same in both). Local training may move the update arbitrarily, but
 * both updates are clipped to norm ≤ C, so they differ by at most 2C in L2 norm (triangle
 * inequality): Δ₂ = 2C, and the noise SD over the sensitivity is σ = z·C / 2C = z/2. Each round
 * a site trains in is one Gaussian release at σ; the accountant composes them in Rényi DP
 * (privacy/rdp.ts) with no amplification by sampling (conservative).
 *
 * The noise is exact: the clipped update is put on a grid of step γ and each coordinate gets a
 * discrete Gaussian draw in grid steps (privacy/discrete.ts, Canonne, Kamath & Steinke 2020),
 * never a floating-point normal. Rounding to the grid moves a vector by ≤ √P·γ/2, so neighbours
 * differ by ≤ 2C/γ + √P steps; the noise SD in steps is σ times that bound, so σ holds exactly
 * and the noise in parameter units is z·C·(1 + √P·γ/2C) with γ ≤ 2C·2^-20/√P, i.e. at most
 * 2^-20 relatively above z·C. A sum of independent discrete Gaussians satisfies the same
 * concentrated DP as the continuous one (CKS 2020, Theorem 14), hence the same RDP curve.
 *
 * What the guarantee covers: the updates, i.e. the training split. Under `dp` a site releases
 * no training loss (it would be an un-noised statistic of the training rows) and weighs its
 * update by its training rows, which replace-one adjacency leaves unchanged. 'prepare' (class
 * counts, feature moments) and the validation metrics are released under the disclosure rules
 * (minCount), not under DP; the validation split holds other rows than the training split.
 */
import { z } from 'zod';
import { composedGaussianEpsilon } from '../../privacy/rdp.js';
import { sampleDiscreteGaussian } from '../../privacy/discrete.js';
import type { RandomBytes } from '../../privacy/random-source.js';
import type { PrivacyReport, RdpAccountant } from '../../privacy/schemas.js';

const positive = z.number().positive().refine(Number.isFinite, 'must be finite');

/** `train`'s `dp` param: clip norm C, noise multiplier z (noise SD z·C) and the target δ. */
export const trainDpSchema = z
  .object({
    clip: positive,
    // Below 0.1 a single round already costs ε in the hundreds: no privacy to speak of.
    noiseMultiplier: z.number().min(0.1).max(1000),
    delta: z.number().gt(0).lt(1),
  })
  .strict();
export type TrainDp = z.infer<typeof trainDpSchema>;

/** L2 sensitivity of a clipped update over its clip norm (replace-one adjacency, see above). */
export const UPDATE_SENSITIVITY_PER_CLIP = 2;

/** The accountant of a DP-FedAvg job: Gaussian releases at σ = z / 2 (noise SD over 2C). */
export function trainAccountant(dp: TrainDp): RdpAccountant {
  return {
    method: 'rdp-gaussian',
    sigma: dp.noiseMultiplier / UPDATE_SENSITIVITY_PER_CLIP,
    delta: dp.delta,
  };
}

/** ε after a site released `rounds` noisy updates (RDP, improved conversion, at dp.delta). */
export function trainEpsilon(dp: TrainDp, rounds: number): number {
  const acc = trainAccountant(dp);
  return composedGaussianEpsilon(rounds, acc.sigma, acc.delta).epsilon;
}

/** The `privacy` block of a DP-FedAvg result and of a model's provenance. */
export interface TrainPrivacy {
  mechanism: 'gaussian';
  /** ε after `rounds` rounds, at `delta`: every site released at most that many updates. */
  epsilon: number;
  delta: number;
  rounds: number;
  noiseMultiplier: number;
  clip: number;
  /** L2 sensitivity of one update, 2·clip. */
  sensitivity: number;
  accountant: string;
}

/** The result's privacy block after `rounds` rounds. */
export function trainPrivacy(dp: TrainDp, rounds: number): TrainPrivacy {
  return {
    mechanism: 'gaussian',
    epsilon: trainEpsilon(dp, rounds),
    delta: dp.delta,
    rounds,
    noiseMultiplier: dp.noiseMultiplier,
    clip: dp.clip,
    sensitivity: UPDATE_SENSITIVITY_PER_CLIP * dp.clip,
    accountant:
      'Rényi DP of the Gaussian mechanism composed over rounds (Mironov 2017), converted to ' +
      '(ε, δ) by Canonne, Kamath & Steinke 2020 Prop. 12; replace-one adjacency of a training ' +
      'example, sensitivity 2·clip; no amplification by sampling (conservative)',
  };
}

/**
 * Serves a source's bytes from reads of 64 bytes doubling up to 64 KiB: few calls into
 * node:crypto for a large update, little read ahead for a small one; the same uniform bytes.
 */
function buffered(source: RandomBytes): RandomBytes {
  let buf: Uint8Array = new Uint8Array(0);
  let at = 0;
  let size = 64;
  return (n) => {
    if (at + n > buf.length) {
      buf = source(Math.max(size, n));
      size = Math.min(2 * size, 65536);
      at = 0;
    }
    const out = buf.slice(at, at + n);
    at += n;
    return out;
  };
}

/** A noisy update and the report the node spends before it leaves. */
export interface PrivateUpdate {
  readonly update: number[];
  readonly report: PrivacyReport;
}

/**
 * The update clipped to L2 norm ≤ dp.clip, on a grid, with a discrete Gaussian draw per
 * coordinate (the header says why this is (z/2)-Gaussian towards one training example). The
 * report states one release at its own (ε, δ) and names the accountant, by which the node
 * charges the increment within the job instead.
 * @throws RangeError for an empty or non-finite update.
 */
export function privatizeUpdate(
  update: ArrayLike<number>,
  dp: TrainDp,
  source: RandomBytes,
): PrivateUpdate {
  const p = update.length;
  if (p === 0) throw new RangeError('an empty update has nothing to privatise');
  let norm2 = 0;
  for (let j = 0; j < p; j++) {
    const u = update[j] as number;
    if (!Number.isFinite(u)) throw new RangeError(`update coordinate ${j} is not finite`);
    norm2 += u * u;
  }
  const norm = Math.sqrt(norm2);
  // The factor's last ulps are shaved so the clipped norm cannot exceed C by rounding.
  const factor = norm > dp.clip ? (dp.clip / norm) * (1 - 1e-12) : 1;
  const rootP = Math.sqrt(p);
  const grid = 2 ** Math.floor(Math.log2((UPDATE_SENSITIVITY_PER_CLIP * dp.clip) / rootP) - 20);
  const accountant = trainAccountant(dp);
  const bound = (UPDATE_SENSITIVITY_PER_CLIP * dp.clip) / grid + rootP;
  const sigmaSteps = accountant.sigma * bound;
  const draw = buffered(source);
  const noisy = new Array<number>(p);
  for (let j = 0; j < p; j++) {
    const k = Math.round(((update[j] as number) * factor) / grid);
    noisy[j] = (k + Number(sampleDiscreteGaussian(draw, sigmaSteps))) * grid;
  }
  const single = composedGaussianEpsilon(1, accountant.sigma, accountant.delta).epsilon;
  const release = {
    mechanism: 'gaussian' as const,
    epsilon: single,
    delta: dp.delta,
    noiseScale: sigmaSteps * grid,
    resolution: grid,
    statistic: 'update',
  };
  return {
    update: noisy,
    report: { epsilon: single, delta: dp.delta, releases: [release], accountant },
  };
}
