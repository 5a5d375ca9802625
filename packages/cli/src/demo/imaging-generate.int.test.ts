import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSite } from '../synth/index.js';
import { generateSiteImaging, imagingJobs, SLICES } from './imaging-generate.js';
import { plantedMatcher, scanFolder } from './planted-scan.js';

// Real files in a temp folder; the worker-thread path runs in run-demo.int.test.ts.
const root = mkdtempSync(join(tmpdir(), 'tessera-demo-imaging-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('generateSiteImaging', () => {
  it("writes CT and MR studies of the site's first patients, with every planted value in them", async () => {
    const [, job] = imagingJobs({
      root,
      seed: 42,
      sites: [
        { name: 'site-a', rows: 80 },
        { name: 'site-b', rows: 50 },
      ],
      patients: 6,
    });
    if (job === undefined) throw new Error('no job');
    expect(job.folder).toBe(join(root, 'data', 'dicom', 'site-b'));
    const made = await generateSiteImaging(job);

    // One study each, CT for every third patient (1 series), MR for the others (T1 and T2).
    expect(made.patients).toBe(6);
    expect(made.studies).toEqual({ CT: 2, MR: 4 });
    expect(made.series).toBe(2 + 4 * 2);
    expect(made.files).toHaveLength(made.series * SLICES);
    for (const f of made.files) {
      expect(f.startsWith(`${job.folder}/`)).toBe(true);
      expect(statSync(f).size).toBeGreaterThan(64 * 64 * 2);
    }
    expect(readdirSync(job.folder).length).toBeGreaterThan(0);

    // The tabular patient ids of site index 1 (S2-…) are among the planted values, and the scan
    // of the written files finds every planted value.
    const ids = generateSite({ seed: 42, site: 1, rows: 50 })
      .slice(0, 6)
      .map((r) => r.patient_id);
    expect(made.planted).toEqual(expect.arrayContaining(ids));
    const scan = await scanFolder(job.folder, plantedMatcher(made.planted));
    expect(scan.files).toBe(made.files.length);
    expect(scan.found).toBe(made.planted.length);
  });
});
