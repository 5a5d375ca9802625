import { makeTable, simulateJob, train, type Table } from '@tessera/algorithms';
import { describe, expect, it } from 'vitest';
import { formatAlgorithmResult } from './index.js';
import { dualAxisPlot, interpolate, niceRange } from './plot.js';
import {
  architecture,
  compactNames,
  formatTrain,
  learningCurve,
  reliabilityLine,
  roundRows,
  trainPrivacyLine,
} from './train.js';

/** A seeded site: y = 1 when x1 + x2 + noise > 0 (mulberry32, as the e2e data). */
function site(rows: number, seed: number): Table {
  let a = seed >>> 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const x1 = Float64Array.from({ length: rows }, () => rand() * 4 - 2);
  const x2 = Float64Array.from({ length: rows }, () => rand() * 4 - 2);
  const y = Int32Array.from({ length: rows }, (_, i) =>
    (x1[i] ?? 0) + (x2[i] ?? 0) + (rand() - 0.5) > 0 ? 1 : 0,
  );
  return makeTable({
    x1: { kind: 'number', values: x1 },
    x2: { kind: 'number', values: x2 },
    y: { kind: 'categorical', levels: ['no', 'yes'], codes: y },
  });
}

const PARAMS = {
  outcome: 'y',
  features: ['x1', 'x2'],
  model: { type: 'mlp', hidden: [8] },
  rounds: 5,
  seed: 3,
};

/** A real `train` result: the hub and site parts run in process (simulateJob). */
function realResult(): unknown {
  const run = simulateJob(train, PARAMS, [site(300, 1), site(250, 2), site(200, 3)]);
  if (run.decision.kind !== 'done') throw new Error(JSON.stringify(run.decision));
  return run.decision.result;
}

describe('formatTrain on a real train result', () => {
  const result = realResult();
  const text = formatAlgorithmResult('train', result, PARAMS, 'job-7');

  it('lists every round with its figures, then the curve, the final model and privacy', () => {
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^round\s+loss\s+accuracy\s+AUC\s+ECE\s+sites\s+failed$/);
    for (let r = 1; r <= 5; r++)
      expect(lines.some((l) => new RegExp(`^${r}\\*?\\s+0\\.\\d{4}\\s+\\d+\\.\\d%`).test(l))).toBe(
        true,
      );
    expect(text).toContain('● validation loss (left)   ○ accuracy (right)');
    expect(text).toMatch(
      /final model on \d+ validation rows: loss 0\.\d{4}, accuracy \d+\.\d%, AUC 0\.\d{3}/,
    );
    expect(text).toMatch(/model [0-9a-f]{64} \(mlp 2 → 8 → 2, 33 parameters, fedavg, 3 sites\)/);
    expect(text).toContain(
      'stored models: model/final, model/best, model/round-1 … model/round-5 (5)',
    );
    expect(text).toContain('export: tessera model export job-7 --out model.json');
    expect(text).toContain('privacy: secure aggregation off');
    expect(text).toContain('differential privacy off');
  });

  it('stars the best round by validation loss', () => {
    const rounds = roundRows((result as { rounds: unknown }).rounds);
    const best = rounds.reduce((b, r) => ((r.loss ?? Infinity) < (b.loss ?? Infinity) ? r : b));
    expect(text).toMatch(new RegExp(`^${best.round}\\*`, 'm'));
  });

  it('shows the calibration of the final model in grouped bins whose rows add up', () => {
    const final = (result as { final: { examples: number; reliability: unknown[] } }).final;
    const line = reliabilityLine(final.reliability[0]);
    const rows = [...(line ?? '').matchAll(/\((\d+)\)/g)].reduce((s, m) => s + Number(m[1]), 0);
    expect(rows).toBe(final.examples);
  });
});

describe('formatTrain on hand-made results', () => {
  const result = {
    rounds: [
      {
        round: 1,
        loss: 0.6,
        accuracy: 0.7,
        auc: 0.75,
        ece: 0.05,
        sites: 3,
        failed: [],
        epsilon: 0.4,
      },
      {
        round: 2,
        loss: 0.5,
        accuracy: 0.8,
        auc: 0.85,
        ece: 0.04,
        sites: 2,
        failed: ['site-c'],
        epsilon: 0.6,
      },
    ],
    final: { examples: 120, loss: 0.5, accuracy: 0.8, auc: 0.85, aucErrorBound: 0.004, ece: 0.04 },
    model: { id: 'abc', spec: { type: 'logistic', inputs: 3 } },
    best: { round: 2, loss: 0.5, accuracy: 0.8, id: 'abc' },
    artifacts: ['model/best', 'model/final', 'model/round-1', 'model/round-2', 'model/round-3'],
    secureAggregation: { sites: 3, threshold: 2, scaleBits: 20, errorBound: 1e-5 },
    privacy: {
      mechanism: 'gaussian',
      epsilon: 0.6,
      delta: 1e-5,
      rounds: 2,
      clip: 1,
      noiseMultiplier: 1.1,
    },
  };

  it('adds ε per round, names failed sites, lists artifacts and the privacy of the run', () => {
    const text = formatTrain(result, {}) ?? '';
    expect(text).toMatch(/^round\s+loss\s+accuracy\s+AUC\s+ECE\s+sites\s+ε\s+failed$/m);
    expect(text).toMatch(/^2\*\s+0\.5000\s+80\.0%\s+0\.850\s+0\.040\s+2\/3\s+0\.6\s+site-c$/m);
    expect(text).toContain('AUC 0.850 (± 0.004 from binning), ECE 0.040');
    expect(text).toContain('model abc (logistic 3 → 1)');
    expect(text).toContain(
      'stored models: model/best, model/final, model/round-1 … model/round-3 (3)',
    );
    expect(text).not.toContain('export:');
    expect(trainPrivacyLine(result)).toBe(
      'privacy: secure aggregation on: the hub saw only the sum of the sites’ updates ' +
        '(fixed-point error ≤ 1e-5); DP-FedAvg (clip 1, noise multiplier 1.1), ε = 0.6, ' +
        "δ = 1e-5 after 2 rounds, charged to every site's budget\n",
    );
  });

  it('prints the protection once, from the train view, not again below it', () => {
    const text = formatAlgorithmResult('train', result, {});
    expect(text.match(/secure aggregation/g)).toHaveLength(1);
  });

  it('returns null (JSON is printed) for a result without rounds or final metrics', () => {
    expect(formatTrain({ rounds: [] }, {})).toBeNull();
    expect(formatTrain({ rounds: result.rounds }, {})).toBeNull();
    expect(formatAlgorithmResult('train', { odd: true }, {})).toBe('{\n  "odd": true\n}\n');
  });
});

