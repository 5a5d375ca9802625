import {
  chiSquareUniformBytes,
  encodeFixed,
  fromB64u,
  generatePartyKeys,
  signJson,
  type PartyKeys,
} from '@tessera/protocol';
import { describe, expect, it } from 'vitest';
import { loadFixtureTable, splitRandomly } from '../../test/support/fixtures.js';
import { histogram } from '../histogram/index.js';
import { runLocalStep } from '../run-local-step.js';
import { simulateJob, seededRandomBytes } from '../simulate.js';
import type { Table } from '../table.js';
import { keysPhase, maskedPhase, sharesPhase, type NodeSecureState } from './node-phases.js';
import { simulateSecureJob } from './simulate-secure.js';
import { histogramSumForm } from './sum-forms/histogram.js';
import type { MaskedInput, SharesInput } from './wire.js';

const NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];
const PARAMS = { variable: 'age', bins: 1000, range: [0, 100] };
const FORMS = { counts: histogramSumForm };
const tables: Table[] = splitRandomly(loadFixtureTable('histogram'), 5, 21, 200);
const plain = simulateJob(histogram, PARAMS, tables).decision;

const run = (o: { stopAfterMasked?: string[]; stopAfterShares?: string[] } = {}) =>
  simulateSecureJob(histogram, FORMS, PARAMS, tables, { names: NAMES, ...o });

describe('dropouts with n = 5 and t = 3', () => {
  it('one site that stops after sending its masked vector: the sum of all five', () => {
    const d = run({ stopAfterMasked: ['charlie'] }).decision;
    expect(d.kind).toBe('done');
    if (d.kind !== 'done' || plain.kind !== 'done') return;
    expect((d.result as { counts: unknown }).counts).toEqual(
      (plain.result as { counts: unknown }).counts,
    );
  });

  it('two sites that stop after masking: still the sum of all five', () => {
    const d = run({ stopAfterMasked: ['alpha', 'echo'] }).decision;
    expect(d.kind === 'done' && plain.kind === 'done' ? (d.result as { n: number }).n : null).toBe(
      plain.kind === 'done' ? (plain.result as { n: number }).n : -1,
    );
  });

  it('two sites that stop after sharing: the sum of the three others, their masks rebuilt', () => {
    const r = run({ stopAfterShares: ['bravo', 'delta'] });
    const three = simulateJob(histogram, PARAMS, [tables[0], tables[2], tables[4]] as Table[]);
    expect(r.decision.kind).toBe('done');
    if (r.decision.kind !== 'done' || three.decision.kind !== 'done') return;
    const { secureAggregation, sites: _s, ...rest } = r.decision.result as Record<string, unknown>;
    const { sites: _t, ...expected } = three.decision.result as Record<string, unknown>;
    expect(rest).toEqual(expected);
    expect(secureAggregation).toMatchObject({
      sites: 3,
      threshold: 3,
      dropped: ['bravo', 'delta'],
    });
  });

  it('three sites that stop after masking: a clean failure naming the phase, nothing unmasked', () => {
    const r = run({ stopAfterMasked: ['alpha', 'bravo', 'charlie'] });
    expect(r.decision).toEqual({
      kind: 'failed',
      code: 'SECURE_AGGREGATION_FAILED',
      reason:
        'secure aggregation of step counts, phase unmask: 2 site(s) answered, threshold 3; nothing was unmasked',
    });
    // The two answers hold one share per party: below t, they rebuild no seed at all.
    const answers = r.rounds[3]?.filter((s) => s.status === 'ok') ?? [];
    expect(answers).toHaveLength(2);
  });

  it('three sites that stop after sharing: fails at the masked phase', () => {
    const r = run({ stopAfterShares: ['alpha', 'bravo', 'charlie'] });
    expect(r.decision.kind === 'failed' ? r.decision.reason : '').toMatch(
      /^secure aggregation of step counts, phase masked: 2 site\(s\) took part, threshold 3/,
    );
  });
});

/** Three nodes up to the shares phase, by hand, to tamper with what the hub relays. */
function threeNodes() {
  const names = ['a', 'b', 'c'];
  const keys = new Map<string, PartyKeys>(names.map((n) => [n, generatePartyKeys()]));
  const identityKeys = new Map([...keys].map(([n, k]) => [n, k.public.sign]));
  const keyed = names.map((me) =>
    keysPhase({
      jobId: 'job-1',
      saRound: 0,
      me,
      identity: keys.get(me)?.signPrivate ?? generatePartyKeys().signPrivate,
      layout: {},
    }),
  );
  const sharesInput: SharesInput = {
    phase: 'shares',
    saRound: 0,
    threshold: 2,
    advertisements: Object.fromEntries(
      keyed.map((k) => [
        k.output.advertisement.trust,
        { advertisement: k.output.advertisement, signature: k.output.signature },
      ]),
    ),
  };
  return { names, keys, identityKeys, keyed, sharesInput };
}

