import { TesseraError } from '@tessera/protocol';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { Algorithm, LocalStepContext } from './framework.js';
import { checkVariables, effectiveMinCount, runLocalStep } from './run-local-step.js';
import { makeTable, numberColumn, tableVariables } from './table-info.js';
import type { Table } from './table.js';
import { seededRandomBytes } from './simulate.js';

interface CountParams {
  variables: string[];
}

function makeCountAlgorithm(calls: { run: number }): Algorithm<CountParams> {
  return {
    name: 'count',
    version: '1',
    description: 'counts rows',
    params: z.object({ variables: z.array(z.string()) }),
    variables: (p) => p.variables,
    start: () => ({ kind: 'step', step: 'count', input: null, state: null }),
    local: {
      count: {
        run: (ctx) => {
          calls.run++;
          return { rows: ctx.table.rows };
        },
        disclose: (output) => ({ status: 'ok', output }),
      },
    },
    aggregate: () => ({ kind: 'done', result: null }),
  };
}

function makeCtx(table: Table, minCount = 10): LocalStepContext<CountParams> {
  return {
    table,
    params: { variables: ['x'] },
    input: null,
    round: 0,
    policy: { minCount, allowMinMax: false },
    randomBytes: seededRandomBytes(1),
  };
}

const rowsOf = (n: number): Table =>
  makeTable({ x: numberColumn(Array.from({ length: n }, (_, i) => i)) });

describe('runLocalStep', () => {
  it('runs the step and discloses its output', () => {
    const calls = { run: 0 };
    const out = runLocalStep(makeCountAlgorithm(calls), 'count', makeCtx(rowsOf(12)));
    expect(out).toEqual({ status: 'ok', output: { rows: 12 } });
    expect(calls.run).toBe(1);
  });

  it('refuses a cohort smaller than minCount without running the step or naming the count', () => {
    const calls = { run: 0 };
    const out = runLocalStep(makeCountAlgorithm(calls), 'count', makeCtx(rowsOf(7)));
    expect(out).toEqual({
      status: 'refused',
      code: 'MIN_COUNT',
      reason: 'cohort has fewer than 10 rows',
    });
    expect(JSON.stringify(out)).not.toContain('7');
    expect(calls.run).toBe(0);
  });

  it('accepts a cohort of exactly minCount rows', () => {
    const out = runLocalStep(makeCountAlgorithm({ run: 0 }), 'count', makeCtx(rowsOf(5), 5));
    expect(out.status).toBe('ok');
  });

  it('throws BAD_REQUEST for an unknown step, including inherited property names', () => {
    const alg = makeCountAlgorithm({ run: 0 });
    for (const step of ['nope', 'toString', '__proto__']) {
      expect(() => runLocalStep(alg, step, makeCtx(rowsOf(12)))).toThrowError(TesseraError);
      try {
        runLocalStep(alg, step, makeCtx(rowsOf(12)));
      } catch (e) {
        expect((e as TesseraError).code).toBe('BAD_REQUEST');
      }
    }
  });
});

describe('checkVariables', () => {
  const alg = makeCountAlgorithm({ run: 0 });
  const vars = tableVariables(rowsOf(1));

  it('passes when every variable is present', () => {
    expect(checkVariables(alg, { variables: ['x'] }, vars)).toBeNull();
  });

  it('refuses with VARIABLE_MISSING naming the missing variables', () => {
    expect(checkVariables(alg, { variables: ['x', 'y', 'z'] }, vars)).toEqual({
      code: 'VARIABLE_MISSING',
      reason: 'variables not in the dataset: y, z',
    });
  });
});

describe('effectiveMinCount', () => {
  it('lets a job raise minCount but never lower it', () => {
    expect(effectiveMinCount(10, { minCount: 25 })).toBe(25);
    expect(effectiveMinCount(10, { minCount: 3 })).toBe(10);
    expect(effectiveMinCount(10, { minCount: 12.5 })).toBe(10);
    expect(effectiveMinCount(10, { minCount: '50' })).toBe(10);
    expect(effectiveMinCount(10, null)).toBe(10);
    expect(effectiveMinCount(10, {})).toBe(10);
  });
});
