import { describe, expect, it } from 'vitest';
import { pickStepSites, type ProjectSite } from './step-sites.js';

const site = (name: string, o: Partial<ProjectSite> = {}): ProjectSite => ({
  id: `id-${name}`,
  name,
  revoked: false,
  node_seal_public: `seal-${name}`,
  node_sign_public: `sign-${name}`,
  ...o,
});
const ALL = [
  site('alpha'),
  site('beta'),
  site('gamma', { revoked: true }),
  site('delta', { node_seal_public: null, node_sign_public: null }),
];
const names = (v: ReturnType<typeof pickStepSites>) =>
  'participants' in v ? { got: v.participants.map((p) => p.name), left: v.left } : v;

describe('the trusts a step goes to', () => {
  it('takes every enrolled, unrevoked trust when the step names none', () => {
    expect(names(pickStepSites(ALL, undefined))).toEqual({ got: ['alpha', 'beta'], left: [] });
  });

  it('narrows to the named trusts, once each, leaving out those revoked or not enrolled', () => {
    expect(names(pickStepSites(ALL, ['beta', 'beta']))).toEqual({ got: ['beta'], left: [] });
    expect(names(pickStepSites(ALL, ['delta', 'alpha', 'gamma']))).toEqual({
      got: ['alpha'],
      left: ['delta', 'gamma'],
    });
  });

  it('fails with INVALID_DECISION on a name that is not a trust of the project, or on no name', () => {
    expect(pickStepSites(ALL, ['alpha', 'zeta', 'omega'])).toEqual({
      code: 'INVALID_DECISION',
      reason:
        'internal error in the algorithm: the step names "omega", "zeta", not among the job\'s trusts (alpha, beta, gamma, delta)',
    });
    expect(pickStepSites(ALL, [])).toMatchObject({ reason: /the step names no site$/ });
    expect(pickStepSites(ALL, [3] as unknown as string[])).toMatchObject({
      reason: /something other than a list of trust names$/,
    });
  });
});
