import { describe, expect, it } from 'vitest';
import { createStrategy, strategyConfigSchema } from './config.js';

describe('strategyConfigSchema', () => {
  it('fills the documented defaults', () => {
    expect(strategyConfigSchema.parse({ name: 'fedadam' })).toEqual({
      name: 'fedadam',
      eta: 0.1,
      beta1: 0.9,
      beta2: 0.99,
      tau: 1e-3,
    });
    expect(strategyConfigSchema.parse({ name: 'fedadagrad' })).toMatchObject({ beta1: 0 });
    expect(strategyConfigSchema.parse({ name: 'fedtrimmedavg' })).toEqual({
      name: 'fedtrimmedavg',
      beta: 0.2,
    });
  });

  it('refuses unknown names, unknown fields and values out of range', () => {
    expect(strategyConfigSchema.safeParse({ name: 'krum' }).success).toBe(false);
    expect(strategyConfigSchema.safeParse({ name: 'fedavg', mu: 0.1 }).success).toBe(false);
    expect(strategyConfigSchema.safeParse({ name: 'fedtrimmedavg', beta: 0.5 }).success).toBe(
      false,
    );
    expect(strategyConfigSchema.safeParse({ name: 'fedyogi', beta2: 1 }).success).toBe(false);
  });
});

describe('createStrategy', () => {
  it('builds the named strategy, summable or not', () => {
    const names = [
      'fedavg',
      'fedprox',
      'fedadam',
      'fedyogi',
      'fedadagrad',
      'fedmedian',
      'fedtrimmedavg',
    ];
    for (const name of names) {
      const s = createStrategy(strategyConfigSchema.parse({ name }));
      expect(s.name).toBe(name);
      expect(s.summable).toBe(name !== 'fedmedian' && name !== 'fedtrimmedavg');
    }
    const prox = createStrategy(strategyConfigSchema.parse({ name: 'fedprox', mu: 0.5 }));
    expect(prox.client.proximalMu).toBe(0.5);
  });
});
