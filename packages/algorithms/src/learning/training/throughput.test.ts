import { describe, expect, it } from 'vitest';
import { measureTrainingThroughput } from './throughput.js';

describe('measureTrainingThroughput', () => {
  it('reports examples over the clock it is given, for the model it built', () => {
    let t = 0;
    const figures = measureTrainingThroughput({
      now: () => (t += 250),
      inputs: 4,
      hidden: [8],
      rows: 64,
      epochs: 2,
    });
    expect(figures.parameters).toBe(4 * 8 + 8 + 8 * 2 + 2);
    expect(figures.examples).toBe(128);
    expect(figures.seconds).toBe(0.25);
    expect(figures.examplesPerSecond).toBe(512);
    expect(figures.meanLoss).toBeLessThan(Math.log(2));
  });
});
