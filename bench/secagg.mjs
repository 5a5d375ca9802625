// Secure aggregation core (issue 5): the cost of every party's work and of the hub's unmasking,
// in one process on one thread (no transport: the orchestration's round trips are not counted).
//
//   node bench/secagg.mjs [--parties 10] [--length 1000000] [--dropouts 0,2] [--threshold T]
//
// Per case: n parties with `length` float32 values each (standard normal × 1000, rounded to
// float32), scale 2^-20, threshold t = floor(n/2) + 1 unless given. Timed per party: key set-up
// (two X25519 keys, Shamir shares of b_u and of the pairwise private key, one share box sealed
// to every other party), pairwise seeds (n − 1 X25519 + HKDF), encodeFixed, maskVector, and in
// the unmasking round opening the n − 1 boxes addressed to it. Timed at the hub: rebuilding the
// seeds from t shares each (b_u of every survivor; for each dropped party its private key, then
// its pairwise seed with every survivor) and unmaskSum. The dropped parties leave before masking
// (the costlier case: the hub corrects d × survivors pairwise masks). Every sum is checked
// against the plain ring sum; a mismatch fails the bench.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  combineShares,
  encodeFixed,
  exportAgreementPrivate,
  generateAgreementKey,
  importAgreementPrivate,
  maskVector,
  openShareBox,
  pairwiseSeed,
  ringAddInto,
  sealShareBox,
  splitSecret,
  toB64u,
  unmaskSum,
} from '@tessera/protocol';
import { makeValues } from './lib/values.mjs';

const SCALE_BITS = 20;
const JOB = '00000000-0000-4000-8000-000000000000';
const ROUND = 0;
const LABEL = `${JOB}|${ROUND}|bench`;

