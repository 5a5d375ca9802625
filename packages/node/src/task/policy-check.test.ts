import { randomUUID } from 'node:crypto';
import { getAlgorithm, type VariableInfo } from '@tessera/algorithms';
import type { Cohort } from '@tessera/protocol';
import { describe, expect, it } from 'vitest';
import { makeTaskPayload } from '../testing/helpers.js';
import { defaultPolicy, type NodePolicy } from '../store/policy-store.js';
import { checkTask, effectiveDisclosure } from './policy-check.js';

const VARS: VariableInfo[] = [
  { name: 'age', kind: 'number' },
  { name: 'sex', kind: 'categorical', levels: ['F', 'M'] },
  { name: 'visit', kind: 'date' },
];
/** An imaging dataset as the store writes it (schema.json `identifiers`). */
const IMAGING: VariableInfo[] = [
  { name: 'patient_id', kind: 'categorical', levels: ['p-1', 'p-2'] },
  { name: 'study_uid', kind: 'categorical', levels: ['2.25.1'] },
  { name: 'series_uid', kind: 'categorical', levels: ['2.25.2', '2.25.3'] },
  { name: 'modality', kind: 'categorical', levels: ['CT', 'MR'] },
  { name: 'instances', kind: 'number' },
];
const datasets = new Map([
  ['cohort', VARS],
  ['imaging', IMAGING],
]);
const identifiers = new Map([['imaging', ['patient_id', 'study_uid', 'series_uid']]]);
const projectId = randomUUID();

function approved(overrides: Partial<NodePolicy> = {}): NodePolicy {
  return {
    ...defaultPolicy(),
    approvals: [
      {
        project: 'diabetes',
        projectId: null,
        datasets: ['cohort', 'imaging'],
        approvedAt: new Date().toISOString(),
      },
    ],
    ...overrides,
  };
}
const task = (o: Parameters<typeof makeTaskPayload>[0] = {}) =>
  makeTaskPayload({ project: { id: projectId, name: 'diabetes' }, ...o });
const check = (policy: NodePolicy, t = task()) =>
  checkTask(t, { policy, datasets, identifiers, findAlgorithm: getAlgorithm });

describe('checkTask: deny by default', () => {
  it('refuses everything on a fresh node', () => {
    expect(check(defaultPolicy())).toMatchObject({ ok: false, code: 'PROJECT_NOT_APPROVED' });
  });

  it('runs an approved project on an exposed dataset, binding the project id the first time', () => {
    const d = check(approved());
    expect(d).toMatchObject({
      ok: true,
      disclosure: { minCount: 10, allowMinMax: false },
      bindProjectId: { project: 'diabetes', projectId },
    });
  });

  it('refuses another project id under an approved name once the id is bound', () => {
    const policy = approved();
    policy.approvals[0]!.projectId = randomUUID();
    expect(check(policy)).toMatchObject({
      ok: false,
      code: 'PROJECT_NOT_APPROVED',
      reason: expect.stringContaining('another id'),
    });
  });

  it('refuses a dataset not exposed to the project, or not at the node', () => {
    expect(check(approved(), task({ datasets: ['other'] }))).toMatchObject({
      code: 'DATASET_NOT_EXPOSED',
      reason: expect.stringContaining('other'),
    });
    const policy = approved();
    policy.approvals[0]!.datasets = ['cohort', 'ghost'];
    expect(check(policy, task({ datasets: ['ghost'] }))).toMatchObject({
      code: 'DATASET_NOT_EXPOSED',
      reason: expect.stringContaining('does not exist'),
    });
  });

  it('refuses unknown algorithms, other versions and algorithms the operator did not allow', () => {
    expect(
      check(approved(), task({ algorithm: { name: 'nope', version: '1.0.0' } })),
    ).toMatchObject({ code: 'ALGORITHM_UNKNOWN' });
    expect(
      check(approved(), task({ algorithm: { name: 'summary', version: '9.9.9' } })),
    ).toMatchObject({ code: 'ALGORITHM_UNKNOWN' });
    expect(check(approved({ allowedAlgorithms: [] }))).toMatchObject({
      code: 'ALGORITHM_NOT_ALLOWED',
    });
    expect(check(approved({ allowedAlgorithms: ['summary'] }))).toMatchObject({ ok: true });
  });

  it('refuses a plain job where the operator requires secure aggregation', () => {
    const policy = approved({ requireSecureAggregation: true });
    expect(check(policy, task({ secureAggregation: false }))).toMatchObject({
      ok: false,
      code: 'SECURE_AGGREGATION_REQUIRED',
    });
    expect(check(policy, task({ secureAggregation: true }))).toMatchObject({ ok: true });
    expect(check(approved(), task({ secureAggregation: false }))).toMatchObject({ ok: true });
  });

  it('refuses params that do not fit, naming the problem', () => {
    expect(check(approved(), task({ params: { variables: 'age' } }))).toMatchObject({
      code: 'INVALID_PARAMS',
      reason: expect.stringContaining('variables'),
    });
  });

  it('refuses a variable the dataset lacks, naming it', () => {
    expect(check(approved(), task({ params: { variables: ['hba1c'] } }))).toMatchObject({
      code: 'VARIABLE_MISSING',
      reason: expect.stringContaining('hba1c'),
    });
  });

  it('refuses a cohort that does not fit the dataset', () => {
    expect(
      check(approved(), task({ cohort: { variable: 'weight', op: '>', value: 3 } })),
    ).toMatchObject({ code: 'INVALID_COHORT' });
    expect(
      check(approved(), task({ cohort: { variable: 'sex', op: '>', value: 3 } })),
    ).toMatchObject({ code: 'INVALID_COHORT' });
    expect(
      check(approved(), task({ cohort: { variable: 'age', op: '>=', value: 50 } })),
    ).toMatchObject({ ok: true });
  });
});

