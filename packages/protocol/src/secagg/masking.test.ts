import { randomBytes, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  exportAgreementPrivate,
  generateAgreementKey,
  importAgreementPrivate,
  pairwiseSeed,
} from './agreement.js';
import { maskVector, unmaskSum } from './masking.js';
import { decodeFixed, encodeFixed, fixedPointErrorBound, ringAddInto } from './ring.js';
import { combineShares, splitSecret, type Share } from './shamir.js';
import { openShareBox, sealShareBox } from './share-box.js';
import { chiSquareUniformBytes, makeBytes, makeUint32Stream } from './test-support.js';

/**
 * Chi-square statistic of the top byte of every element over 256 bins. The 0.999 quantile of
 * chi-square with 255 degrees of freedom is 330.52 (scipy.stats.chi2.ppf(0.999, 255)).
 */
const CHI2_255_P999 = 330.52;
function chiSquareTopByte(v: Uint32Array): number {
  const top = Uint8Array.from({ length: v.length / 2 }, (_, i) => (v[2 * i + 1] ?? 0) >>> 24);
  return chiSquareUniformBytes(top);
}

const NAMES = ['st-anne', 'st-bart', 'st-cleo', 'st-dora', 'st-evan'] as const;
const JOB = '6f1c2a4e-0000-4000-8000-000000000001';
const ROUND = 0;
const LABEL = `${JOB}|${ROUND}|summary`;
const T = 3;
const SPEC = { scaleBits: 20, parties: NAMES.length };

interface Party {
  readonly name: string;
  readonly c: { publicKey: string; privateKey: KeyObject }; // seals shares
  readonly s: { publicKey: string; privateKey: KeyObject }; // agrees pairwise seeds
  readonly b: Uint8Array; // self-mask seed
  readonly values: Float64Array;
}

function makeParties(length: number): Party[] {
  const next = makeUint32Stream(11);
  return NAMES.map((name) => ({
    name,
    c: generateAgreementKey(),
    s: generateAgreementKey(),
    b: randomBytes(32),
    values: Float64Array.from({ length }, () => Math.fround((next() / 2 ** 32 - 0.5) * 1e4)),
  }));
}

/**
 * Each party's shares of b_u and of its s private key (b share || s share): sealed to every other
 * party for the hub to relay, and its own kept at home (key `u>u`, never sent).
 */
function shareKeys(parties: readonly Party[]): Map<string, Uint8Array | string> {
  const boxes = new Map<string, Uint8Array | string>();
  for (const u of parties) {
    const bShares = splitSecret(u.b, parties.length, T);
    const sShares = splitSecret(exportAgreementPrivate(u.s.privateKey), parties.length, T);
    parties.forEach((v, j) => {
      const plain = Buffer.concat([
        bShares[j]?.y ?? new Uint8Array(),
        sShares[j]?.y ?? new Uint8Array(),
      ]);
      if (v === u) {
        boxes.set(`${u.name}>${u.name}`, plain);
        return;
      }
      const ctx = { jobId: JOB, round: ROUND, from: u.name, to: v.name };
      boxes.set(`${u.name}>${v.name}`, sealShareBox(plain, u.c.privateKey, v.c.publicKey, ctx));
    });
  }
  return boxes;
}

function maskOf(u: Party, parties: readonly Party[]): Uint32Array {
  const pairSeeds = new Map<string, Uint8Array>();
  for (const v of parties) {
    if (v === u) continue;
    const ctx = { jobId: JOB, round: ROUND, a: u.name, b: v.name };
    pairSeeds.set(v.name, pairwiseSeed(u.s.privateKey, v.s.publicKey, ctx));
  }
  return maskVector(encodeFixed(u.values, SPEC), u.name, u.b, pairSeeds, LABEL);
}

/**
 * The unmasking round: every responder opens the boxes addressed to it and sends, for each
 * survivor, its share of b_u, and for each dropped party, its share of the s private key; the hub
 * rebuilds seeds from ≥ t shares and unmasks.
 */
function unmask(
  parties: readonly Party[],
  boxes: ReadonlyMap<string, Uint8Array | string>,
  masked: ReadonlyMap<string, Uint32Array>,
  responders: readonly Party[],
  length: number,
): Uint32Array {
  const bShares = new Map<string, Share[]>();
  const sShares = new Map<string, Share[]>();
  for (const r of responders) {
    const x = parties.indexOf(r) + 1;
    for (const u of parties) {
      const ctx = { jobId: JOB, round: ROUND, from: u.name, to: r.name };
      const box = boxes.get(`${u.name}>${r.name}`) ?? '';
      const plain =
        typeof box === 'string' ? openShareBox(box, r.c.privateKey, u.c.publicKey, ctx) : box;
      // A responder reveals b_u of a survivor or s_u of a dropped party, never both.
      const [target, y] = masked.has(u.name)
        ? [bShares, plain.subarray(0, 32)]
        : [sShares, plain.subarray(32)];
      target.set(u.name, [...(target.get(u.name) ?? []), { x, y }]);
    }
  }
  const selfSeeds = new Map<string, Uint8Array>();
  for (const name of masked.keys()) selfSeeds.set(name, combineShares(bShares.get(name) ?? [], T));
  const dropped = new Map<string, Map<string, Uint8Array>>();
  for (const d of parties.filter((p) => !masked.has(p.name))) {
    const sd = importAgreementPrivate(combineShares(sShares.get(d.name) ?? [], T));
    const seeds = new Map<string, Uint8Array>();
    for (const u of parties.filter((p) => masked.has(p.name))) {
      const ctx = { jobId: JOB, round: ROUND, a: d.name, b: u.name };
      seeds.set(u.name, pairwiseSeed(sd, u.s.publicKey, ctx));
    }
    dropped.set(d.name, seeds);
  }
  return unmaskSum(masked, selfSeeds, dropped, LABEL, length);
}

