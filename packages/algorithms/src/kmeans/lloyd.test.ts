import { describe, expect, it } from 'vitest';
import { createRng } from '../numerics/random.js';
import { kmeansPlusPlus, nearest, weightedLloyd } from './lloyd.js';

describe('lloyd helpers', () => {
  it('nearest picks the lowest index on a tie', () => {
    expect(
      nearest(
        [0, 0],
        [
          [1, 0],
          [-1, 0],
          [0, 0.5],
        ],
      ),
    ).toBe(2);
    expect(
      nearest(
        [0, 0],
        [
          [1, 0],
          [-1, 0],
        ],
      ),
    ).toBe(0);
  });

  it('kmeansPlusPlus returns null with fewer distinct points than k, else k of the points', () => {
    const rng = createRng(1);
    expect(kmeansPlusPlus([[1], [1], [1]], [1, 1, 1], 2, rng)).toBeNull();
    expect(kmeansPlusPlus([], [], 2, rng)).toBeNull();
    const picked = kmeansPlusPlus([[0], [10], [20]], [1, 1, 1], 3, rng);
    expect(picked?.map((c) => c[0]).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([0, 10, 20]);
  });

  it('kmeansPlusPlus never picks a point of weight zero', () => {
    for (let seed = 0; seed < 20; seed++) {
      const picked = kmeansPlusPlus([[0], [5], [9]], [1, 0, 1], 2, createRng(seed)) ?? [];
      expect(picked.map((c) => c[0])).not.toContain(5);
    }
  });

  it('weightedLloyd moves centroids to weighted means and keeps an empty cluster in place', () => {
    const fit = weightedLloyd([[0], [2], [10], [12]], [1, 3, 1, 1], [[1], [11], [100]], 10);
    expect(fit.centroids).toEqual([[1.5], [11], [100]]);
    expect(fit.sizes).toEqual([4, 2, 0]);
  });
});
