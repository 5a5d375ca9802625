import { getAlgorithm } from '@tessera/algorithms';
import {
  catalogueSigned,
  projectCatalogueSchema,
  signJson,
  type AuditEntry,
  type Catalogue,
  type PartyKeys,
} from '@tessera/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeNode, Reply } from '../../test/helpers/fake-node.js';
import { makeTestHub, type TestHub } from '../../test/helpers/hub-fixture.js';
import { testAlgorithms } from '../../test/helpers/test-algorithm.js';
import { TEST_DB_KINDS } from '../../test/helpers/test-db.js';

/*
 * Issue 3, "Dataset catalogue": nodes publish signed schemas; members see which sites hold which
 * variables; a job naming a variable a site lacks is refused at submission, naming the site.
 */

const algorithms = {
  get: (name: string) => (name === 'summary' ? getAlgorithm('summary') : testAlgorithms.get(name)),
};

function makeCatalogue(trust: string, o: Partial<Catalogue> = {}): Catalogue {
  return {
    trust,
    publishedAt: new Date().toISOString(),
    datasets: [
      {
        name: 'patients',
        projects: [{ name: 'p1', id: null }],
        variables: [
          { name: 'age', kind: 'number' },
          { name: 'bmi', kind: 'number' },
          { name: 'sex', kind: 'categorical', levels: ['F', 'M'] },
        ],
      },
    ],
    ...o,
  };
}

