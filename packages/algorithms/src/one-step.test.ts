import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { oneStepAlgorithm } from './one-step.js';
import { makeTable, numberColumn } from './table-info.js';
import { seededRandomBytes } from './simulate.js';

const counter = oneStepAlgorithm({
  name: 'counter',
  version: '0.0.1',
  description: 'counts rows',
  params: z.object({ variable: z.string() }).strict(),
  variables: (p) => [p.variable],
  step: 'count',
  run: (ctx) => ({ rows: ctx.table.rows }),
  disclose: (output) => ({ status: 'ok', output }),
  aggregate: (_params, results) => ({
    kind: 'done',
    result: results.reduce((n, r) => n + (r.output as { rows: number }).rows, 0),
  }),
});

describe('oneStepAlgorithm', () => {
  it('asks every site for its one step and aggregates the answers', () => {
    expect(counter.start({ variable: 'x' })).toEqual({
      kind: 'step',
      step: 'count',
      input: null,
      state: null,
    });
    const table = makeTable({ x: numberColumn([1, 2, 3]) });
    const step = counter.local['count']!;
    const ctx = {
      table,
      params: { variable: 'x' },
      input: null,
      round: 0,
      policy: { minCount: 1, allowMinMax: false },
      randomBytes: seededRandomBytes(1),
    };
    const out = step.disclose(step.run(ctx), ctx);
    expect(out).toEqual({ status: 'ok', output: { rows: 3 } });
    const results = [
      { trust: 'a', status: 'ok' as const, output: { rows: 3 } },
      { trust: 'b', status: 'ok' as const, output: { rows: 4 } },
    ];
    expect(counter.aggregate({ variable: 'x' }, null, 'count', results)).toEqual({
      kind: 'done',
      result: 7,
    });
  });

  it('fails the job with UNKNOWN_STEP when asked to aggregate another step', () => {
    expect(counter.aggregate({ variable: 'x' }, null, 'other', [])).toEqual({
      kind: 'failed',
      code: 'UNKNOWN_STEP',
      reason: "counter has no step 'other'",
    });
  });
});