describe('checkTask: identifier columns never leave the node', () => {
  const on = (o: Parameters<typeof makeTaskPayload>[0]) => task({ datasets: ['imaging'], ...o });
  const crosstab = { name: 'crosstab', version: '1.1.0' };

  it('refuses an algorithm whose variables name an identifier, naming column and dataset', () => {
    const d = check(
      approved(),
      on({
        algorithm: crosstab,
        step: 'table',
        params: { rows: 'patient_id', columns: 'modality' },
      }),
    );
    expect(d).toEqual({
      ok: false,
      code: 'IDENTIFIER_VARIABLE',
      reason: 'variable patient_id is an identifier column of dataset imaging; no job may read it',
    });
    for (const v of ['study_uid', 'series_uid']) {
      expect(check(approved(), on({ params: { variables: ['instances', v] } }))).toMatchObject({
        code: 'IDENTIFIER_VARIABLE',
        reason: expect.stringContaining(`variable ${v} `),
      });
    }
  });

  it('refuses a cohort naming an identifier at any depth, even when the cohort would fit', () => {
    const one: Cohort = { variable: 'patient_id', op: '=', value: 'p-1' };
    const deep: Cohort = { and: [{ variable: 'modality', op: '=', value: 'CT' }, { not: one }] };
    for (const cohort of [one, deep]) {
      const d = check(approved(), on({ params: { variables: ['instances'] }, cohort }));
      expect(d).toMatchObject({
        ok: false,
        code: 'IDENTIFIER_VARIABLE',
        reason: expect.stringContaining('the cohort names patient_id'),
      });
    }
  });

  it('refuses before the level limit weighs an identifier (its levels are never counted)', () => {
    const d = check(approved({ maxLevels: 1 }), on({ params: { variables: ['series_uid'] } }));
    expect(d).toMatchObject({ code: 'IDENTIFIER_VARIABLE' });
  });

  it('refuses a job over a tabular and an imaging dataset when the imaging one declares it', () => {
    expect(
      check(
        approved(),
        task({ datasets: ['cohort', 'imaging'], params: { variables: ['patient_id'] } }),
      ),
    ).toMatchObject({ code: 'IDENTIFIER_VARIABLE', reason: expect.stringContaining('imaging') });
  });

  it('runs a job on the other columns, and the imaging algorithms that count identifiers implicitly', () => {
    expect(
      check(
        approved(),
        on({
          params: { variables: ['instances', 'modality'] },
          cohort: { variable: 'modality', op: '=', value: 'CT' },
        }),
      ),
    ).toMatchObject({ ok: true });
    expect(
      check(
        approved(),
        on({ algorithm: { name: 'imaging-cohort', version: '1.0.0' }, step: 'counts', params: {} }),
      ),
    ).toMatchObject({ ok: true });
  });
});

describe('effective disclosure', () => {
  it('lets a job raise minCount but never lower it', () => {
    expect(effectiveDisclosure(approved({ minCount: 10 }), { minCount: 25 }).minCount).toBe(25);
    expect(effectiveDisclosure(approved({ minCount: 10 }), { minCount: 2 }).minCount).toBe(10);
    expect(effectiveDisclosure(approved({ minCount: 10 }), { minCount: -5 }).minCount).toBe(10);
    expect(effectiveDisclosure(approved({ minCount: 10 }), { minCount: '1' }).minCount).toBe(10);
  });

  it('lets a job forbid min/max but never allow it', () => {
    expect(
      effectiveDisclosure(approved({ allowMinMax: false }), { allowMinMax: true }).allowMinMax,
    ).toBe(false);
    expect(
      effectiveDisclosure(approved({ allowMinMax: true }), { allowMinMax: false }).allowMinMax,
    ).toBe(false);
    expect(effectiveDisclosure(approved({ allowMinMax: true }), {}).allowMinMax).toBe(true);
  });

  it('uses the stricter of node and job minCount in the decision', () => {
    const d = check(
      approved({ minCount: 15 }),
      task({ params: { variables: ['age'], minCount: 3 } }),
    );
    expect(d).toMatchObject({ ok: true, disclosure: { minCount: 15 } });
  });
});
