import { createHash } from 'node:crypto';

/*
 * The differencing guard's pure core (DESIGN "Disclosure control at the node"). A released cohort
 * is the set of rows it held, per dataset: row identity is (dataset name, content fingerprint of
 * the dataset's data file, row position in that file). Each part is kept as a sorted index list
 * or as a bitset, whichever is smaller, so a cohort of 1,000,000 rows costs at most 125 KB.
 */

/** The rows of one dataset a step read, as the step worker reports them. */
export interface DatasetRows {
  readonly dataset: string;
  /** SHA-256 of the dataset's data file: a re-import with other content is another universe. */
  readonly fingerprint: string;
  /** Rows in the dataset. */
  readonly total: number;
  /** Sorted row positions selected by the cohort; null when every row was. */
  readonly rows: Uint32Array | null;
}

/** One dataset's part of a cohort, in its compact form. */
export type RowPart =
  | {
      readonly dataset: string;
      readonly fingerprint: string;
      readonly total: number;
      readonly count: number;
      readonly kind: 'list';
      /** Sorted row positions. */
      readonly data: Uint32Array;
    }
  | {
      readonly dataset: string;
      readonly fingerprint: string;
      readonly total: number;
      readonly count: number;
      readonly kind: 'bits';
      /** Bit i of word i >> 5 is row i. */
      readonly data: Uint32Array;
    };

/** A cohort as the guard remembers it. */
export interface CohortRows {
  /** SHA-256 over the canonical parts: equal row sets have equal hashes (dedup). */
  readonly hash: string;
  /** Rows over all parts. */
  readonly size: number;
  /** Sorted by dataset name. */
  readonly parts: readonly RowPart[];
}

/** Builds the compact form of the rows a step read. Pure. */
export function toCohortRows(rows: readonly DatasetRows[]): CohortRows {
  const parts = [...rows]
    .sort((a, b) => (a.dataset < b.dataset ? -1 : a.dataset > b.dataset ? 1 : 0))
    .map(toPart);
  return fromParts(parts);
}

/** A cohort from parts already in compact form (as read back from disk). Pure. */
export function fromParts(parts: readonly RowPart[]): CohortRows {
  const h = createHash('sha256');
  let size = 0;
  for (const p of parts) {
    size += p.count;
    h.update(`${p.dataset}\0${p.fingerprint}\0${String(p.total)}\0${p.kind}\0`);
    h.update(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength));
  }
  return { hash: h.digest('hex'), size, parts };
}

// The encoding is a function of (count, total) only, so one row set always encodes one way and
// the hash over the encoding identifies the set.
function toPart(r: DatasetRows): RowPart {
  const count = r.rows === null ? r.total : r.rows.length;
  const base = { dataset: r.dataset, fingerprint: r.fingerprint, total: r.total, count };
  const bitsBytes = Math.ceil(r.total / 32) * 4;
  if (count * 4 <= bitsBytes) {
    const data = r.rows ?? Uint32Array.from({ length: r.total }, (_, i) => i);
    return { ...base, kind: 'list', data };
  }
  const data = new Uint32Array(Math.ceil(r.total / 32));
  if (r.rows === null) {
    data.fill(0xffffffff);
    const rest = r.total % 32;
    if (rest !== 0) data[data.length - 1] = (2 ** rest - 1) >>> 0;
  } else {
    for (const i of r.rows) data[i >>> 5] = ((data[i >>> 5] ?? 0) | (1 << (i & 31))) >>> 0;
  }
  return { ...base, kind: 'bits', data };
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

const hasBit = (bits: Uint32Array, i: number): boolean =>
  (((bits[i >>> 5] ?? 0) >>> (i & 31)) & 1) === 1;

/**
 * |a △ b| for two parts over the same dataset content, counted up to `cap` (it stops there:
 * only "below cap or not" matters to the guard). Pure.
 */
export function partDifference(a: RowPart, b: RowPart, cap: number): number {
  if (a.kind === 'bits' && b.kind === 'bits') {
    let d = 0;
    for (let w = 0; w < a.data.length && d < cap; w++)
      d += popcount(((a.data[w] ?? 0) ^ (b.data[w] ?? 0)) >>> 0);
    return Math.min(d, cap);
  }
  if (a.kind === 'list' && b.kind === 'list') {
    let i = 0;
    let j = 0;
    let d = 0;
    const x = a.data;
    const y = b.data;
    while (i < x.length && j < y.length && d < cap) {
      const u = x[i] ?? 0;
      const v = y[j] ?? 0;
      if (u === v) {
        i++;
        j++;
      } else {
        d++;
        if (u < v) i++;
        else j++;
      }
    }
    return Math.min(cap, d + (x.length - i) + (y.length - j));
  }
  const list = a.kind === 'list' ? a : b;
  const bits = a.kind === 'list' ? b : a;
  // |L △ B| = |L \ B| + |B| − |L ∩ B|
  let outside = 0;
  for (const i of list.data) if (!hasBit(bits.data, i)) outside++;
  const inside = list.count - outside;
  return Math.min(cap, outside + bits.count - inside);
}

/**
 * |a △ b| up to `cap`, or null when the two are not comparable: some dataset they both read was
 * re-imported with other content in between, so row positions do not name the same rows. Pure.
 */
export function cohortDifference(a: CohortRows, b: CohortRows, cap: number): number | null {
  // |a| − |b| bounds the symmetric difference from below: most pairs stop here.
  if (Math.abs(a.size - b.size) >= cap) return cap;
  const other = new Map(b.parts.map((p) => [p.dataset, p]));
  let d = 0;
  for (const p of a.parts) {
    const q = other.get(p.dataset);
    other.delete(p.dataset);
    if (q === undefined) d += p.count;
    else if (q.fingerprint !== p.fingerprint || q.total !== p.total) return null;
    else d += partDifference(p, q, cap - d);
    if (d >= cap) return cap;
  }
  for (const q of other.values()) d += q.count;
  return Math.min(d, cap);
}

/** The guard's answer for a cohort about to be released. */
export type GuardDecision =
  { readonly ok: true; readonly seen: boolean } | { readonly ok: false; readonly reason: string };

/**
 * Refuses a cohort whose symmetric difference with any remembered one is 1 … minCount − 1 rows
 * (an equal row set — the rounds of one job, a repeated job — is fine and marked `seen`, so it is
 * not stored twice). The reason names the threshold only, never a count. Pure.
 */
export function checkCohort(
  remembered: readonly CohortRows[],
  candidate: CohortRows,
  minCount: number,
): GuardDecision {
  if (remembered.some((r) => r.hash === candidate.hash)) return { ok: true, seen: true };
  for (const r of remembered) {
    const d = cohortDifference(candidate, r, minCount);
    if (d !== null && d >= 1 && d < minCount) {
      return {
        ok: false,
        reason: `the cohort differs from one already released in this project by fewer than ${String(minCount)} rows`,
      };
    }
  }
  return { ok: true, seen: false };
}
