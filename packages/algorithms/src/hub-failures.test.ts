import { describe, expect, it } from 'vitest';
import { COMMON_FAILURES, describeSites, failureFor } from './hub-failures.js';

describe('failureFor', () => {
  it('builds the failed decision with the code and reason given', () => {
    const fail = failureFor({ ...COMMON_FAILURES, DEGENERATE: 'no variance' });
    expect(fail('DEGENERATE', 'age is constant')).toEqual({
      kind: 'failed',
      code: 'DEGENERATE',
      reason: 'age is constant',
    });
  });
});

describe('describeSites', () => {
  it('names each site with its code or status and reason, or says none answered', () => {
    expect(describeSites([])).toBe('no site answered');
    expect(
      describeSites([
        { trust: 'a', status: 'refused', code: 'MIN_COUNT', reason: 'too few rows' },
        { trust: 'b', status: 'failed' },
      ]),
    ).toBe('a: MIN_COUNT (too few rows); b: failed');
  });
});
