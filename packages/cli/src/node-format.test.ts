import { describe, expect, it } from 'vitest';
import { formatApproval, formatPrivacy } from './node-format.js';

describe('node privacy output', () => {
  it('shows each budget with what is spent and left, and a project without one as refused', () => {
    const text = formatPrivacy([
      {
        project: 'diabetes',
        projectId: null,
        budget: { epsilon: 1, delta: 1e-5 },
        spent: { epsilon: 0.30000000000000004, delta: 0 },
        remaining: { epsilon: 0.7, delta: 1e-5 },
        releases: 3,
      },
      {
        project: 'cardio',
        projectId: null,
        budget: null,
        spent: { epsilon: 0, delta: 0 },
        remaining: null,
        releases: 0,
      },
    ]);
    const [head, diabetes, cardio] = text
      .split('\n')
      .filter((l) => /\w/.test(l) && !/^[─-]+$/.test(l));
    expect(head).toMatch(/privacy budget.*ε budget.*ε spent.*ε left/);
    expect(diabetes).toMatch(/diabetes\s+1\s+0\.3\s+0\.7\s+0\.00001\s+0\s+0\.00001\s+3/);
    expect(cardio).toMatch(/cardio\s+none\s+0/);
    expect(text).toMatch(/none: no budget set, so noisy releases are refused\n$/);
  });

  it('says whether an approval carries a budget', () => {
    expect(
      formatApproval({ project: 'p', datasets: ['a'], budget: { epsilon: 2, delta: 0 } }),
    ).toBe('project p approved; datasets: a; privacy budget ε 2, δ 0\n');
    expect(formatApproval({ project: 'p', datasets: [], budget: null })).toMatch(
      /—; no privacy budget \(noisy releases refused\)/,
    );
  });
});
