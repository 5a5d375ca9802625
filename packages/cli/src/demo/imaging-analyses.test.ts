import { describe, expect, it } from 'vitest';
import { makeJob } from '../../test/fixtures.js';
import type { DemoImaging, ImagingSent } from './demo-state.js';
import { formatImaging, IMAGING_COHORT_REQUEST } from './imaging-analyses.js';

function makeSent(overrides: Partial<ImagingSent> = {}): ImagingSent {
  return {
    site: 'site-a',
    folder: '/tmp/demo/data/dicom/site-a',
    patients: 30,
    studies: { CT: 10, MR: 20 },
    series: 50,
    instances: 400,
    stored: 400,
    ms: 1234,
    planted: ['Cardew^Mary', 'MRN-ABCDE-00001'],
    ...overrides,
  };
}

function makeImaging(overrides: Partial<DemoImaging> = {}): DemoImaging {
  return {
    sent: [makeSent(), makeSent({ site: 'site-b' })],
    abort: new AbortController(),
    deid: { planted: 2100, inSent: 2100, atNodes: 0, files: 1000, bytes: 12_345_678 },
    cohort: makeJob({
      algorithm: 'imaging-cohort',
      datasets: ['imaging'],
      params: IMAGING_COHORT_REQUEST.params,
      sites: [
        { trust: 'site-a', status: 'ok' },
        { trust: 'site-b', status: 'ok' },
      ],
      result: {
        sites: 2,
        groupBy: ['modality', 'body_part'],
        dateRange: null,
        groups: [
          {
            key: { modality: 'MR', body_part: 'HEAD' },
            patients: 30,
            studies: 30,
            series: 60,
            instances: 480,
          },
        ],
        totals: { patients: 60, studies: 60, series: 100, instances: 800 },
        note: 'patients are counted distinct within each site',
      },
    }),
    stats: makeJob({
      algorithm: 'image-stats',
      status: 'failed',
      result: null,
      error: { code: 'NO_SITES', reason: 'no site released' },
      sites: [{ trust: 'site-a', status: 'refused', code: 'MIN_COUNT', reason: 'too few' }],
    }),
    ...overrides,
  };
}

describe('formatImaging', () => {
  it('prints what each site was sent and stored, and the de-identification check', () => {
    const text = formatImaging(makeImaging(), 'cardio');
    expect(text).toMatch(
      /^── Imaging: synthetic CT and MR sent over C-STORE, de-identified at each node ─+$/m,
    );
    expect(text).toContain(
      'site-a: sent 400 instances over C-STORE: stored 400 (30 patients, 10 CT + 20 MR studies, 50 series)',
    );
    expect(text).toMatch(/^site-b: sent 400 instances over C-STORE: stored 400/m);
    expect(text).toContain(
      "de-identification: 0 of the 2100 planted identifying values (names, ids, addresses, original UIDs) found in the nodes' folders and logs (1000 files, 12.3 MB); 2100 of them found in the files sent",
    );
  });

  it('prints the imaging-cohort result with its view, and a failed job with its sites', () => {
    const text = formatImaging(makeImaging(), 'cardio');
    expect(text).toContain('(imaging of cardio)');
    expect(text).toMatch(/^MR\s+HEAD\s+30\s+30\s+60\s+480$/m);
    expect(text).toMatch(/^total\s+60\s+60\s+100\s+800$/m);
    expect(text).toContain('failed: NO_SITES no site released');
    expect(text).toMatch(/site-a\s+refused/);
  });

  it('says a job was not run when the demo stopped before it', () => {
    const text = formatImaging(
      makeImaging({ cohort: undefined, stats: undefined, deid: undefined }),
      'p',
    );
    expect(text.match(/^not run$/gm)).toHaveLength(2);
    expect(text).not.toContain('de-identification:');
  });
});
