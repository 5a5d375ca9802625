import { describe, expect, it } from 'vitest';
import { makeJob } from '../test/fixtures.js';
import { formatJob, jobJson } from './job-format.js';

describe('jobJson', () => {
  it('holds id, status, result and per-site trust/status/code/reason', () => {
    const j = jobJson(makeJob());
    expect(j).toMatchObject({ id: makeJob().id, status: 'succeeded', result: makeJob().result });
    expect(j['sites']).toEqual([
      { trust: 'site-a', status: 'ok' },
      { trust: 'site-b', status: 'refused', code: 'MIN_COUNT', reason: 'fewer rows than minCount' },
    ]);
  });
});

describe('formatJob', () => {
  it('prints the headline, the summary table and the site table', () => {
    const text = formatJob(makeJob());
    expect(text).toContain('succeeded (summary on cardio)');
    expect(text).toContain('n = 3000');
    expect(text).toMatch(/age\s+2990\s+10\s+54\.123\s+12\.5/);
    expect(text).toMatch(/site-b\s+refused\s+MIN_COUNT\s+fewer rows than minCount/);
  });

  it("names a failed job's error", () => {
    const text = formatJob(
      makeJob({
        status: 'failed',
        result: null,
        error: { code: 'MIN_COUNT', reason: 'no site released' },
      }),
    );
    expect(text).toContain('failed (summary on cardio): MIN_COUNT no site released');
  });
});
