import { randomBytes, type KeyObject } from 'node:crypto';
import {
  canonicalBytes,
  encodeFixed,
  exportAgreementPrivate,
  fromB64u,
  generateAgreementKey,
  importAgreementPrivate,
  maskVector,
  openShareBox,
  pairwiseSeed,
  sealShareBox,
  signJson,
  splitSecret,
  TesseraError,
  toB64u,
  verifyJson,
} from '@tessera/protocol';
import { z } from 'zod';
import { ringToB64u } from './ring-bytes.js';
import type { Layout } from './sum-form.js';
import type {
  Advertisement,
  KeysOutput,
  MaskedInput,
  MaskedOutput,
  SharesInput,
  SharesOutput,
  UnmaskInput,
  UnmaskOutput,
} from './wire.js';

/*
 * The node's side of secure aggregation (Bonawitz et al. 2017, §4), one pure function per phase.
 * Each takes the state the previous phase returned and gives back the phase's output and the next
 * state; the node persists the state (it holds this round's secret keys, so it lives in the
 * node's data folder, never in a log) and deletes it when the job ends. The node's identity
 * signing key and the roster's identity public keys come in as parameters.
 *
 * Every refusal throws a TesseraError naming what was wrong: BAD_SIGNATURE for an advertisement
 * that does not verify, BAD_REQUEST for anything else (a share for another job, round, sender or
 * recipient, a duplicate, a set of parties that does not fit).
 */

/** A share as a node holds it: x and the two y's (self-mask seed b, pairwise key s). */
interface HeldShare {
  readonly x: number;
  readonly b: string;
  readonly s: string;
}

/** The secret state of one node in one secure sum, as JSON. */
export interface NodeSecureState {
  readonly jobId: string;
  readonly saRound: number;
  readonly me: string;
  readonly phase: 'keys' | 'shares' | 'masked' | 'unmask';
  readonly cPublic: string;
  readonly sPublic: string;
  /** Raw X25519 private keys and the self-mask seed b_u, base64url. */
  readonly cPrivate: string;
  readonly sPrivate: string;
  readonly b: string;
  readonly threshold?: number;
  /** U1 as verified at the shares phase: each member's c and s public keys. */
  readonly roster?: Readonly<Record<string, { cPublic: string; sPublic: string }>>;
  readonly u2?: readonly string[];
  /** Shares held for each member of U1 (from the boxes addressed to me, and my own). */
  readonly own?: HeldShare;
  readonly held?: Readonly<Record<string, HeldShare>>;
  readonly answered?: {
    readonly survivors: readonly string[];
    readonly dropped: readonly string[];
  };
}

/** What one phase gives back: the output to send to the hub and the state to persist. */
export interface PhaseResult<O> {
  readonly output: O;
  readonly state: NodeSecureState;
}

const bad = (message: string): TesseraError => new TesseraError('BAD_REQUEST', message);
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The label binding every mask of one secure sum (one PRG stream per job and round). */
export function maskLabel(jobId: string, saRound: number): string {
  return `${jobId}|${String(saRound)}`;
}

/**
 * Phase keys (AdvertiseKeys): fresh X25519 key pairs c (share boxes) and s (pairwise masks) and a
 * random self-mask seed b_u; the advertisement {jobId, round, trust, cPublic, sPublic} is signed
 * with the node's Ed25519 identity key. `layout` is the step output's public layout.
 */