function timed(f) {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const max = (xs) => Math.max(...xs);

/**
 * One case: n parties × length values, unmasked once per dropout count.
 * @returns per-party mean/max times (ms), the hub's times per dropout count, and wire sizes.
 */
export function benchSecagg({ parties: n, length, dropouts, threshold }) {
  const t = threshold ?? Math.floor(n / 2) + 1;
  const names = Array.from({ length: n }, (_, i) => `site-${String(i + 1).padStart(3, '0')}`);
  const spec = { scaleBits: SCALE_BITS, parties: n };
  const per = { setup: [], seeds: [], encode: [], mask: [], open: [] };

  // Advertise: each party's keys (c seals shares, s agrees pairwise seeds) and self seed b.
  const party = names.map((name, i) => ({
    name,
    index: i,
    c: generateAgreementKey(),
    s: generateAgreementKey(),
    b: randomBytes(32),
  }));
  // Share keys: b_u and s_u private, t-of-n, each share sealed to its recipient.
  const boxes = new Map();
  for (const u of party) {
    const { ms } = timed(() => {
      const bShares = splitSecret(u.b, n, t);
      const sShares = splitSecret(exportAgreementPrivate(u.s.privateKey), n, t);
      for (const v of party) {
        const plain = Buffer.concat([bShares[v.index].y, sShares[v.index].y]);
        if (v === u) boxes.set(`${u.name}>${u.name}`, plain);
        else {
          const ctx = { jobId: JOB, round: ROUND, from: u.name, to: v.name };
          boxes.set(`${u.name}>${v.name}`, sealShareBox(plain, u.c.privateKey, v.c.publicKey, ctx));
        }
      }
    });
    per.setup.push(ms);
  }
  // Masked input: every party, with pairwise seeds for every other party of the round.
  const plain = new Uint32Array(2 * length);
  const masked = new Map();
  for (const u of party) {
    const seeds = timed(() => {
      const m = new Map();
      for (const v of party) {
        if (v === u) continue;
        const ctx = { jobId: JOB, round: ROUND, a: u.name, b: v.name };
        m.set(v.name, pairwiseSeed(u.s.privateKey, v.s.publicKey, ctx));
      }
      return m;
    });
    const values = makeValues(length, u.index + 1);
    const enc = timed(() => encodeFixed(values, spec));
    const y = timed(() => maskVector(enc.value, u.name, u.b, seeds.value, LABEL));
    per.seeds.push(seeds.ms);
    per.encode.push(enc.ms);
    per.mask.push(y.ms);
    masked.set(u.name, { y: y.value, x: enc.value });
  }
  const wire = masked.values().next().value.y;
  const b64 = timed(() => toB64u(new Uint8Array(wire.buffer, wire.byteOffset, wire.byteLength)));

  const hub = [];
  for (const drop of dropouts) {
    const dropped = new Set(names.slice(n - drop));
    const survivors = party.filter((p) => !dropped.has(p.name));
    const responders = survivors;
    if (responders.length < t) throw new Error(`${drop} dropouts leave fewer than t = ${t}`);
    const y = new Map(survivors.map((u) => [u.name, masked.get(u.name).y]));
    // Unmasking round at each responder: open the boxes addressed to it, send back one share per
    // party (b_u for a survivor, s_u for a dropped party).
    const bShares = new Map();
    const sShares = new Map();
    const openMs = [];
    for (const r of responders) {
      const { ms } = timed(() => {
        for (const u of party) {
          const box = boxes.get(`${u.name}>${r.name}`);
          const ctx = { jobId: JOB, round: ROUND, from: u.name, to: r.name };
          const pt =
            typeof box === 'string' ? openShareBox(box, r.c.privateKey, u.c.publicKey, ctx) : box;
          const [into, share] = dropped.has(u.name)
            ? [sShares, pt.subarray(32)]
            : [bShares, pt.subarray(0, 32)];
          const list = into.get(u.name) ?? [];
          if (list.length < t) list.push({ x: r.index + 1, y: share });
          into.set(u.name, list);
        }
      });
      openMs.push(ms);
    }
    if (drop === dropouts[0]) per.open.push(...openMs);
    const cpu0 = process.cpuUsage();
    const rebuild = timed(() => {
      const selfSeeds = new Map(
        survivors.map((u) => [u.name, combineShares(bShares.get(u.name), t)]),
      );
      const pairs = new Map();
      for (const d of dropped) {
        const key = importAgreementPrivate(combineShares(sShares.get(d), t));
        const m = new Map();
        for (const u of survivors) {
          m.set(
            u.name,
            pairwiseSeed(key, u.s.publicKey, { jobId: JOB, round: ROUND, a: d, b: u.name }),
          );
        }
        pairs.set(d, m);
      }
      return { selfSeeds, pairs };
    });
    const unmask = timed(() =>
      unmaskSum(y, rebuild.value.selfSeeds, rebuild.value.pairs, LABEL, length),
    );
    const cpu = process.cpuUsage(cpu0);
    plain.fill(0);
    for (const u of survivors) ringAddInto(plain, masked.get(u.name).x);
    if (Buffer.compare(Buffer.from(plain.buffer), Buffer.from(unmask.value.buffer)) !== 0) {
      throw new Error(`unmasked sum differs from the plain sum (${drop} dropouts)`);
    }
    hub.push({
      dropouts: drop,
      rebuildMs: rebuild.ms,
      unmaskMs: unmask.ms,
      totalMs: rebuild.ms + unmask.ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
  }
  // The plain hub's work for comparison: summing n float64 vectors.
  const floats = Array.from({ length: n }, (_, i) => Float64Array.from(makeValues(length, i + 1)));
  const plainHub = timed(() => {
    const acc = new Float64Array(length);
    for (const f of floats) for (let i = 0; i < length; i++) acc[i] += f[i];
    return acc;
  });
  return {
    parties: n,
    length,
    threshold: t,
    perParty: Object.fromEntries(
      Object.entries(per).map(([k, v]) => [k, { mean: mean(v), max: max(v) }]),
    ),
    hub,
    plainHubMs: plainHub.ms,
    wire: {
      binaryBytes: wire.byteLength,
      base64urlBytes: b64.value.length,
      base64urlMs: b64.ms,
      float32Bytes: 4 * length,
    },
  };
}

/** Printable rows for one case. */
export function secaggRows(r) {
  const f = (v) => v.toFixed(1);
  const party = Object.entries(r.perParty).map(([step, v]) => ({
    'per party': step,
    'mean ms': f(v.mean),
    'max ms': f(v.max),
  }));
  const hub = r.hub.map((h) => ({
    'hub, dropouts': String(h.dropouts),
    'rebuild seeds ms': f(h.rebuildMs),
    'unmaskSum ms': f(h.unmaskMs),
    'total ms': f(h.totalMs),
    'CPU ms': f(h.cpuMs),
  }));
  return { party, hub };
}

function main() {
  const { values: opt } = parseArgs({
    options: {
      parties: { type: 'string', default: '10' },
      length: { type: 'string', default: '1000000' },
      dropouts: { type: 'string', default: '0,2' },
      threshold: { type: 'string' },
    },
  });
  const r = benchSecagg({
    parties: Number(opt.parties),
    length: Number(opt.length),
    dropouts: opt.dropouts.split(',').map(Number),
    threshold: opt.threshold === undefined ? undefined : Number(opt.threshold),
  });
  const rows = secaggRows(r);
  process.stdout.write(JSON.stringify({ ...r, rows }, null, 2) + '\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