describe('learning curve', () => {
  const rows = [
    { round: 1, loss: 0.8, accuracy: 0.6, failed: [] },
    { round: 2, loss: 0.5, accuracy: 0.8, failed: [] },
    { round: 3, loss: 0.2, accuracy: 0.9, failed: [] },
  ];

  it('puts the loss on the left scale and the accuracy on the right, each on round bounds', () => {
    const plot = (learningCurve(rows) ?? '').split('\n');
    // Loss 0.8 … 0.2 on [0.2, 0.8], accuracy 60 … 90 % on [0.6, 0.9]; row 0 is the top.
    expect(plot[0]).toMatch(/^0\.800 │●.*○│ 90\.0%$/);
    // Loss 0.5 halfway, in the middle column, on the middle row with its label.
    expect(plot[6]?.slice(0, 7)).toBe('0.500 │');
    expect(plot[6]?.[7 + 30]).toBe('●');
    expect(plot[12]).toMatch(/^0\.200 │○.*●│ 60\.0%$/);
    expect(plot[13]).toMatch(/^\s+└─+┘$/);
    expect(plot[14]).toMatch(/^\s+1\s+3 {2}round$/);
  });

  it('fits the scale to a curve that moves little', () => {
    const flat = rows.map((r) => ({ ...r, loss: r.loss / 10 + 0.5 }));
    // Loss 0.52 … 0.58 on steps of 0.02: the scale runs from 0.520 to 0.580.
    const plot = (learningCurve(flat) ?? '').split('\n');
    expect(plot[0]).toMatch(/^0\.580 │●/);
    expect(plot[12]).toMatch(/^0\.520 │.*●│/);
  });

  it('needs two rounds to draw a curve', () => {
    expect(learningCurve(rows.slice(0, 1))).toBeNull();
  });
});

describe('plot helpers', () => {
  it('interpolates linearly between points and not beyond them', () => {
    const pts = [
      { x: 1, y: 0 },
      { x: 3, y: 1 },
    ];
    expect(interpolate(pts, 2)).toBe(0.5);
    expect(interpolate(pts, 3)).toBe(1);
    expect(interpolate(pts, 4)).toBeUndefined();
  });

  it('puts axis bounds on a round step around the values, about four steps apart', () => {
    expect(niceRange(0.1, 0.7)).toEqual([0, 0.8]);
    expect(niceRange(0.913, 0.922)).toEqual([0.91, 0.925]);
    expect(niceRange(0.2353, 0.275)).toEqual([0.23, 0.28]);
    expect(niceRange(2, 2)).toEqual([1.9, 2.1]);
    expect(niceRange(0, 0)).toEqual([-0.5, 0.5]);
    expect(niceRange(0.6, 0.9)).toEqual([0.6, 0.9]);
  });

  it('draws a flat series at its scale', () => {
    const s = {
      name: 'a',
      mark: '*',
      points: [
        { x: 0, y: 1 },
        { x: 1, y: 1 },
      ],
      min: 0,
      max: 2,
      label: String,
    };
    const plot = dualAxisPlot({
      left: s,
      right: { ...s, mark: '+', name: 'b' },
      xName: 'x',
      width: 4,
      height: 2,
    });
    expect(plot.split('\n')[1]).toBe('   1 │+++++│ 1');
  });

  it('names architectures and compacts round artifact names', () => {
    expect(architecture({ type: 'mlp', inputs: 4, classes: 3, hidden: [16, 8] })).toBe(
      'mlp 4 → 16 → 8 → 3',
    );
    expect(architecture({ type: 'softmax', inputs: 2, classes: 3 })).toBe('softmax 2 → 3');
    expect(compactNames(['model/final', 'model/round-1', 'model/round-2'])).toBe(
      'model/final, model/round-1, model/round-2',
    );
  });
});
