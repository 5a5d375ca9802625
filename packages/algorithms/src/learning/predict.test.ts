import { describe, expect, it } from 'vitest';
import { createRng } from '../numerics/random.js';
import { simulateJob } from '../simulate.js';
import type { Table } from '../table.js';
import { parseExportedModel, type ExportedModel } from './export.js';
import { PredictionInputError, predictRows } from './predict.js';
import { gaussianTask, twoMoons, type SyntheticTask } from './training/synthetic.js';
import { skewedTable, splitTask } from './training/synthetic-tables.js';
import { train } from './train/index.js';

/*
 * predictRows against an independent forward pass written out here: standardisation and dummy
 * coding by hand, then dense layers, ReLU and the sigmoid or softmax head in plain loops over
 * the documented parameter layout (models/spec.ts). Probabilities agree to 1e-12 (the same
 * arithmetic in a different order).
 */

/** Adds a categorical column g (levels a, b, c, seeded) to a site's table. */
function withGroup(t: Table, seed: number): Table {
  const rng = createRng(seed);
  const codes = Int32Array.from({ length: t.rows }, () => rng.int(3));
  return {
    rows: t.rows,
    columns: { ...t.columns, g: { kind: 'categorical', levels: ['a', 'b', 'c'], codes } },
  };
}

function sitesOf(task: SyntheticTask, classes: number): Table[] {
  return splitTask(task, 3).map((part, s) =>
    withGroup(skewedTable(part, { keep: new Array<number>(classes).fill(1), seed: s }), 40 + s),
  );
}

/** The model/final artifact of a short training job. */
function trained(tables: readonly Table[], params: Record<string, unknown>): ExportedModel {
  const run = simulateJob(train, { outcome: 'y', rounds: 2, seed: 3, ...params }, tables);
  if (run.decision.kind !== 'done') throw new Error(JSON.stringify(run.decision));
  const final = run.decision.artifacts?.find((a) => a.name === 'model/final');
  return parseExportedModel(JSON.parse(JSON.stringify(final?.body)));
}

/** The rows of a table as CSV-like text records (numbers in full precision). */
function records(t: Table, rows: number): Record<string, string>[] {
  return Array.from({ length: rows }, (_, i) =>
    Object.fromEntries(
      Object.entries(t.columns).map(([name, c]) => [
        name,
        c.kind === 'categorical' ? ` ${c.levels[c.codes[i] ?? 0] ?? ''} ` : String(c.values[i]),
      ]),
    ),
  );
}

/** The forward pass by hand. */
function direct(m: ExportedModel, row: Record<string, string>): number[] {
  const pre = m.preprocessing;
  const x = pre.columns.map((c, j) => {
    const text = (row[c.variable] ?? '').trim();
    const v = c.level === null ? Number(text) : text === c.level ? 1 : 0;
    const sd = pre.sds[j] ?? 1;
    return (v - (pre.means[j] ?? 0)) / (sd === 0 ? 1 : sd);
  });
  const spec = m.spec;
  const widths = [
    spec.inputs,
    ...(spec.type === 'mlp' ? spec.hidden : []),
    spec.type === 'logistic' || (spec.type === 'mlp' && spec.classes === 2) ? 1 : spec.classes,
  ];
  let a = x;
  let offset = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    const nIn = widths[l] ?? 0;
    const nOut = widths[l + 1] ?? 0;
    const z = Array.from({ length: nOut }, (_, o) => {
      let s = m.parameters[offset + nIn * nOut + o] ?? 0;
      for (let i = 0; i < nIn; i++) s += (a[i] ?? 0) * (m.parameters[offset + i * nOut + o] ?? 0);
      return s;
    });
    offset += nIn * nOut + nOut;
    a = l + 2 < widths.length ? z.map((v) => Math.max(0, v)) : z;
  }
  if (a.length === 1) {
    const p1 = 1 / (1 + Math.exp(-(a[0] ?? 0)));
    return [1 - p1, p1];
  }
  const top = Math.max(...a);
  const e = a.map((v) => Math.exp(v - top));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

describe('predictRows', () => {
  it('matches a direct forward pass of an MLP with a categorical feature (sigmoid head)', () => {
    const sites = sitesOf(twoMoons(1200, 0.2, 8), 2);
    const model = trained(sites, {
      features: ['x1', 'x2', 'g'],
      model: { type: 'mlp', hidden: [6] },
    });
    expect(model.preprocessing.columns.map((c) => c.name)).toEqual(['x1', 'x2', 'g:b', 'g:c']);
    const rows = records(sites[0] as Table, 50);
    const predictions = predictRows(model, rows);
    predictions.forEach((p, i) => {
      const want = direct(model, rows[i] ?? {});
      model.classes.forEach((c, k) => {
        expect(Math.abs((p.probabilities[c] ?? NaN) - (want[k] ?? NaN))).toBeLessThan(1e-12);
      });
      expect(p.class).toBe(model.classes[(want[1] ?? 0) > (want[0] ?? 0) ? 1 : 0]);
    });
  });

  it('matches a direct forward pass of a softmax model over three classes', () => {
    const sites = sitesOf(gaussianTask(1500, 3, 3, 12), 3);
    const model = trained(sites, { features: ['x1', 'x2', 'x3', 'g'], model: { type: 'softmax' } });
    const rows = records(sites[1] as Table, 40);
    predictRows(model, rows).forEach((p, i) => {
      const want = direct(model, rows[i] ?? {});
      const best = want.indexOf(Math.max(...want));
      expect(p.class).toBe(model.classes[best]);
      model.classes.forEach((c, k) => {
        expect(Math.abs((p.probabilities[c] ?? NaN) - (want[k] ?? NaN))).toBeLessThan(1e-12);
      });
      expect(Object.values(p.probabilities).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    });
  });

  it('names the row and column of a value it cannot use, never the value', () => {
    const sites = sitesOf(twoMoons(600, 0.2, 8), 2);
    const model = trained(sites, { features: ['x1', 'x2', 'g'], model: { type: 'logistic' } });
    const good = { x1: '0.5', x2: '-1.25e-1', g: 'b' };
    expect(predictRows(model, [good])).toHaveLength(1);
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...good, x1: '' }, /^row 2, column x1: missing value$/],
      [{ ...good, x2: 'NA' }, /^row 2, column x2: missing value$/],
      [{ ...good, x1: 'secret-7' }, /^row 2, column x1: not a number$/],
      [{ ...good, x1: 'Infinity' }, /^row 2, column x1: not a number$/],
      [
        { ...good, g: 'zeta' },
        /^row 2, column g: a level the model was not trained on \(it knows a, b, c\)$/,
      ],
      [{ x1: '1', x2: '2' }, /^row 2, column g: the column is absent$/],
    ];
    for (const [bad, message] of cases) {
      let error: unknown;
      try {
        predictRows(model, [good, bad]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PredictionInputError);
      expect((error as PredictionInputError).message).toMatch(message);
      expect((error as PredictionInputError).row).toBe(2);
    }
  });
});
