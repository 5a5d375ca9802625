import { describe, expect, it } from 'vitest';
import { createRng } from '../numerics/random.js';
import { addToBins, binOf, binnedMoments } from './bins.js';
import { areaDownsample, middleInstance } from './downsample.js';
import { memorySeriesImages } from './memory-images.js';
import { simulateImagingJob } from './simulate-imaging.js';
import { imageStats } from './stats/index.js';
import { cellsToSuppress } from './suppress-patients.js';

describe('imaging bins', () => {
  it('puts a value on an edge in the bin that starts there, and clamps values outside', () => {
    // 8 bins of 250 over [-1000, 1000).
    expect(
      [-1000, -750.5, -750, -1, 0, 999, 1000, 5000, -5000].map((x) => binOf(x, -1000, 1000, 8)),
    ).toEqual([0, 0, 1, 3, 4, 7, 7, 7, 0]);
  });

  it('bins like a walk along the edges for random integer values (edges 1/3 apart too)', () => {
    const rng = createRng(5);
    for (const [min, max, bins] of [
      [-1024, 3072, 64],
      [0, 1, 3],
      [-1, 2, 9],
    ] as const) {
      const values = Array.from(
        { length: 5000 },
        () => min - 2 + rng.int(max - min + 4) + (rng.int(3) - 1) / 3,
      );
      const counts = new Float64Array(bins);
      addToBins(values, min, max, counts);
      const ref = new Array<number>(bins).fill(0);
      for (const v of values) {
        let k = 0;
        // Edges as exact fractions: v ≥ min + (k+1)(max−min)/bins ⇔ (v − min)·bins ≥ (k+1)(max−min).
        while (k < bins - 1 && (v - min) * bins >= (k + 1) * (max - min)) k++;
        ref[k] = (ref[k] ?? 0) + 1;
      }
      expect(Array.from(counts)).toEqual(ref);
    }
  });

  it('takes moments at bin centres, leaving null bins out', () => {
    // Values 5 (×2) and 15 (×2) at the centres of [0,10) and [10,20): mean 10, sd 5.
    expect(binnedMoments([2, 2], 0, 20)).toEqual({ n: 4, mean: 10, sd: 5 });
    expect(binnedMoments([2, null, 2], 0, 30)).toEqual({ n: 4, mean: 15, sd: 10 });
    expect(binnedMoments([null, 0], 0, 2)).toBeNull();
  });
});

describe('areaDownsample', () => {
  it('averages blocks when the size divides the image', () => {
    const img = Float32Array.from({ length: 16 }, (_, i) => i); // 4 × 4, row-major
    expect(Array.from(areaDownsample(img, 4, 4, 2))).toEqual([2.5, 4.5, 10.5, 12.5]);
  });

  it('matches an exact supersampled mean for sizes that do not divide the image', () => {
    const rng = createRng(3);
    const rows = 7;
    const columns = 5;
    const img = Float32Array.from({ length: rows * columns }, () => rng.int(1000));
    const size = 3;
    const out = areaDownsample(img, rows, columns, size);
    // 105 samples a side (a multiple of 3, 5 and 7): every sample cell lies inside one source
    // pixel, so the sampled mean is the exact area average.
    const s = 105;
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        let sum = 0;
        for (let a = 0; a < s; a++) {
          for (let b = 0; b < s; b++) {
            const r = Math.floor(((i + (a + 0.5) / s) * rows) / size);
            const c = Math.floor(((j + (b + 0.5) / s) * columns) / size);
            sum += img[r * columns + c] ?? 0;
          }
        }
        // Tolerance: float32 rounding of values below 1000.
        expect(Math.abs((out[i * size + j] ?? 0) - sum / (s * s))).toBeLessThan(1e-3);
      }
    }
    // The mean over the image is kept exactly (up to float32 rounding).
    const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(out)).toBeCloseTo(mean(img), 2);
  });

  it('refuses dimensions that are not positive integers and too few values', () => {
    expect(() => areaDownsample(new Float32Array(4), 2, 2, 0)).toThrow(/size/);
    expect(() => areaDownsample(new Float32Array(3), 2, 2, 1)).toThrow(/fewer values/);
  });
});

describe('memorySeriesImages', () => {
  it('histograms every frame and thumbnails the middle instance; null for unknown or undecodable', () => {
    const frame = (v: number) => ({ rows: 2, columns: 2, values: [v, v, v, v + 1] });
    const images = memorySeriesImages(
      new Map([
        ['1.2', [frame(0), frame(10), frame(20)]],
        ['1.3', null],
      ]),
    );
    expect(Array.from(images.histogram('1.2', 0, 30, 3) ?? [])).toEqual([4, 4, 4]);
    expect(Array.from(images.thumbnail('1.2', 1) ?? [])).toEqual([10.25]);
    expect(middleInstance(3)).toBe(1);
    expect(images.histogram('1.3', 0, 30, 3)).toBeNull();
    expect(images.thumbnail('9.9', 1)).toBeNull();
  });
});

describe('cellsToSuppress', () => {
  const sets = (...xs: number[][]) => xs.map((x) => new Set(x));
  it('hides small cells, then the smallest other until minCount distinct patients are hidden', () => {
    // minCount 3: cell 1 has 1 patient; one hidden cell alone is not enough, so cell 2 (2 patients) goes too.
    expect([...cellsToSuppress(sets([1, 2, 3, 4], [5], [6, 7], []), 3)].sort()).toEqual([1, 2]);
  });
  it('counts a patient in two hidden cells once', () => {
    // Cells 0 and 1 share patient 1: together 2 distinct < 3, so cell 2 is hidden as well.
    expect([...cellsToSuppress(sets([1, 2], [1], [3, 4, 5], [6, 7, 8, 9]), 3)].sort()).toEqual([
      0, 1, 2,
    ]);
  });
  it('hides nothing when every non-empty cell reaches minCount', () => {
    expect(cellsToSuppress(sets([1, 2, 3], [], [4, 5, 6]), 3).size).toBe(0);
  });
});

describe('simulateImagingJob', () => {
  it('refuses two sites that share one table object (it finds a site by its table)', () => {
    const table = { rows: 0, columns: {} };
    expect(() => simulateImagingJob(imageStats, {}, [{ table }, { table }])).toThrow(
      /share one table/,
    );
  });
});
