import { describe, expect, it } from 'vitest';
import { createRng } from '../../numerics/random.js';
import {
  calibration,
  evaluationFromSum,
  evaluationLength,
  evaluationToVector,
  federatedMetrics,
  histogramAuc,
  poolEvaluations,
  siteEvaluation,
  type Predictions,
} from './index.js';

/** Seeded binary predictions: score = sigmoid(z + shift·y), loss = cross-entropy. */
function makeBinary(n: number, seed: number, shift = 1.5, decimals?: number): Predictions {
  const rng = createRng(seed);
  const probabilities = new Float64Array(2 * n);
  const labels = new Int32Array(n);
  let lossSum = 0;
  for (let i = 0; i < n; i++) {
    const y = rng.uniform() < 0.4 ? 1 : 0;
    let p = 1 / (1 + Math.exp(-(rng.normal() + shift * (y - 0.5))));
    if (decimals !== undefined) p = Number(p.toFixed(decimals));
    labels[i] = y;
    probabilities[2 * i] = 1 - p;
    probabilities[2 * i + 1] = p;
    lossSum -= Math.log(y === 1 ? p : 1 - p);
  }
  return { probabilities, labels, classes: 2, lossSum };
}

/** The rows [from, to) of binary predictions, loss recomputed. */
function slice(pred: Predictions, from: number, to: number): Predictions {
  const labels = Array.from(pred.labels).slice(from, to);
  const probabilities = pred.probabilities.slice(2 * from, 2 * to);
  const lossSum = labels.reduce(
    (s, y, i) => s - Math.log(probabilities[2 * i + (y === 1 ? 1 : 0)] ?? Number.NaN),
    0,
  );
  return { probabilities, labels, classes: 2, lossSum };
}

