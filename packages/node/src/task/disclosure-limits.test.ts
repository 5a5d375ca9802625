import { randomUUID } from 'node:crypto';
import { getAlgorithm, type VariableInfo } from '@tessera/algorithms';
import { describe, expect, it } from 'vitest';
import { makeTaskPayload } from '../testing/helpers.js';
import { defaultPolicy, nodePolicySchema, type NodePolicy } from '../store/policy-store.js';
import { effectiveLimits, overlongString, tooManyLevels } from './disclosure-limits.js';
import { checkTask } from './policy-check.js';

const levels = (n: number): string[] => Array.from({ length: n }, (_, i) => `L${String(i)}`);
const VARS: VariableInfo[] = [
  { name: 'age', kind: 'number' },
  { name: 'sex', kind: 'categorical', levels: ['F', 'M'] },
  { name: 'ward', kind: 'categorical', levels: levels(41) },
];
const datasets = new Map([['cohort', VARS]]);
const projectId = randomUUID();

function approved(overrides: Partial<NodePolicy> = {}): NodePolicy {
  return {
    ...defaultPolicy(),
    approvals: [
      {
        project: 'diabetes',
        projectId,
        datasets: ['cohort'],
        approvedAt: new Date().toISOString(),
      },
    ],
    ...overrides,
  };
}
const check = (policy: NodePolicy, o: Parameters<typeof makeTaskPayload>[0] = {}) =>
  checkTask(makeTaskPayload({ project: { id: projectId, name: 'diabetes' }, ...o }), {
    policy,
    datasets,
    identifiers: new Map(),
    findAlgorithm: getAlgorithm,
  });

describe('string-parameter limit (DataSHIELD: 80 characters)', () => {
  it('refuses STRING_LIMIT naming the path of an overlong param, without echoing it', () => {
    const long = 'x'.repeat(81);
    const d = check(approved(), { params: { variables: ['age', long] } });
    expect(d).toMatchObject({ ok: false, code: 'STRING_LIMIT' });
    const reason = d.ok ? '' : d.reason;
    expect(reason).toContain('params.variables[1]');
    expect(reason).toContain('80');
    expect(reason).not.toContain(long);
  });

  it('refuses an overlong string inside the cohort, naming its path', () => {
    const cohort = { and: [{ variable: 'sex', op: '=', value: 'F'.repeat(200) }] };
    const d = check(approved(), { cohort } as Parameters<typeof makeTaskPayload>[0]);
    expect(d).toMatchObject({ ok: false, code: 'STRING_LIMIT' });
    expect(d.ok ? '' : d.reason).toContain('cohort.and[0].value');
  });

  it('accepts a string of exactly the limit, and the operator may lower it', () => {
    const at80 = { params: { variables: ['age'], note: 'y'.repeat(80) } };
    expect(overlongString(at80.params, 'params', 80)).toBeNull();
    expect(overlongString(at80.params, 'params', 79)).toBe('params.note');
    expect(check(approved({ maxStringLength: 2 }))).toMatchObject({ code: 'STRING_LIMIT' });
  });

  it('names an overlong object key without echoing it', () => {
    expect(overlongString({ ['k'.repeat(90)]: 1 }, 'params', 80)).toBe('params (a key)');
  });
});

describe('categorical-level limit (DataSHIELD: 40 levels)', () => {
  it('refuses LEVEL_LIMIT naming a variable read with more than maxLevels levels', () => {
    const d = check(approved(), { params: { variables: ['age', 'ward'] } });
    expect(d).toMatchObject({ ok: false, code: 'LEVEL_LIMIT' });
    expect(d.ok ? '' : d.reason).toContain('ward');
  });

  it('lets a variable with maxLevels levels or fewer through, and ignores variables not read', () => {
    expect(check(approved({ maxLevels: 41 }), { params: { variables: ['ward'] } })).toMatchObject({
      ok: true,
    });
    expect(check(approved(), { params: { variables: ['age', 'sex'] } })).toMatchObject({
      ok: true,
    });
  });

  it('counts the levels of several datasets merged', () => {
    const two = new Map([
      ['a', [{ name: 'g', kind: 'categorical' as const, levels: ['x', 'y'] }]],
      ['b', [{ name: 'g', kind: 'categorical' as const, levels: ['y', 'z'] }]],
    ]);
    expect(tooManyLevels(['g'], ['a', 'b'], two, 2)).toBe('g');
    expect(tooManyLevels(['g'], ['a', 'b'], two, 3)).toBeNull();
  });
});

describe('effectiveLimits: a job can only make them stricter', () => {
  const node = defaultPolicy();

  it('takes a smaller limit from the job and ignores a larger or malformed one', () => {
    expect(
      effectiveLimits(node, { maxStringLength: 20, maxLevels: 5, maxLevelDensity: 0.1 }),
    ).toEqual({
      maxStringLength: 20,
      maxLevels: 5,
      maxLevelDensity: 0.1,
      differencingGuard: true,
    });
    expect(
      effectiveLimits(node, { maxStringLength: 500, maxLevels: 1.5, maxLevelDensity: 0.9 }),
    ).toEqual({
      maxStringLength: 80,
      maxLevels: 40,
      maxLevelDensity: 0.33,
      differencingGuard: true,
    });
  });

  it('lets a job turn the differencing guard on, never off', () => {
    const off = { ...node, differencingGuard: false };
    expect(effectiveLimits(off, { differencingGuard: true }).differencingGuard).toBe(true);
    expect(effectiveLimits(node, { differencingGuard: false }).differencingGuard).toBe(true);
    expect(effectiveLimits(off, {}).differencingGuard).toBe(false);
  });
});

describe('policy.json migration', () => {
  it('loads a policy written before the new limits, with their defaults', () => {
    const old = { minCount: 10, allowMinMax: false, allowedAlgorithms: null, approvals: [] };
    expect(nodePolicySchema.parse(old)).toMatchObject({
      maxStringLength: 80,
      maxLevels: 40,
      maxLevelDensity: 0.33,
      differencingGuard: true,
    });
  });
});
