import { describe, expect, it } from 'vitest';
import { exportModel, exportedModelSchema, modelId, parseExportedModel } from './export.js';
import { createModel } from './models/model.js';
import type { ModelSpec } from './models/spec.js';
import type { Preprocessing } from './train/schemas.js';

const spec: ModelSpec = {
  type: 'mlp',
  inputs: 3,
  classes: 2,
  hidden: [4],
  activation: 'relu',
  dropout: 0,
};
const preprocessing: Preprocessing = {
  columns: [
    { name: 'age', variable: 'age', level: null },
    { name: 'sex:M', variable: 'sex', level: 'M' },
    { name: 'bmi', variable: 'bmi', level: null },
  ],
  levels: { sex: ['F', 'M'] },
  means: [54.2, 0, 27.1],
  sds: [11.3, 1, 4.2],
  classes: ['0', '1'],
  numericOutcome: true,
};

function makeModel() {
  return exportModel({
    spec,
    outcome: 'diabetes',
    features: ['age', 'sex', 'bmi'],
    preprocessing,
    parameters: Array.from(createModel(spec).init(7)),
    metrics: {
      examples: 200,
      loss: 0.41,
      accuracy: 0.82,
      auc: 0.88,
      aucErrorBound: 0.01,
      ece: 0.03,
    },
    round: 12,
    provenance: {
      algorithm: 'train@0.2.0',
      strategy: 'fedavg',
      rounds: 12,
      sites: 3,
      secureAggregation: true,
    },
  });
}

describe('the exported model (tessera-model v1)', () => {
  it('holds what prediction needs, survives JSON and checks its id', () => {
    const m = makeModel();
    expect(m).toMatchObject({
      format: 'tessera-model',
      version: 1,
      outcome: 'diabetes',
      classes: ['0', '1'],
      numericOutcome: true,
      preprocessing: { levels: { sex: ['F', 'M'] }, means: [54.2, 0, 27.1] },
    });
    expect(m.parameters).toHaveLength(3 * 4 + 4 + 4 + 1);
    expect(parseExportedModel(JSON.parse(JSON.stringify(m)))).toEqual(m);
    // The id does not depend on key order: the same contents in another order hash alike.
    const reordered = { ...preprocessing, numericOutcome: true, classes: ['0', '1'] };
    expect(modelId({ ...spec }, reordered, m.parameters)).toBe(m.id);
  });

  it.each([
    [
      'a changed weight',
      (m: Record<string, unknown>) => ({
        ...m,
        parameters: (m.parameters as number[]).map((w, i) => (i === 0 ? w + 1e-9 : w)),
      }),
      /id: not the hash/,
    ],
    [
      'a missing weight',
      (m: Record<string, unknown>) => ({ ...m, parameters: (m.parameters as number[]).slice(1) }),
      /parameters: 20, the architecture needs 21/,
    ],
    [
      'another class count',
      (m: Record<string, unknown>) => ({ ...m, classes: ['0', '1', '2'] }),
      /classes: 3, the model has 2/,
    ],
    [
      'an unknown level in a column',
      (m: Record<string, unknown>) => ({
        ...m,
        preprocessing: {
          ...preprocessing,
          classes: undefined,
          numericOutcome: undefined,
          levels: { sex: ['F', 'X'] },
        },
      }),
      /level M is not among sex's levels/,
    ],
    ['an unknown field', (m: Record<string, unknown>) => ({ ...m, weights: [] }), /weights/],
    ['another format', (m: Record<string, unknown>) => ({ ...m, format: 'onnx' }), /format/],
  ])('refuses a file with %s', (_what, change, message) => {
    const json = JSON.parse(JSON.stringify(makeModel())) as Record<string, unknown>;
    expect(() => parseExportedModel(JSON.parse(JSON.stringify(change(json))))).toThrow(message);
    expect(exportedModelSchema.safeParse(change(json)).success).toBe(false);
  });
});
