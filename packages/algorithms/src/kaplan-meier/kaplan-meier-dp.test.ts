import { describe, expect, it } from 'vitest';
import { expectWithin, LAPLACE, noiseSd, plainAndNoisy } from '../../test/support/dp.js';
import { createRng } from '../numerics/random.js';
import { categoricalColumn, makeTable, numberColumn } from '../table-info.js';
import type { Table } from '../table.js';
import { kaplanMeier } from './index.js';
import type { KaplanMeierResult } from './schemas.js';

function site(seed: number, rows: number): Table {
  const rng = createRng(seed);
  const arm = Array.from({ length: rows }, (_, i) => (i % 2 === 0 ? 'A' : 'B'));
  const t = arm.map((a) => -Math.log(1 - rng.uniform()) * (a === 'A' ? 300 : 450));
  const c = t.map(() => rng.uniform() * 900);
  return makeTable({
    time: numberColumn(t.map((x, i) => Math.min(x, c[i] ?? 0))),
    died: numberColumn(t.map((x, i) => (x <= (c[i] ?? 0) ? 1 : 0))),
    arm: categoricalColumn(arm),
  });
}

const PARAMS = { time: 'time', event: 'died', group: 'arm', interval: 90, until: 720 };
const TABLES = [site(1, 900), site(2, 700), site(3, 500)];

describe('kaplan-meier with dp', () => {
  it('adds noise to event and censored counts within 6 sd; at-risk from the noisy cells', () => {
    const { plain, noisy } = plainAndNoisy<KaplanMeierResult>(kaplanMeier, PARAMS, LAPLACE, TABLES);
    expect(noisy.privacy).toMatchObject({ mechanism: 'laplace', epsilonPerSite: 1, sites: 3 });
    expect(noisy.privacy.noiseScale['cells']).toBeCloseTo(1, 9);
    const sd = Math.sqrt(3) * noiseSd('laplace', 1);
    for (const [arm, points] of Object.entries(plain.curves)) {
      const np = noisy.curves[arm] ?? [];
      points.forEach((pt, j) => {
        const q = np[j];
        if (q === undefined) throw new Error(`no point ${j} of ${arm}`);
        expectWithin(q.events, pt.events, sd, `${arm} events at ${pt.time}`);
        expectWithin(q.censored, pt.censored, sd, `${arm} censored at ${pt.time}`);
        // At risk at t_j sums every later cell: up to 2(K − j) + 1 noisy cells per site.
        const cells = 2 * (points.length - j) + 1;
        expectWithin(q.atRisk, pt.atRisk, Math.sqrt(cells) * sd, `${arm} at risk at ${pt.time}`);
        expect(q.survival).toBeGreaterThanOrEqual(0);
        expect(q.survival).toBeLessThanOrEqual(1);
      });
    }
    expect(noisy.curves).not.toEqual(plain.curves);
    expect(noisy.logRank).not.toBeNull();
  });

  it('keeps coarsened sites coarsened: the same reported points and deferrals', () => {
    // With minCount 40 the small late cells are carried forward or the curve stops early.
    const policy = { minCount: 40, allowMinMax: false };
    const { plain, noisy } = plainAndNoisy<KaplanMeierResult>(
      kaplanMeier,
      PARAMS,
      LAPLACE,
      TABLES,
      { policy },
    );
    expect(plain.coarsened).toBeDefined();
    expect(noisy.coarsened).toEqual(plain.coarsened);
  });
});