describe('refusals at the node', () => {
  it('refuses a wrongly signed advertisement', () => {
    const n = threeNodes();
    const forged = n.keyed[1]?.output.advertisement;
    if (forged === undefined) throw new Error('no advertisement');
    // The hub swaps b's key for its own and signs with a key that is not b's identity key.
    const evil = { ...forged, cPublic: n.keyed[0]?.output.advertisement.cPublic ?? '' };
    const input = {
      ...n.sharesInput,
      advertisements: {
        ...n.sharesInput.advertisements,
        b: { advertisement: evil, signature: signJson(evil, generatePartyKeys().signPrivate) },
      },
    };
    expect(() => sharesPhase(n.keyed[0]?.state as NodeSecureState, input, n.identityKeys)).toThrow(
      /advertisement of b: signature does not verify/,
    );
  });

  function toMasked() {
    const n = threeNodes();
    const shared = n.keyed.map((k) => sharesPhase(k.state, n.sharesInput, n.identityKeys));
    const shares = shared.flatMap((s, i) =>
      s.output.shares.map((b) => ({
        from: n.names[i] ?? '',
        to: b.to,
        box: b.box,
      })),
    );
    const input: MaskedInput = {
      phase: 'masked',
      saRound: 0,
      u2: n.names,
      shares,
      layout: {},
      length: 2,
      scaleBits: 20,
      parties: 3,
    };
    return { shared, input };
  }

  it('masks when every share is in order', () => {
    const { shared, input } = toMasked();
    expect(maskedPhase(shared[0]?.state as NodeSecureState, input, [1, 2]).output.masked).toMatch(
      /^[\w-]+$/,
    );
  });

  it('refuses a replayed share (the same share twice)', () => {
    const { shared, input } = toMasked();
    const toA = input.shares.find((s) => s.to === 'a');
    const replay = { ...input, shares: [...input.shares, ...(toA === undefined ? [] : [toA])] };
    expect(() => maskedPhase(shared[0]?.state as NodeSecureState, replay, [1, 2])).toThrow(
      /duplicate share from b/,
    );
  });

  it('refuses a share presented as coming from another sender', () => {
    const { shared, input } = toMasked();
    const swapped = input.shares.map((s) =>
      s.to === 'a' ? { ...s, from: s.from === 'b' ? 'c' : 'b' } : s,
    );
    expect(() =>
      maskedPhase(shared[0]?.state as NodeSecureState, { ...input, shares: swapped }, [1, 2]),
    ).toThrow(/share box/);
  });

  it('refuses a share for another job', () => {
    const { shared, input } = toMasked();
    const otherJob = { ...(shared[0]?.state as NodeSecureState), jobId: 'job-2' };
    expect(() => maskedPhase(otherJob, input, [1, 2])).toThrow(
      /\(job job-2, round 0\) does not open/,
    );
  });
});

describe('what the hub holds per node', () => {
  const r = run();
  const masked = (r.rounds[2] ?? []).map((s) => ({
    trust: s.trust,
    bytes: fromB64u((s.output as { masked: string }).masked),
  }));

  it('each masked vector passes a uniformity test (chi-square, 255 df, two-sided p > 1e-6)', () => {
    expect(masked).toHaveLength(5);
    for (const m of masked) {
      expect(m.bytes.length).toBe(8 * (2 + 2 * 1002));
      const x2 = chiSquareUniformBytes(m.bytes);
      // scipy.stats.chi2.ppf(1e-6, 255) = 161.65, chi2.ppf(1 − 1e-6, 255) = 377.08
      expect(x2, m.trust).toBeGreaterThan(161.65);
      expect(x2, m.trust).toBeLessThan(377.08);
    }
  });

  it("holds no node's plain vector: no element of it at its place, and the plain one is far from uniform", () => {
    tables.forEach((table, i) => {
      const out = runLocalStep(histogram, 'counts', {
        table,
        params: histogram.params.parse(PARAMS),
        input: null,
        round: 0,
        policy: { minCount: 10, allowMinMax: false },
        randomBytes: seededRandomBytes(1),
      });
      if (out.status !== 'ok') throw new Error('site refused');
      const x = encodeFixed(
        histogramSumForm.toVector(out.output, histogram.params.parse(PARAMS), null, {}),
        { scaleBits: 20, parties: 5 },
      );
      const plainBytes = new Uint8Array(x.buffer);
      expect(chiSquareUniformBytes(plainBytes)).toBeGreaterThan(10_000);
      for (const m of masked) {
        const y = new Uint32Array(new Uint8Array(m.bytes).buffer);
        let same = 0;
        for (let j = 0; j < x.length; j += 2) if (x[j] === y[j] && x[j + 1] === y[j + 1]) same++;
        expect(same, `${NAMES[i] ?? ''} in ${m.trust}`).toBe(0);
      }
    });
  });
});