/** Exact AUC by Mann–Whitney: every positive–negative pair, ties ½. */
function exactAuc(pred: Predictions): number {
  const pos: number[] = [];
  const neg: number[] = [];
  Array.from(pred.labels).forEach((y, i) => {
    (y === 1 ? pos : neg).push(pred.probabilities[2 * i + 1] ?? Number.NaN);
  });
  let wins = 0;
  for (const p of pos) for (const q of neg) wins += p > q ? 1 : p === q ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

describe('histogramAuc', () => {
  it.each([
    [1, 1.5, 100, undefined],
    [2, 0.5, 100, undefined],
    [3, 3, 20, undefined],
    [4, 1, 100, 2], // scores rounded to 0.01: many exact ties across classes
  ])('stays within its stated bound of the exact AUC (seed %i)', (seed, shift, bins, decimals) => {
    const pred = makeBinary(1500, seed, shift, decimals);
    const [task] = siteEvaluation(pred, bins).tasks;
    const out = task === undefined ? null : histogramAuc(task);
    if (out === null) throw new Error('no AUC for data with both classes');
    const exact = exactAuc(pred);
    expect(Math.abs(out.auc - exact)).toBeLessThanOrEqual(out.errorBound + 1e-12);
    // The bound is useful, not vacuous: under 1 point of AUC with 100 bins on 1500 rows.
    if (bins === 100) expect(out.errorBound).toBeLessThan(0.01);
  });

  it('is exact when no bin holds both classes', () => {
    const h = { positive: [0, 2, 0, 1], negative: [3, 0, 1, 0], scoreSum: [0, 0, 0, 0] };
    // Negatives at bins 0,0,0,2; positives at 1,1,3: pairs won = 2·3 + 1·4 = 10 of 12.
    expect(histogramAuc(h)).toEqual({ auc: 10 / 12, errorBound: 0 });
  });

  it('counts a shared bin as half, by hand', () => {
    const h = { positive: [1, 1], negative: [1, 1], scoreSum: [0, 0] };
    // Pairs: (bin0,bin0) ½, (bin1,bin0) 1, (bin0,bin1) 0, (bin1,bin1) ½ → 2 / 4.
    expect(histogramAuc(h)).toEqual({ auc: 0.5, errorBound: 0.25 });
  });

  it('is null without positives or negatives', () => {
    expect(histogramAuc({ positive: [0, 0], negative: [1, 2], scoreSum: [0, 0] })).toBeNull();
  });
});

describe('calibration', () => {
  it('computes ECE and the reliability table, by hand', () => {
    // Two bins: scores 0.2 (y=0), 0.4 (y=1) | 0.9 (y=1), 0.7 (y=0).
    const pred: Predictions = {
      probabilities: Float64Array.from([0.8, 0.2, 0.6, 0.4, 0.1, 0.9, 0.3, 0.7]),
      labels: [0, 1, 1, 0],
      classes: 2,
      lossSum: 0,
    };
    const [task] = siteEvaluation(pred, 2).tasks;
    const out = task === undefined ? null : calibration(task);
    expect(out?.ece).toBeCloseTo(0.5 * 0.2 + 0.5 * 0.3, 14);
    expect(out?.table.map((r) => [r.lo, r.hi, r.count, r.observed])).toEqual([
      [0, 0.5, 2, 0.5],
      [0.5, 1, 2, 0.5],
    ]);
    expect(out?.table.map((r) => r.predicted)).toEqual([
      expect.closeTo(0.3, 14),
      expect.closeTo(0.8, 14),
    ]);
  });

  it('equals the ECE computed row by row', () => {
    const pred = makeBinary(800, 11);
    const bins = 10;
    const perBin = Array.from({ length: bins }, () => ({ n: 0, p: 0, y: 0 }));
    Array.from(pred.labels).forEach((y, i) => {
      const p = pred.probabilities[2 * i + 1] ?? Number.NaN;
      const cell = perBin[Math.min(bins - 1, Math.floor(p * bins))];
      if (cell === undefined) throw new Error('bin out of range');
      cell.n += 1;
      cell.p += p;
      cell.y += y;
    });
    const direct = perBin.reduce((s, c) => (c.n === 0 ? s : s + Math.abs(c.y - c.p) / 800), 0);
    const [task] = siteEvaluation(pred, bins).tasks;
    expect(task === undefined ? null : calibration(task)?.ece).toBeCloseTo(direct, 12);
  });
});

describe('federated evaluation', () => {
  const pooled = makeBinary(1200, 21);
  const bins = 50;
  const sites = [slice(pooled, 0, 100), slice(pooled, 100, 700), slice(pooled, 700, 1200)];
  const central = siteEvaluation(pooled, bins);
  const split = poolEvaluations(sites.map((s) => siteEvaluation(s, bins)));

  it('pools split sites into exactly the counts of the pooled rows', () => {
    expect(split.examples).toBe(1200);
    expect(split.correct).toBe(central.correct);
    expect(split.tasks.map((t) => [t.positive, t.negative])).toEqual(
      central.tasks.map((t) => [t.positive, t.negative]),
    );
    expect(split.lossSum).toBeCloseTo(central.lossSum, 9);
  });

  it('gives the metrics of the pooled data', () => {
    const a = federatedMetrics(split);
    const b = federatedMetrics(central);
    expect(a.accuracy).toBe(b.accuracy);
    expect(a.auc).toBe(b.auc);
    expect(a.aucErrorBound).toBe(b.aucErrorBound);
    expect(a.loss).toBeCloseTo(b.loss, 12);
    expect(a.ece).toBeCloseTo(b.ece, 12);
    // Accuracy against a direct count on the pooled rows.
    const direct = Array.from(pooled.labels).filter(
      (y, i) => ((pooled.probabilities[2 * i + 1] ?? 0) > 0.5 ? 1 : 0) === y,
    ).length;
    expect(a.accuracy).toBe(direct / 1200);
  });

  it('travels as a vector whose sum over sites is the pooled aggregates', () => {
    const sum = new Float64Array(evaluationLength(2, bins));
    for (const s of sites) {
      const v = evaluationToVector(siteEvaluation(s, bins));
      expect(v).toHaveLength(sum.length);
      v.forEach((x, j) => (sum[j] = (sum[j] ?? 0) + x));
    }
    const back = evaluationFromSum(sum, 2, bins);
    expect(back.tasks.map((t) => [t.positive, t.negative])).toEqual(
      split.tasks.map((t) => [t.positive, t.negative]),
    );
    expect(federatedMetrics(back).auc).toBe(federatedMetrics(split).auc);
    expect(() => evaluationFromSum(sum.subarray(1), 2, bins)).toThrow('need 153');
  });

  it('averages one-versus-rest AUC and ECE over the classes of a softmax model', () => {
    // Three classes, two rows each, each row confident in its own class: AUC 1 for every class.
    const probabilities = Float64Array.from([
      0.8, 0.1, 0.1, 0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.7, 0.1, 0.1, 0.1, 0.8, 0.1, 0.2, 0.7,
    ]);
    const e = siteEvaluation(
      { probabilities, labels: [0, 0, 1, 1, 2, 2], classes: 3, lossSum: 3 },
      10,
    );
    expect(e.tasks).toHaveLength(3);
    const m = federatedMetrics(e);
    expect(m).toMatchObject({ examples: 6, loss: 0.5, accuracy: 1, auc: 1, aucErrorBound: 0 });
    expect(m.reliability).toHaveLength(3);
  });

  it('refuses inputs that do not fit, saying where', () => {
    const bad = {
      probabilities: Float64Array.from([0.5, 0.5]),
      labels: [2],
      classes: 2,
      lossSum: 0,
    };
    expect(() => siteEvaluation(bad)).toThrow('row 0 has label 2');
    const outOfRange = { ...bad, probabilities: Float64Array.from([-0.1, 1.1]), labels: [0] };
    expect(() => siteEvaluation(outOfRange)).toThrow('probability -0.1');
    expect(() => siteEvaluation({ ...bad, labels: [0, 1] })).toThrow('2 probabilities for 2 rows');
    expect(() => poolEvaluations([central, siteEvaluation(pooled, 10)])).toThrow('site 1');
    expect(() => federatedMetrics({ ...central, examples: 0 })).toThrow('no validation rows');
  });
});