describe.each(TEST_DB_KINDS)('dataset catalogue on $name', (kind) => {
  let t: TestHub;
  let s: Awaited<ReturnType<TestHub['setUp']>>;
  let alpha: FakeNode;
  let beta: FakeNode;
  const apiKey = (name: string) => s.keys.find((k) => k.name === name)?.apiKey ?? '';

  async function publish(node: FakeNode, c: Catalogue, signer: PartyKeys = node.keys) {
    const r = await t.hub.app.inject({
      method: 'POST',
      url: '/api/v1/node/catalogue',
      headers: { authorization: `Bearer ${apiKey(node.name)}` },
      payload: {
        type: 'catalogue',
        catalogue: c,
        sig: signJson(catalogueSigned(c), signer.signPrivate),
      },
    });
    return { status: r.statusCode, body: JSON.parse(r.body) as unknown } satisfies Reply;
  }
  const view = async (token: string) => {
    const r = await t.req('GET', '/api/v1/projects/p1/catalogue', token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return projectCatalogueSchema.parse(r.body);
  };
  const submit = (params: unknown, cohort: unknown = null, datasets = ['patients']) =>
    t.req('POST', '/api/v1/jobs', s.researcher, {
      project: 'p1',
      algorithm: 'summary',
      datasets,
      cohort,
      params,
    });

  beforeAll(async () => {
    t = await makeTestHub({ kind, algorithms });
    s = await t.setUp(['alpha', 'beta', 'gamma']);
    alpha = t.node('alpha', apiKey('alpha'));
    beta = t.node('beta', apiKey('beta'));
    await alpha.enrol();
    await beta.enrol();
  });
  afterAll(() => t.close());

  it('stores a catalogue and audits datasets and variable count, never levels', async () => {
    const r = await publish(alpha, makeCatalogue('alpha'));
    expect(r).toEqual({
      status: 200,
      body: { type: 'catalogue-accepted', datasets: 1, variables: 3 },
    });
    const audit = (await t.req('GET', '/api/v1/audit?limit=1000', s.admin)).body as AuditEntry[];
    const entry = audit.filter((e) => e.action === 'catalogue.published').at(-1);
    expect(entry).toMatchObject({
      actor: 'trust:alpha',
      details: { trust: 'alpha', datasets: ['patients'], variables: 3 },
    });
    expect(JSON.stringify(entry?.details)).not.toContain('"F"');
  });

  it('replaces the whole catalogue of a trust with its newer one', async () => {
    const lacking = makeCatalogue('beta');
    lacking.datasets[0]!.variables = lacking.datasets[0]!.variables.filter((v) => v.name !== 'bmi');
    const older = makeCatalogue('beta', {
      publishedAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect((await publish(beta, older)).status).toBe(200);
    expect((await publish(beta, lacking)).status).toBe(200);
    const patients = (await view(s.researcher)).datasets[0]!;
    const bmi = patients.variables.find((v) => v.name === 'bmi');
    expect(bmi?.sites.map((x) => x.trust)).toEqual(['alpha']);
  });

  it('refuses an older catalogue than the stored one (no rollback by replay)', async () => {
    const stale = makeCatalogue('beta', {
      publishedAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    const r = await publish(beta, stale);
    expect(r).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
  });

  it('refuses a catalogue signed by another key, or naming another trust, and stores nothing', async () => {
    const forged = await publish(beta, makeCatalogue('beta', { datasets: [] }), alpha.keys);
    expect(forged).toMatchObject({ status: 400, body: { error: { code: 'BAD_SIGNATURE' } } });
    const other = await publish(beta, makeCatalogue('alpha', { datasets: [] }));
    expect(other).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    expect((await view(s.researcher)).datasets[0]?.sites).toEqual(['alpha', 'beta']);
  });

  it('shows members which sites hold which variables, and the sites yet to publish', async () => {
    const v = await view(s.researcher);
    expect(v.project.name).toBe('p1');
    expect(v.sites.map((x) => [x.trust, x.publishedAt === null])).toEqual([
      ['alpha', false],
      ['beta', false],
      ['gamma', true],
    ]);
    const sex = v.datasets[0]!.variables.find((x) => x.name === 'sex');
    expect(sex?.sites).toEqual([
      { trust: 'alpha', kind: 'categorical', levels: ['F', 'M'] },
      { trust: 'beta', kind: 'categorical', levels: ['F', 'M'] },
    ]);
  });

  it('answers 404 to a user who is not a member, 200 to an admin', async () => {
    await t.req('POST', '/api/v1/users', s.admin, {
      email: 'outsider@example.org',
      role: 'researcher',
      password: 'outsider password 1',
    });
    const outsider = await t.login('outsider@example.org', 'outsider password 1');
    const r = await t.req('GET', '/api/v1/projects/p1/catalogue', outsider);
    expect(r).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect((await view(s.admin)).sites).toHaveLength(3);
    expect((await t.req('GET', '/api/v1/projects/p1/catalogue')).status).toBe(401);
  });

  it('refuses a job reading a variable a site lacks with 422, naming site, dataset and variable', async () => {
    const r = await submit({ variables: ['age', 'bmi'] });
    expect(r).toMatchObject({
      status: 422,
      body: {
        error: {
          code: 'UNPROCESSABLE',
          message: 'site beta lacks variable bmi in dataset patients',
        },
      },
    });
  });

  it('refuses a cohort variable a site lacks, and a dataset a site does not expose', async () => {
    const cohort = await submit({ variables: ['age'] }, { variable: 'bmi', op: '>', value: 30 });
    expect(cohort.status).toBe(422);
    expect(JSON.stringify(cohort.body)).toContain('site beta lacks variable bmi');
    const dataset = await submit({ variables: ['age'] }, null, ['visits']);
    expect(dataset.status).toBe(422);
    expect(JSON.stringify(dataset.body)).toContain('site alpha does not expose dataset visits');
  });

  it('refuses a variable that is numeric at one site and categorical at another', async () => {
    const c = makeCatalogue('alpha');
    c.datasets[0]!.variables[0] = { name: 'age', kind: 'categorical', levels: ['old'] };
    expect((await publish(alpha, c)).status).toBe(200);
    const r = await submit({ variables: ['age'] });
    expect(r.status).toBe(422);
    expect(JSON.stringify(r.body)).toContain(
      'variable age is categorical in dataset patients at site alpha but number in dataset patients at site beta',
    );
    expect((await publish(alpha, makeCatalogue('alpha'))).status).toBe(200);
  });

  it('accepts a job whose variables every publishing site holds (gamma has not published)', async () => {
    const r = await submit({ variables: ['age', 'sex'] });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  });

  it('shows identifier columns marked and without levels, and refuses a job reading or filtering on one', async () => {
    const imaging = {
      name: 'imaging',
      projects: [{ name: 'p1', id: null }],
      variables: [
        { name: 'patient_id', kind: 'categorical' as const, identifier: true as const },
        { name: 'series_uid', kind: 'categorical' as const, identifier: true as const },
        { name: 'modality', kind: 'categorical' as const, levels: ['CT'] },
        { name: 'instances', kind: 'number' as const },
      ],
    };
    for (const node of [alpha, beta]) {
      const c = makeCatalogue(node.name);
      c.datasets.push(imaging);
      expect((await publish(node, c)).status).toBe(200);
    }
    const shown = (await view(s.researcher)).datasets.find((d) => d.name === 'imaging');
    expect(shown?.variables.find((v) => v.name === 'patient_id')?.sites).toEqual([
      { trust: 'alpha', kind: 'categorical', identifier: true },
      { trust: 'beta', kind: 'categorical', identifier: true },
    ]);
    const read = await submit({ variables: ['patient_id'] }, null, ['imaging']);
    expect(read.status).toBe(422);
    expect(JSON.stringify(read.body)).toContain(
      'variable patient_id is an identifier column of dataset imaging at site alpha; no job may read it or filter on it',
    );
    const cohort = { and: [{ not: { variable: 'series_uid', op: '=', value: '2.25.1' } }] };
    const filtered = await submit({ variables: ['instances'] }, cohort, ['imaging']);
    expect(filtered.status).toBe(422);
    expect(JSON.stringify(filtered.body)).toContain(
      'variable series_uid is an identifier column of dataset imaging at site beta',
    );
    const ok = await submit({ variables: ['instances', 'modality'] }, null, ['imaging']);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it('refuses a catalogue that lists levels of an identifier column, and keeps the stored one', async () => {
    const c = makeCatalogue('alpha');
    c.datasets[0]!.variables.push({
      name: 'patient_id',
      kind: 'categorical',
      identifier: true,
      levels: ['p-1'],
    });
    const r = await publish(alpha, c);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).not.toContain('p-1');
    const names = (await view(s.researcher)).datasets.map((d) => d.name);
    expect(names).toEqual(['imaging', 'patients']);
  });
});
