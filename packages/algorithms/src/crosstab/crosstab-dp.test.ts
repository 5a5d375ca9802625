import { describe, expect, it } from 'vitest';
import { expectWithin, LAPLACE, noiseSd, plainAndNoisy } from '../../test/support/dp.js';
import { createRng } from '../numerics/random.js';
import { categoricalColumn, makeTable } from '../table-info.js';
import type { Table } from '../table.js';
import { crosstab } from './index.js';
import type { CrosstabResult } from './schemas.js';

function site(seed: number, rows: number, rare = 0): Table {
  const rng = createRng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)] ?? (xs[0] as T);
  const a = Array.from({ length: rows }, () => pick(['x', 'y', 'z']));
  const b = Array.from({ length: rows }, () => pick(['p', 'q']));
  // `rare` rows in a level of their own: a small cell, suppressed at this site.
  return makeTable({
    a: categoricalColumn([...a, ...new Array<string>(rare).fill('w')]),
    b: categoricalColumn([...b, ...new Array<string>(rare).fill('p')]),
  });
}

const PARAMS = { rows: 'a', columns: 'b' };

describe('crosstab with dp', () => {
  it('adds noise to every released cell within 6 sd, runs chi-square on the noisy table', () => {
    const tables = [site(1, 300), site(2, 250), site(3, 200)];
    const { plain, noisy } = plainAndNoisy<CrosstabResult>(crosstab, PARAMS, LAPLACE, tables);
    expect(noisy.privacy).toMatchObject({ mechanism: 'laplace', epsilonPerSite: 1, sites: 3 });
    expect(noisy.privacy.noiseScale['cells']).toBeCloseTo(1, 9);
    const sd = Math.sqrt(3) * noiseSd('laplace', 1);
    plain.counts.forEach((row, a) => {
      row.forEach((c, b) => {
        expectWithin(noisy.counts[a]?.[b] ?? Number.NaN, c ?? Number.NaN, sd, `cell ${a},${b}`);
      });
    });
    expect(noisy.counts).not.toEqual(plain.counts);
    expect(noisy.chiSquare).not.toBeNull();
    expect(noisy.note).toMatch(/noisy table/);
  });

  it('keeps cells suppressed at a site suppressed, and then computes no test', () => {
    const tables = [site(1, 300), site(2, 250, 3)];
    const { plain, noisy } = plainAndNoisy<CrosstabResult>(crosstab, PARAMS, LAPLACE, tables);
    const nulls = (r: CrosstabResult) => r.counts.flat().map((c) => c === null);
    expect(nulls(plain)).toContain(true);
    expect(nulls(noisy)).toEqual(nulls(plain));
    expect(noisy.chiSquare).toBeNull();
  });

  it('refuses a privacy report the job did not ask for (INVALID_OUTPUT)', () => {
    const out = crosstab.aggregate(crosstab.params.parse(PARAMS), null, 'table', [
      {
        trust: 's',
        status: 'ok',
        output: {
          rows: 20,
          missing: 0,
          rowLevels: ['x'],
          columnLevels: ['p'],
          counts: [[20]],
          privacy: { epsilon: 1, delta: 0, releases: [] },
        },
      },
    ]);
    expect(out).toMatchObject({ kind: 'failed', code: 'INVALID_OUTPUT' });
  });
});
