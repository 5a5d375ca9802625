import { describe, expect, it } from 'vitest';
import { fedAvg, weightedSum } from './fedavg.js';
import type { ClientUpdate } from './types.js';

const v = (...x: number[]): Float64Array => Float64Array.from(x);
const update = (examples: number, ...x: number[]): ClientUpdate => ({ vector: v(...x), examples });

describe('fedAvg', () => {
  // global [1, 2]; updates [1, 0]×1 and [-1, 3]×3: mean update ([1, 0] + [-3, 9]) / 4.
  const global = v(1, 2);
  const updates = [update(1, 1, 0), update(3, -1, 3)];

  it('adds the examples-weighted mean update, computed by hand', () => {
    const out = fedAvg().aggregate(global, updates, null);
    expect([...out.global]).toEqual([0.5, 4.25]);
    expect(out.state).toBeNull();
  });

  it('gives the same model from the pooled sums as from the updates', () => {
    const sum = weightedSum(global, updates);
    expect([...sum.weighted]).toEqual([-2, 9]);
    expect(sum.examples).toBe(4);
    expect([...fedAvg().aggregateSum(global, sum, null).global]).toEqual([0.5, 4.25]);
  });

  it('leaves the global vector it was given unchanged', () => {
    fedAvg().aggregate(global, updates, null);
    expect([...global]).toEqual([1, 2]);
  });

  it('is FedProx on the server when mu > 0, handing mu to the sites', () => {
    const prox = fedAvg(0.1);
    expect(prox.name).toBe('fedprox');
    expect(prox.client.proximalMu).toBe(0.1);
    expect(fedAvg().client.proximalMu).toBe(0);
    expect([...prox.aggregate(global, updates, null).global]).toEqual([0.5, 4.25]);
  });

  it('refuses updates that do not fit, naming the update', () => {
    const s = fedAvg();
    expect(() => s.aggregate(global, [], null)).toThrow('no update');
    expect(() => s.aggregate(global, [update(1, 1, 2, 3)], null)).toThrow(
      'update 0 has 3 parameters',
    );
    expect(() => s.aggregate(global, [update(1, 0, 0), update(0, 1, 1)], null)).toThrow(
      'update 1 has examples 0',
    );
    expect(() => s.aggregate(global, [update(2.5, 1, 1)], null)).toThrow('not a positive integer');
    expect(() => s.aggregate(global, [update(1, 0, Number.NaN)], null)).toThrow(
      'update 0 has a non-finite value at 1',
    );
    expect(() => s.aggregateSum(global, { weighted: v(1, 1), examples: 0 }, null)).toThrow(
      'examples 0',
    );
  });
});
