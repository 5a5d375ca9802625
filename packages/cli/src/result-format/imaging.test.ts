import { describe, expect, it } from 'vitest';
import { formatAlgorithmResult } from './index.js';
import { formatImageStats, formatImagingCohort } from './imaging.js';
import { mergeBins, sparkline } from './sparkline.js';

function makeCohortResult(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sites: 3,
    groupBy: ['modality', 'body_part'],
    dateRange: null,
    groups: [
      {
        key: { modality: 'CT', body_part: 'ABDOMEN' },
        patients: 31,
        studies: 31,
        series: 31,
        instances: 248,
      },
      {
        key: { modality: 'CT', body_part: 'HEAD' },
        patients: null,
        studies: null,
        series: null,
        instances: null,
      },
      {
        key: { modality: 'MR', body_part: null },
        patients: 12,
        studies: 12,
        series: 24,
        instances: 192,
      },
    ],
    totals: { patients: 50, studies: 50, series: 62, instances: 496 },
    note: 'patients are counted distinct within each site and summed over sites',
    ...overrides,
  };
}

function makeStatsResult(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sites: 2,
    groupBy: ['modality'],
    min: -1024,
    max: 2048,
    bins: 4,
    binWidth: 768,
    groups: [
      {
        key: { modality: 'CT' },
        sites: 2,
        suppressedAt: 0,
        patients: 24,
        series: 24,
        undecodable: 0,
        counts: [50_000, 1_000, 10, 0],
        mean: -412.345,
        sd: 520.06,
        complete: true,
      },
      {
        key: { modality: 'MR' },
        sites: 1,
        suppressedAt: 1,
        patients: 11,
        series: 22,
        undecodable: 0,
        counts: [10, null, 300, 0],
        mean: 1000,
        sd: 200,
        complete: false,
      },
      {
        key: { modality: 'PT' },
        sites: 0,
        suppressedAt: 2,
        patients: null,
        series: null,
        undecodable: null,
        counts: null,
        mean: null,
        sd: null,
        complete: false,
      },
    ],
    note: 'mean and sd are taken at bin centres',
    ...overrides,
  };
}

describe('formatImagingCohort', () => {
  it('prints one row per group with its four counts, right-aligned, then the totals', () => {
    const text = formatImagingCohort(makeCohortResult()) ?? '';
    expect(text).toMatch(/^3 sites; series grouped by modality, body_part$/m);
    expect(text).toMatch(/^modality\s+body_part\s+patients\s+studies\s+series\s+instances$/m);
    expect(text).toMatch(/^CT\s+ABDOMEN\s+31\s+31\s+31\s+248$/m);
    expect(text).toMatch(/^MR\s+\(none\)\s+12\s+12\s+24\s+192$/m);
    expect(text).toMatch(/^total\s+50\s+50\s+62\s+496$/m);
    // Right-aligned: the counts end in the same column as their header.
    const lines = text.split('\n');
    const header = lines.find((l) => l.startsWith('modality')) ?? '';
    const row = lines.find((l) => l.startsWith('CT  ') && l.includes('ABDOMEN')) ?? '';
    expect(row.length).toBe(header.length);
  });

  it('shows a withheld group as <minCount with dashes, and says why', () => {
    const text = formatImagingCohort(makeCohortResult()) ?? '';
    expect(text).toMatch(/^CT\s+HEAD\s+<minCount\s+—\s+—\s+—$/m);
    expect(text).toContain('<minCount: 1 group withheld by a site');
    expect(text).toContain('note: patients are counted distinct within each site');
  });

  it('names the date range when the job gave one, and one site as "1 site"', () => {
    const text = formatImagingCohort(
      makeCohortResult({ sites: 1, dateRange: ['2020-01-01', '2021-12-31'] }),
    );
    expect(text).toContain(
      '1 site; series grouped by modality, body_part; studies from 2020-01-01 to 2021-12-31',
    );
  });

  it('returns null for a result of another shape, so the caller prints JSON', () => {
    expect(formatImagingCohort({ groups: [] })).toBeNull();
    expect(formatAlgorithmResult('imaging-cohort', { n: 3 }, {})).toBe(
      `${JSON.stringify({ n: 3 }, null, 2)}\n`,
    );
  });
});

describe('formatImageStats', () => {
  it('prints patients, series, mean ± sd and completeness per group', () => {
    const text = formatImageStats(makeStatsResult()) ?? '';
    expect(text).toMatch(
      /^2 sites; 4 bins of 768 over \[-1024, 2048\); series grouped by modality$/m,
    );
    expect(text).toMatch(/^CT\s+24\s+24\s+-412\.3 ± 520\.1\s+complete$/m);
    expect(text).toMatch(/^MR\s+11\s+22\s+1000 ± 200\s+suppressed at 1 site, 1 bin suppressed$/m);
    expect(text).toMatch(/^PT\s+<minCount\s+—\s+—\s+suppressed$/m);
  });

  it('draws a log-scale histogram line per released group, · for a suppressed bin', () => {
    const text = formatImageStats(makeStatsResult()) ?? '';
    expect(text).toContain('pixels per bin (log scale; · suppressed):');
    // 50 000 is the top (█); 1 000 at log(1001)/log(50001) ≈ 0.64 → ▆; 10 → ▂; 0 → blank.
    expect(text).toContain('  CT  █▆▂ \n');
    expect(text).toContain('  MR  ▄·█ \n');
    expect(text).not.toMatch(/^ {2}PT /m);
    expect(text).toMatch(/^ {6}-1024 2048$/m);
  });

  it('counts undecodable series when there are some', () => {
    const base = makeStatsResult();
    const groups = (base['groups'] as Record<string, unknown>[]).map((g, i) =>
      i === 0 ? { ...g, undecodable: 2 } : g,
    );
    expect(formatImageStats({ ...base, groups })).toContain('undecodable series (not counted): 2');
  });

  it('is the view job run uses for image-stats', () => {
    expect(formatAlgorithmResult('image-stats', makeStatsResult(), {})).toContain(
      'pixels per bin (log scale',
    );
  });
});

describe('sparkline', () => {
  it('maps counts to eight block heights on a log scale, blank for 0, · for null', () => {
    expect(sparkline([0, 1, 100, 10_000, null])).toBe(' ▁▅█·');
    expect(sparkline([7])).toBe('█');
    expect(sparkline([0, 0])).toBe('  ');
  });

  it('sums adjacent bins to fit the width, null when any of them is', () => {
    expect(mergeBins([1, 2, 3, 4, 5, null], 3)).toEqual([3, 7, null]);
    expect(mergeBins([1, 2, 3, 4, 5], 2)).toEqual([6, 9]);
    expect(
      sparkline(
        Array.from({ length: 256 }, () => 5),
        48,
      ),
    ).toHaveLength(43);
  });
});
