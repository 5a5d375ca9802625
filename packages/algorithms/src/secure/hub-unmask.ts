import {
  agreementPublicOf,
  combineShares,
  decodeFixed,
  fromB64u,
  importAgreementPrivate,
  pairwiseSeed,
  unmaskSum,
  type Share,
} from '@tessera/protocol';
import type { SiteResult } from '../framework.js';
import { maskLabel } from './node-phases.js';
import { ringFromB64u } from './ring-bytes.js';
import { unmaskOutputSchema } from './wire.js';

/** What the hub knows of one secure sum when the unmask answers are in. */
export interface UnmaskContext {
  readonly jobId: string;
  readonly saRound: number;
  readonly threshold: number;
  /** U1 with the advertised keys. */
  readonly roster: Readonly<Record<string, { cPublic: string; sPublic: string }>>;
  readonly survivors: readonly string[];
  readonly dropped: readonly string[];
  /** Σ_{u∈U3} y_u, base64url ring bytes. */
  readonly maskedSum: string;
  readonly length: number;
  readonly scaleBits: number;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The shares of each party sent by the survivors that answered, keyed by the party. */
function collectShares(c: UnmaskContext, results: readonly SiteResult[]) {
  const xOf = new Map(
    Object.keys(c.roster)
      .sort(byCodeUnit)
      .map((t, i) => [t, i + 1]),
  );
  const survivors = new Set(c.survivors);
  const dropped = new Set(c.dropped);
  const self = new Map<string, Share[]>();
  const pair = new Map<string, Share[]>();
  let answered = 0;
  for (const r of results) {
    if (r.status !== 'ok' || !survivors.has(r.trust)) continue;
    const parsed = unmaskOutputSchema.safeParse(r.output);
    if (!parsed.success) continue;
    answered++;
    // A share counts only at its sender's own x, so one survivor cannot stand in for another.
    const x = xOf.get(r.trust);
    const add = (into: Map<string, Share[]>, of: string, y: string): void => {
      into.set(of, [...(into.get(of) ?? []), { x: x ?? 0, y: fromB64u(y) }]);
    };
    for (const s of parsed.data.self) if (survivors.has(s.of) && s.x === x) add(self, s.of, s.y);
    for (const s of parsed.data.pair) if (dropped.has(s.of) && s.x === x) add(pair, s.of, s.y);
  }
  return { self, pair, answered };
}

/**
 * The unmasking (Bonawitz et al. 2017, §4 round 4): rebuilds b_u of every survivor and the s key of
 * every dropped party from ≥ t shares, checks each rebuilt s key against its advertised public
 * key, removes the masks and decodes the fixed-point sum.
 * @returns the decoded sum, or the reason it cannot be opened (never a partial unmasking).
 */
export function unmask(
  c: UnmaskContext,
  results: readonly SiteResult[],
): { sum: Float64Array } | { reason: string } {
  const { self, pair, answered } = collectShares(c, results);
  const t = c.threshold;
  if (answered < t)
    return { reason: `${String(answered)} site(s) answered, threshold ${String(t)}` };
  const selfSeeds = new Map<string, Uint8Array>();
  for (const u of c.survivors) {
    const shares = self.get(u) ?? [];
    if (shares.length < t)
      return {
        reason: `${String(shares.length)} share(s) of ${u}'s self mask, threshold ${String(t)}`,
      };
    selfSeeds.set(u, combineShares(shares, t));
  }
  const droppedSeeds = new Map<string, Map<string, Uint8Array>>();
  for (const d of c.dropped) {
    const shares = pair.get(d) ?? [];
    if (shares.length < t)
      return { reason: `${String(shares.length)} share(s) of ${d}'s key, threshold ${String(t)}` };
    const sKey = importAgreementPrivate(combineShares(shares, t));
    if (agreementPublicOf(sKey) !== c.roster[d]?.sPublic) {
      return { reason: `the rebuilt key of ${d} does not match its advertisement (a bad share)` };
    }
    const seeds = new Map<string, Uint8Array>();
    for (const u of c.survivors) {
      const ctx = { jobId: c.jobId, round: c.saRound, a: d, b: u };
      seeds.set(u, pairwiseSeed(sKey, c.roster[u]?.sPublic ?? '', ctx));
    }
    droppedSeeds.set(d, seeds);
  }
  // unmaskSum adds the vectors it is given; the hub keeps only their running sum, so it stands
  // for the first survivor and the others contribute one shared zero vector.
  const total = ringFromB64u(c.maskedSum, c.length);
  const zero = new Uint32Array(2 * c.length);
  const masked = new Map(c.survivors.map((u, i) => [u, i === 0 ? total : zero]));
  const ring = unmaskSum(masked, selfSeeds, droppedSeeds, maskLabel(c.jobId, c.saRound), c.length);
  return { sum: decodeFixed(ring, c.scaleBits) };
}