export function keysPhase(o: {
  readonly jobId: string;
  readonly saRound: number;
  readonly me: string;
  readonly identity: KeyObject;
  readonly layout: Layout;
}): PhaseResult<KeysOutput> {
  if (o.me.includes('|'))
    throw bad(`trust name ${o.me} holds "|", which secure aggregation reserves`);
  const c = generateAgreementKey();
  const s = generateAgreementKey();
  const advertisement: Advertisement = {
    jobId: o.jobId,
    round: o.saRound,
    trust: o.me,
    cPublic: c.publicKey,
    sPublic: s.publicKey,
  };
  const signature = signJson(advertisement, o.identity);
  const state: NodeSecureState = {
    jobId: o.jobId,
    saRound: o.saRound,
    me: o.me,
    phase: 'keys',
    cPublic: c.publicKey,
    sPublic: s.publicKey,
    cPrivate: toB64u(exportAgreementPrivate(c.privateKey)),
    sPrivate: toB64u(exportAgreementPrivate(s.privateKey)),
    b: toB64u(randomBytes(32)),
  };
  const layout = Object.fromEntries(Object.entries(o.layout).map(([k, v]) => [k, [...v]]));
  return { output: { advertisement, signature, layout }, state };
}

function expect(state: NodeSecureState, phase: NodeSecureState['phase'], saRound: number): void {
  if (state.phase !== phase)
    throw bad(`secure sum ${String(state.saRound)}: phase ${phase} expected, at ${state.phase}`);
  if (saRound !== state.saRound) {
    throw bad(
      `secure sum round ${String(saRound)} does not match this node's round ${String(state.saRound)}`,
    );
  }
}

/** Verifies every advertisement of U1: signed by that trust's identity key, for this job and round. */
function verifyRoster(
  state: NodeSecureState,
  input: SharesInput,
  identityKeys: ReadonlyMap<string, string>,
): Record<string, { cPublic: string; sPublic: string }> {
  const roster: Record<string, { cPublic: string; sPublic: string }> = {};
  for (const [trust, signed] of Object.entries(input.advertisements)) {
    const ad = signed.advertisement;
    const key = identityKeys.get(trust);
    if (key === undefined) throw bad(`advertisement of ${trust}: no identity key known for it`);
    if (!verifyJson(ad, signed.signature, key)) {
      throw new TesseraError(
        'BAD_SIGNATURE',
        `advertisement of ${trust}: signature does not verify`,
      );
    }
    if (ad.trust !== trust || ad.jobId !== state.jobId || ad.round !== state.saRound) {
      throw bad(`advertisement of ${trust} is for another trust, job or round`);
    }
    if (trust.includes('|')) throw bad(`trust name ${trust} holds "|"`);
    roster[trust] = { cPublic: ad.cPublic, sPublic: ad.sPublic };
  }
  const mine = roster[state.me];
  if (mine?.cPublic !== state.cPublic || mine.sPublic !== state.sPublic) {
    throw bad(`the roster does not hold ${state.me}'s own advertisement`);
  }
  return roster;
}

/** The smallest threshold a node accepts: a strict majority of U1, and at least 2. */
export function minimumThreshold(parties: number): number {
  return Math.max(2, Math.floor(parties / 2) + 1);
}

const sharePayloadSchema = z
  .object({ x: z.number().int().min(1).max(255), b: z.string(), s: z.string() })
  .strict();

/**
 * Phase shares (ShareKeys): verifies every advertisement in the roster against the identity key
 * given for its trust, then Shamir-splits b_u and the s private key t-of-n (x = index in the
 * sorted roster + 1) and seals each share to its recipient's c key, bound by ShareContext to
 * {jobId, round, from: me, to}. The node keeps its own share.
 * @throws TesseraError BAD_SIGNATURE for an advertisement that does not verify; BAD_REQUEST for a
 *   roster without this node's own advertisement, another job or round, or a threshold below a
 *   strict majority of the roster or above its size.
 */
