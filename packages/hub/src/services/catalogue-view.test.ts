import { cohortVariables, type Catalogue, type CatalogueDataset } from '@tessera/protocol';
import { describe, expect, it } from 'vitest';
import {
  buildProjectCatalogue,
  catalogueProblems,
  exposedTo,
  type SiteCatalogue,
} from './catalogue-view.js';

const P = { id: '11111111-1111-4111-8111-111111111111', name: 'study' };
const OTHER_ID = '22222222-2222-4222-8222-222222222222';

function makeDataset(o: Partial<CatalogueDataset> = {}): CatalogueDataset {
  return {
    name: 'patients',
    projects: [{ name: 'study', id: null }],
    variables: [
      { name: 'age', kind: 'number' },
      { name: 'sex', kind: 'categorical', levels: ['F', 'M'] },
    ],
    ...o,
  };
}

function makeSite(trust: string, datasets: CatalogueDataset[] | null): SiteCatalogue {
  const at = '2024-05-01T10:00:00.000Z';
  const catalogue: Catalogue | null =
    datasets === null ? null : { trust, publishedAt: at, datasets };
  return { trust, publishedAt: datasets === null ? null : at, catalogue };
}

describe('exposedTo', () => {
  it('matches an unbound approval by name and a bound one by id only', () => {
    expect(exposedTo(makeDataset(), P)).toBe(true);
    expect(exposedTo(makeDataset({ projects: [{ name: 'study', id: P.id }] }), P)).toBe(true);
    expect(exposedTo(makeDataset({ projects: [{ name: 'study', id: OTHER_ID }] }), P)).toBe(false);
    expect(exposedTo(makeDataset({ projects: [{ name: 'other', id: null }] }), P)).toBe(false);
  });
});

describe('buildProjectCatalogue', () => {
  it('lists per dataset and variable the sites that hold it, and sites yet to publish', () => {
    const view = buildProjectCatalogue(P, [
      makeSite('beta', [makeDataset({ variables: [{ name: 'age', kind: 'number' }] })]),
      makeSite('alpha', [
        makeDataset(),
        makeDataset({ name: 'private', projects: [{ name: 'other', id: null }] }),
      ]),
      makeSite('gamma', null),
    ]);
    expect(view.sites).toEqual([
      { trust: 'alpha', publishedAt: '2024-05-01T10:00:00.000Z' },
      { trust: 'beta', publishedAt: '2024-05-01T10:00:00.000Z' },
      { trust: 'gamma', publishedAt: null },
    ]);
    expect(view.datasets).toEqual([
      {
        name: 'patients',
        sites: ['alpha', 'beta'],
        variables: [
          {
            name: 'age',
            sites: [
              { trust: 'alpha', kind: 'number' },
              { trust: 'beta', kind: 'number' },
            ],
          },
          { name: 'sex', sites: [{ trust: 'alpha', kind: 'categorical', levels: ['F', 'M'] }] },
        ],
      },
    ]);
  });
});

describe('catalogueProblems', () => {
  const sites = [
    makeSite('alpha', [makeDataset()]),
    makeSite('beta', [makeDataset({ variables: [{ name: 'age', kind: 'number' }] })]),
    makeSite('gamma', null),
  ];

  it('names the site, the dataset and the variable a site lacks', () => {
    expect(catalogueProblems(P, sites, ['patients'], ['age', 'sex'])).toEqual([
      'site beta lacks variable sex in dataset patients',
    ]);
  });

  it('finds nothing when every publishing site holds every variable', () => {
    expect(catalogueProblems(P, sites, ['patients'], ['age'])).toEqual([]);
  });

  it('names a dataset a site does not expose to the project', () => {
    expect(catalogueProblems(P, sites, ['visits'], [])).toEqual([
      'site alpha does not expose dataset visits to project study',
      'site beta does not expose dataset visits to project study',
    ]);
  });

  it('names a variable that is numeric at one site and categorical at another', () => {
    const mixed = [
      makeSite('alpha', [makeDataset()]),
      makeSite('beta', [
        makeDataset({ variables: [{ name: 'age', kind: 'categorical', levels: ['old'] }] }),
      ]),
    ];
    expect(catalogueProblems(P, mixed, ['patients'], ['age'])).toEqual([
      'variable age is number in dataset patients at site alpha but categorical in dataset patients at site beta',
    ]);
  });

  it('lists several missing variables in one sentence', () => {
    expect(catalogueProblems(P, sites, ['patients'], ['sex', 'bmi'])).toEqual([
      'site alpha lacks variable bmi in dataset patients',
      'site beta lacks variables sex, bmi in dataset patients',
    ]);
  });
});

describe('identifier columns', () => {
  const imaging = (): CatalogueDataset =>
    makeDataset({
      name: 'imaging',
      variables: [
        { name: 'patient_id', kind: 'categorical', identifier: true },
        { name: 'modality', kind: 'categorical', levels: ['CT'] },
      ],
    });
  const sites = [makeSite('alpha', [imaging()]), makeSite('beta', [imaging()])];

  it('keeps the identifier mark in the project view, with no levels', () => {
    const view = buildProjectCatalogue(P, sites);
    expect(view.datasets[0]?.variables[0]).toEqual({
      name: 'patient_id',
      sites: [
        { trust: 'alpha', kind: 'categorical', identifier: true },
        { trust: 'beta', kind: 'categorical', identifier: true },
      ],
    });
    expect(view.datasets[0]?.variables[1]?.sites[0]).toEqual({
      trust: 'alpha',
      kind: 'categorical',
      levels: ['CT'],
    });
  });

  it('names each site that declares a variable the job reads an identifier column', () => {
    expect(catalogueProblems(P, sites, ['imaging'], ['modality', 'patient_id'])).toEqual([
      'variable patient_id is an identifier column of dataset imaging at site alpha; no job may read it or filter on it',
      'variable patient_id is an identifier column of dataset imaging at site beta; no job may read it or filter on it',
    ]);
    expect(catalogueProblems(P, sites, ['imaging'], ['modality'])).toEqual([]);
  });

  it('refuses it when only one site declares it, even if another holds it as a plain categorical', () => {
    const plain = makeDataset({
      name: 'imaging',
      variables: [{ name: 'patient_id', kind: 'categorical', levels: [] }],
    });
    expect(
      catalogueProblems(
        P,
        [makeSite('alpha', [imaging()]), makeSite('beta', [plain])],
        ['imaging'],
        ['patient_id'],
      ),
    ).toEqual([
      'variable patient_id is an identifier column of dataset imaging at site alpha; no job may read it or filter on it',
    ]);
  });
});

describe('cohortVariables', () => {
  it('collects each variable of a nested filter once', () => {
    const cohort = {
      and: [
        { variable: 'age', op: '>=' as const, value: 50 },
        {
          not: {
            or: [
              { variable: 'sex', op: 'isNull' as const },
              { variable: 'age', op: 'notNull' as const },
            ],
          },
        },
      ],
    };
    expect(cohortVariables(cohort)).toEqual(['age', 'sex']);
    expect(cohortVariables(null)).toEqual([]);
  });
});
