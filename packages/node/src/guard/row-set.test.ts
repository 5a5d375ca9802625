import { describe, expect, it } from 'vitest';
import { decodeRecords, encodeRecord } from './guard-file.js';
import {
  checkCohort,
  cohortDifference,
  toCohortRows,
  type CohortRows,
  type DatasetRows,
} from './row-set.js';

const FP = 'a'.repeat(64);
const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => from + i);

function rows(selected: number[] | null, o: Partial<DatasetRows> = {}): DatasetRows {
  return {
    dataset: 'patients',
    fingerprint: FP,
    total: 1000,
    rows: selected === null ? null : Uint32Array.from(selected),
    ...o,
  };
}
const cohort = (selected: number[] | null, o: Partial<DatasetRows> = {}): CohortRows =>
  toCohortRows([rows(selected, o)]);
const without = (xs: number[], drop: number[]): number[] => xs.filter((x) => !drop.includes(x));

describe('cohortDifference: the symmetric difference of two released row sets', () => {
  const all = range(0, 1000);

  it('counts |A △ B| whether parts are lists, bitsets or mixed', () => {
    const dense = range(0, 900); // a bitset (900 × 4 bytes > 125 bytes)
    const sparse = range(0, 20); // a list
    expect(cohort(dense).parts[0]?.kind).toBe('bits');
    expect(cohort(sparse).parts[0]?.kind).toBe('list');
    expect(cohortDifference(cohort(dense), cohort(without(dense, [5, 7])), 10)).toBe(2);
    expect(cohortDifference(cohort(sparse), cohort([...without(sparse, [3]), 500]), 10)).toBe(2);
    expect(cohortDifference(cohort(range(0, 30)), cohort(range(0, 27)), 10)).toBe(3);
    // list against bitset
    expect(cohortDifference(cohort(range(0, 30)), cohort(range(0, 900)), 10_000)).toBe(870);
  });

  it('treats "no cohort" as the set of every row', () => {
    expect(cohortDifference(cohort(null), cohort(without(all, [999])), 10)).toBe(1);
    expect(cohort(null).hash).toBe(cohort(all).hash);
  });

  it('stops counting at the cap, and a size gap of cap or more decides at once', () => {
    expect(cohortDifference(cohort(range(0, 500)), cohort(range(500, 1000)), 10)).toBe(10);
    expect(cohortDifference(cohort(range(0, 100)), cohort(range(0, 50)), 10)).toBe(10);
  });

  it('counts a dataset only one side read in full, and refuses to compare across a re-import', () => {
    const two = toCohortRows([rows(null), rows(null, { dataset: 'extra', total: 3 })]);
    expect(cohortDifference(two, cohort(null), 10)).toBe(3);
    expect(
      cohortDifference(cohort(null), cohort(null, { fingerprint: 'b'.repeat(64) }), 10),
    ).toBeNull();
  });
});

describe('checkCohort: the differencing guard', () => {
  const minCount = 10;
  const released = [cohort(null), cohort(range(0, 400))];

  it('refuses a cohort 1 to minCount − 1 rows from one released, naming only the threshold', () => {
    for (const drop of [[17], range(100, 109)]) {
      const d = checkCohort(released, cohort(without(range(0, 1000), drop)), minCount);
      expect(d).toEqual({ ok: false, reason: expect.stringContaining('fewer than 10 rows') });
      expect(d.ok ? '' : d.reason).not.toMatch(/\b[1-9]\b/);
    }
  });

  it('accepts an identical row set (a later round, a repeated job) and marks it seen', () => {
    expect(checkCohort(released, cohort(range(0, 400)), minCount)).toEqual({
      ok: true,
      seen: true,
    });
  });

  it('accepts a cohort minCount or more rows away from every one released', () => {
    expect(checkCohort(released, cohort(range(0, 410)), minCount)).toEqual({
      ok: true,
      seen: false,
    });
    expect(checkCohort(released, cohort(range(0, 390)), minCount)).toEqual({
      ok: true,
      seen: false,
    });
  });

  it('does not compare with cohorts over another version of the data', () => {
    const old = [cohort(null, { fingerprint: 'c'.repeat(64) })];
    expect(checkCohort(old, cohort(without(range(0, 1000), [3])), minCount).ok).toBe(true);
  });
});

describe('guard file records', () => {
  it('round-trips cohorts and drops a torn tail', () => {
    const a = cohort(range(0, 900));
    const b = toCohortRows([rows([1, 5, 9]), rows(null, { dataset: 'x', total: 70 })]);
    const buf = Buffer.concat([encodeRecord(a), encodeRecord(b)]);
    const back = decodeRecords(buf);
    expect(back.validBytes).toBe(buf.length);
    expect(back.cohorts.map((c) => c.hash)).toEqual([a.hash, b.hash]);
    expect(cohortDifference(back.cohorts[0] ?? a, a, 10)).toBe(0);

    const torn = decodeRecords(buf.subarray(0, buf.length - 5));
    expect(torn.cohorts.map((c) => c.hash)).toEqual([a.hash]);
    expect(torn.validBytes).toBe(encodeRecord(a).length);

    const flipped = Buffer.from(buf);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    expect(decodeRecords(flipped).cohorts).toEqual([]);
  });
});