export function sharesPhase(
  state: NodeSecureState,
  input: SharesInput,
  identityKeys: ReadonlyMap<string, string>,
): PhaseResult<SharesOutput> {
  expect(state, 'keys', input.saRound);
  const roster = verifyRoster(state, input, identityKeys);
  const names = Object.keys(roster).sort(byCodeUnit);
  const t = input.threshold;
  if (t < minimumThreshold(names.length) || t > names.length) {
    throw bad(
      `threshold ${String(t)} for ${String(names.length)} parties: between ${String(minimumThreshold(names.length))} and ${String(names.length)} needed`,
    );
  }
  const bShares = splitSecret(fromB64u(state.b), names.length, t);
  const sShares = splitSecret(fromB64u(state.sPrivate), names.length, t);
  const cPrivate = importAgreementPrivate(fromB64u(state.cPrivate));
  const shares: SharesOutput['shares'] = [];
  let own: HeldShare | undefined;
  names.forEach((to, i) => {
    const b = bShares[i];
    const s = sShares[i];
    if (b === undefined || s === undefined) throw bad('Shamir split gave too few shares');
    const held: HeldShare = { x: b.x, b: toB64u(b.y), s: toB64u(s.y) };
    if (to === state.me) {
      own = held;
      return;
    }
    const ctx = { jobId: state.jobId, round: state.saRound, from: state.me, to };
    const cPublic = roster[to]?.cPublic ?? '';
    shares.push({ to, box: sealShareBox(canonicalBytes(held), cPrivate, cPublic, ctx) });
  });
  if (own === undefined) throw bad(`${state.me} is not in the roster`);
  return { output: { shares }, state: { ...state, phase: 'shares', threshold: t, roster, own } };
}

/** Opens the boxes addressed to me from every other member of U2, refusing strays and replays. */
function openShares(
  state: NodeSecureState,
  input: MaskedInput,
  xOf: (t: string) => number,
): Record<string, HeldShare> {
  const roster = state.roster ?? {};
  const cPrivate = importAgreementPrivate(fromB64u(state.cPrivate));
  const u2 = new Set(input.u2);
  const held: Record<string, HeldShare> = {};
  for (const r of input.shares) {
    if (r.to !== state.me) continue;
    if (!u2.has(r.from) || r.from === state.me)
      throw bad(`share from ${r.from}, who is not another member of U2`);
    if (Object.hasOwn(held, r.from)) throw bad(`duplicate share from ${r.from}`);
    const ctx = { jobId: state.jobId, round: state.saRound, from: r.from, to: state.me };
    const plain = openShareBox(r.box, cPrivate, roster[r.from]?.cPublic ?? '', ctx);
    const parsed = sharePayloadSchema.safeParse(JSON.parse(Buffer.from(plain).toString('utf8')));
    if (!parsed.success || parsed.data.x !== xOf(state.me))
      throw bad(`share from ${r.from} is not for my position`);
    held[r.from] = parsed.data;
  }
  for (const u of input.u2) {
    if (u !== state.me && !Object.hasOwn(held, u)) throw bad(`no share from ${u}, a member of U2`);
  }
  return held;
}

/**
 * Phase masked (MaskedInputCollection): checks U2 (a subset of the roster, holding me, at least t
 * parties), opens the shares addressed to me, encodes `vector` in fixed point and masks it with
 * b_u and the pairwise seeds with every other member of U2.
 * @throws TesseraError BAD_REQUEST for a share for another job, round, sender or recipient, a
 *   duplicate or missing share, a U2 that does not fit, or a value that overflows the ring
 *   (UNPROCESSABLE, from encodeFixed).
 */