function plainSum(parties: readonly Party[], length: number): Uint32Array {
  const acc = new Uint32Array(2 * length);
  for (const p of parties) ringAddInto(acc, encodeFixed(p.values, SPEC));
  return acc;
}

describe('masked vectors look uniform to the hub', () => {
  it('passes a chi-square test on the top byte when masked and fails it when not', () => {
    const length = 65536;
    // Structured input: ages 18..90, whose top bytes are all zero before masking.
    const x = encodeFixed(
      Float64Array.from({ length }, (_, i) => 18 + (i % 73)),
      SPEC,
    );
    const pairSeeds = new Map(NAMES.slice(1).map((v, i) => [v, makeBytes(20 + i, 32)]));
    const y = maskVector(x, 'st-anne', makeBytes(19, 32), pairSeeds, LABEL);
    expect(chiSquareTopByte(y)).toBeLessThan(CHI2_255_P999);
    expect(chiSquareTopByte(x)).toBeGreaterThan(CHI2_255_P999);
  });
});

describe('a full round with n = 5, t = 3', () => {
  const length = 4096;
  const parties = makeParties(length);
  const boxes = shareKeys(parties);
  const all = new Map(parties.map((u) => [u.name, maskOf(u, parties)]));

  it('unmasks the plain sum when nobody drops, within the fixed-point error of the float sum', () => {
    const sum = unmask(parties, boxes, all, parties, length);
    expect(sum).toEqual(plainSum(parties, length));
    const decoded = decodeFixed(sum, SPEC.scaleBits);
    for (let i = 0; i < length; i++) {
      const exact = parties.reduce((s, p) => s + (p.values[i] ?? 0), 0);
      expect(Math.abs((decoded[i] ?? 0) - exact)).toBeLessThanOrEqual(fixedPointErrorBound(SPEC));
    }
    for (const u of parties) expect(all.get(u.name)).not.toEqual(encodeFixed(u.values, SPEC));
  });

  it('opens the sum of all five when 1 or 2 stop after sending their masked input', () => {
    for (const gone of [1, 2]) {
      const responders = parties.slice(gone);
      expect(unmask(parties, boxes, all, responders, length)).toEqual(plainSum(parties, length));
    }
  });

  it('opens the survivors’ sum when 1 or 2 drop before masking', () => {
    for (const gone of [1, 2]) {
      const survivors = parties.slice(0, parties.length - gone);
      const masked = new Map(survivors.map((u) => [u.name, all.get(u.name) ?? new Uint32Array()]));
      expect(unmask(parties, boxes, masked, survivors, length)).toEqual(
        plainSum(survivors, length),
      );
    }
  });

  it('opens the survivors’ sum when one drops before masking and one after', () => {
    const survivors = parties.slice(1);
    const masked = new Map(survivors.map((u) => [u.name, all.get(u.name) ?? new Uint32Array()]));
    expect(unmask(parties, boxes, masked, parties.slice(2), length)).toEqual(
      plainSum(survivors, length),
    );
  });

  it('fails cleanly with fewer than t responders', () => {
    const survivors = parties.slice(0, 2);
    const masked = new Map(survivors.map((u) => [u.name, all.get(u.name) ?? new Uint32Array()]));
    expect(() => unmask(parties, boxes, masked, survivors, length)).toThrow(
      /2 shares given, 3 needed/,
    );
  });

  it('leaves a survivor’s input masked when its self seed is withheld', () => {
    const [anne, bart] = parties as [Party, Party];
    const pairOnly = unmaskSum(
      new Map([[anne.name, all.get(anne.name) ?? new Uint32Array()]]),
      new Map([[anne.name, bart.b]]),
      new Map(),
      LABEL,
      length,
    );
    expect(pairOnly).not.toEqual(encodeFixed(anne.values, SPEC));
  });
});

describe('unmaskSum refuses inconsistent inputs', () => {
  const y = new Uint32Array(8);
  const seed = makeBytes(1, 32);
  const run = (
    masked: [string, Uint32Array][],
    self: [string, Uint8Array][],
    dropped: [string, Map<string, Uint8Array>][],
  ): Uint32Array => unmaskSum(new Map(masked), new Map(self), new Map(dropped), LABEL, 4);

  it('names the missing or extra party', () => {
    expect(() => run([['a', y]], [], [])).toThrow(/no self seed of a/);
    expect(() =>
      run(
        [['a', y]],
        [
          ['a', seed],
          ['b', seed],
        ],
        [],
      ),
    ).toThrow(/self seed of b, who sent no input/);
    expect(() => run([['a', y]], [['a', seed]], [['a', new Map<string, Uint8Array>()]])).toThrow(
      /a sent its input and is also dropped/,
    );
    expect(() => run([['a', y]], [['a', seed]], [['d', new Map<string, Uint8Array>()]])).toThrow(
      /no pairwise seed of d with a/,
    );
    expect(() => run([['a', new Uint32Array(6)]], [['a', seed]], [])).toThrow(/3 elements, not 4/);
  });

  it('refuses a party’s pairwise seed with itself when masking', () => {
    expect(() => maskVector(y, 'a', seed, new Map([['a', seed]]), LABEL)).toThrow(/name itself/);
  });
});
