// Envelope seal + open throughput (issue 2) for 1 MB and 64 MB payloads.
// "binary": sealBytes → openBytes (the crypto: X25519 + HKDF + AES-256-GCM in 1 MiB slices).
// "wire":   seal → open including the base64url JSON wire encoding of tasks and results.
// seal+open MB/s = payload MB / (seal time + open time), i.e. one full round trip per payload.
import { randomBytes } from 'node:crypto';
import { generatePartyKeys, open, openBytes, seal, sealBytes } from '@tessera/protocol';

const ad = {
  taskId: '00000000-0000-4000-8000-000000000000',
  node: 'site-a',
  round: 0,
  purpose: 'result',
};

function measure(payload, reps, sealFn, openFn) {
  openFn(sealFn(payload)); // warm-up
  let sealMs = 0;
  let openMs = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const env = sealFn(payload);
    const t1 = performance.now();
    openFn(env);
    const t2 = performance.now();
    sealMs += t1 - t0;
    openMs += t2 - t1;
  }
  const mb = (payload.length * reps) / (1024 * 1024);
  return {
    seal: mb / (sealMs / 1000),
    open: mb / (openMs / 1000),
    sealOpen: mb / ((sealMs + openMs) / 1000),
  };
}

export function benchEnvelope() {
  const keys = generatePartyKeys();
  const rows = [];
  for (const mb of [1, 64]) {
    const payload = randomBytes(mb * 1024 * 1024);
    const reps = mb === 1 ? 300 : 10;
    const bin = measure(
      payload,
      reps,
      (p) => sealBytes(p, keys.public.seal, ad),
      (b) => openBytes(b, keys.sealPrivate, ad),
    );
    const wire = measure(
      payload,
      Math.max(3, Math.floor(reps / 3)),
      (p) => seal(p, keys.public.seal, ad),
      (e) => open(e, keys.sealPrivate, ad),
    );
    rows.push({ payload: `${mb} MB`, form: 'binary', ...round(bin) });
    rows.push({ payload: `${mb} MB`, form: 'wire (base64url JSON)', ...round(wire) });
  }
  return rows;
}

function round(r) {
  return {
    'seal MB/s': Math.round(r.seal),
    'open MB/s': Math.round(r.open),
    'seal+open MB/s': Math.round(r.sealOpen),
  };
}