export function maskedPhase(
  state: NodeSecureState,
  input: MaskedInput,
  vector: ArrayLike<number>,
): PhaseResult<MaskedOutput> {
  expect(state, 'shares', input.saRound);
  const roster = state.roster ?? {};
  const names = Object.keys(roster).sort(byCodeUnit);
  const t = state.threshold ?? Infinity;
  const u2 = [...new Set(input.u2)];
  if (u2.length !== input.u2.length) throw bad('U2 names a party twice');
  if (!u2.includes(state.me)) throw bad(`U2 does not hold ${state.me}`);
  if (u2.some((u) => !Object.hasOwn(roster, u))) throw bad('U2 names a party outside the roster');
  if (u2.length < t) throw bad(`U2 has ${String(u2.length)} parties, threshold ${String(t)}`);
  if (input.parties < u2.length)
    throw bad(`fixed point for ${String(input.parties)} parties, U2 has ${String(u2.length)}`);
  if (vector.length !== input.length)
    throw bad(`vector of ${String(vector.length)} elements, ${String(input.length)} expected`);
  const held = openShares(state, input, (u) => names.indexOf(u) + 1);
  const x = encodeFixed(vector, { scaleBits: input.scaleBits, parties: input.parties });
  const sPrivate = importAgreementPrivate(fromB64u(state.sPrivate));
  const pairs = new Map<string, Uint8Array>();
  for (const v of u2) {
    if (v === state.me) continue;
    const ctx = { jobId: state.jobId, round: state.saRound, a: state.me, b: v };
    pairs.set(v, pairwiseSeed(sPrivate, roster[v]?.sPublic ?? '', ctx));
  }
  const y = maskVector(
    x,
    state.me,
    fromB64u(state.b),
    pairs,
    maskLabel(state.jobId, state.saRound),
  );
  const own = state.own;
  if (own === undefined) throw bad('no own share kept at the shares phase');
  const next: NodeSecureState = {
    ...state,
    phase: 'masked',
    u2,
    held: { ...held, [state.me]: own },
  };
  return { output: { masked: ringToB64u(y) }, state: next };
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length &&
  [...a].sort(byCodeUnit).every((v, i) => v === [...b].sort(byCodeUnit)[i]);

/**
 * Phase unmask (Unmasking): for each survivor u ∈ U3 my share of b_u, for each dropped d ∈ U2∖U3
 * my share of d's s key, never both for one party. Answers one (U3, U2∖U3) only: asked again with
 * other sets it refuses, so a hub cannot collect both shares of a party over two asks.
 * @throws TesseraError BAD_REQUEST when the sets overlap, do not make up U2, leave me out of U3,
 *   hold fewer than t survivors, or differ from an earlier answer.
 */
export function unmaskPhase(state: NodeSecureState, input: UnmaskInput): PhaseResult<UnmaskOutput> {
  if (state.phase === 'unmask') {
    const a = state.answered;
    if (
      a === undefined ||
      !sameSet(a.survivors, input.survivors) ||
      !sameSet(a.dropped, input.dropped)
    ) {
      throw bad('unmasking was already answered for other sets of survivors and dropped parties');
    }
  } else expect(state, 'masked', input.saRound);
  if (input.saRound !== state.saRound)
    throw bad(`secure sum round ${String(input.saRound)} is not this node's`);
  const u2 = state.u2 ?? [];
  const t = state.threshold ?? Infinity;
  const survivors = new Set(input.survivors);
  const dropped = new Set(input.dropped);
  if (survivors.size !== input.survivors.length || dropped.size !== input.dropped.length) {
    throw bad('U3 or the dropped set names a party twice');
  }
  if (input.dropped.some((d) => survivors.has(d)))
    throw bad('a party is both a survivor and dropped');
  if (!sameSet([...input.survivors, ...input.dropped], u2))
    throw bad('survivors and dropped do not make up U2');
  if (!survivors.has(state.me)) throw bad(`U3 does not hold ${state.me}`);
  if (survivors.size < t)
    throw bad(`U3 has ${String(survivors.size)} parties, threshold ${String(t)}`);
  const held = state.held ?? {};
  const pick = (u: string, which: 'b' | 's'): UnmaskOutput['self'][number] => {
    const h = Object.hasOwn(held, u) ? held[u] : undefined;
    if (h === undefined) throw bad(`no share held for ${u}`);
    return { of: u, x: h.x, y: h[which] };
  };
  const output: UnmaskOutput = {
    self: input.survivors.map((u) => pick(u, 'b')),
    pair: input.dropped.map((d) => pick(d, 's')),
  };
  const answered = { survivors: [...input.survivors], dropped: [...input.dropped] };
  return { output, state: { ...state, phase: 'unmask', answered } };
}
