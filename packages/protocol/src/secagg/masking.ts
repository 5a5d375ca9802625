/*
 * Masking and unmasking of secure aggregation (issue 5, Bonawitz et al. 2017 §4): every node adds
 * a self mask and pairwise masks that cancel in the sum; the hub removes the self masks of the
 * survivors and the uncancelled pairwise masks of the nodes that dropped out, from seeds rebuilt
 * out of Shamir shares. The hub never holds a node's input unmasked.
 */
import { TesseraError } from '../errors.js';
import { applyMaskInto, SECAGG_SEED_BYTES } from './prg.js';
import { ringAddInto } from './ring.js';

/**
 * The sign of the pairwise mask s_uv in y_u: + when v sorts after u, − when before (UTF-16
 * code-unit order, the same in every process).
 */
export function pairSign(u: string, v: string): 1 | -1 {
  return v > u ? 1 : -1;
}

function checkSeed(seed: Uint8Array, what: string): void {
  if (seed.length !== SECAGG_SEED_BYTES) {
    throw new TesseraError('BAD_REQUEST', `${what} is ${seed.length} bytes, not 32`);
  }
}

/**
 * y_u = x_u + PRG(b_u) + Σ_{v>u} PRG(s_uv) − Σ_{v<u} PRG(s_uv) (mod 2^64), "v>u" by the sorted
 * order of names. `selfSeed` = b_u (32 bytes); `pairSeeds` maps every other party to s_uv.
 * PRG = expandMask(seed, label, x.length / 2). Returns a new vector; x is not changed.
 * @throws TesseraError BAD_REQUEST when a seed is not 32 bytes or pairSeeds names `me`.
 */
export function maskVector(
  x: Uint32Array,
  me: string,
  selfSeed: Uint8Array,
  pairSeeds: ReadonlyMap<string, Uint8Array>,
  label: string,
): Uint32Array {
  checkSeed(selfSeed, `self seed of ${me}`);
  for (const [v, s] of pairSeeds) {
    if (v === me) throw new TesseraError('BAD_REQUEST', `pairwise seeds of ${me} name itself`);
    checkSeed(s, `pairwise seed of ${me} with ${v}`);
  }
  const y = Uint32Array.from(x);
  applyMaskInto(y, selfSeed, label, 1);
  for (const [v, s] of pairSeeds) applyMaskInto(y, s, label, pairSign(me, v));
  return y;
}

/**
 * The hub's unmasking: Σ_{u∈U3} y_u − Σ_{u∈U3} PRG(b_u) + corrections for the pairwise masks of
 * every dropped party d (∈ U1∖U3) with every survivor u (∈ U3), from d's rebuilt s_uv seeds.
 * `droppedPairSeeds` maps d → (u → s_du). Returns the ring sum of the survivors' x_u.
 * U3 is the key set of `masked`. Seeds of d with other dropped parties are ignored (those masks
 * never entered the sum).
 * @throws TesseraError BAD_REQUEST when a vector is not `length` elements, a survivor's self seed
 *   or a dropped party's seed with a survivor is missing, a self seed is given for a party not in
 *   U3, or a dropped party also sent a masked vector (revealing both would unmask its input).
 */
export function unmaskSum(
  masked: ReadonlyMap<string, Uint32Array>,
  selfSeeds: ReadonlyMap<string, Uint8Array>,
  droppedPairSeeds: ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>,
  label: string,
  length: number,
): Uint32Array {
  checkInputs(masked, selfSeeds, droppedPairSeeds, length);
  const acc = new Uint32Array(2 * length);
  for (const y of masked.values()) ringAddInto(acc, y);
  for (const [u, b] of selfSeeds) {
    checkSeed(b, `self seed of ${u}`);
    applyMaskInto(acc, b, label, -1);
  }
  for (const [d, seeds] of droppedPairSeeds) {
    for (const u of masked.keys()) {
      const s = seeds.get(u);
      if (s === undefined) {
        throw new TesseraError('BAD_REQUEST', `unmasking: no pairwise seed of ${d} with ${u}`);
      }
      checkSeed(s, `pairwise seed of ${d} with ${u}`);
      // y_u holds pairSign(u, d) · PRG(s_ud); take it out.
      applyMaskInto(acc, s, label, pairSign(u, d) === 1 ? -1 : 1);
    }
  }
  return acc;
}

function checkInputs(
  masked: ReadonlyMap<string, Uint32Array>,
  selfSeeds: ReadonlyMap<string, Uint8Array>,
  droppedPairSeeds: ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>,
  length: number,
): void {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new TesseraError('BAD_REQUEST', `unmasking: length ${length} is not a count`);
  }
  for (const [u, y] of masked) {
    if (y.length !== 2 * length) {
      throw new TesseraError(
        'BAD_REQUEST',
        `unmasking: masked vector of ${u} has ${y.length / 2} elements, not ${length}`,
      );
    }
    if (!selfSeeds.has(u)) throw new TesseraError('BAD_REQUEST', `unmasking: no self seed of ${u}`);
    if (droppedPairSeeds.has(u)) {
      throw new TesseraError('BAD_REQUEST', `unmasking: ${u} sent its input and is also dropped`);
    }
  }
  for (const u of selfSeeds.keys()) {
    if (!masked.has(u)) {
      throw new TesseraError('BAD_REQUEST', `unmasking: self seed of ${u}, who sent no input`);
    }
  }
}
