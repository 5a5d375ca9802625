import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingIo } from '../../test/fixtures.js';
import { demoStages } from './demo-stages.js';
import { runDemo } from './run-demo.js';

// The whole demo with real hub and node processes (the CLI must be built: `npm run build`).
const base = mkdtempSync(join(tmpdir(), 'tessera-cli-demo-'));
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

/** Pids of live processes whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

describe('tessera demo', () => {
  it('runs a federated summary and the statistics showcase over 2 sites, prints them, and leaves no process behind', async () => {
    const root = join(base, 'demo');
    const io = recordingIo();
    await runDemo({ sites: 2, keep: false, dir: root }, io);

    const out = io.stdout();
    expect(out).toMatch(/succeeded \(summary on cardiometabolic\)/);
    // 1200 + 650 synthetic patients (SITE_ROWS), every one counted for age.
    expect(out).toMatch(/n = 1850/);
    expect(out).toMatch(/^age\s+1850\s+0\s+\d+(\.\d+)?\s+\d+(\.\d+)?\s*$/m);
    expect(out).toMatch(/^sex\s+1850\s+0\s+F: \d+, M: \d+$/m);
    expect(out).toMatch(/^site-a\s+ok/m);
    expect(out).toMatch(/^site-b\s+ok/m);
    // The statistics showcase: cohort summaries, a crosstab, a logistic model, survival curves.
    expect(out).toMatch(/── Cohort age ≥ 40 with a BMI: summaries by sex/);
    expect(out).toMatch(
      /^age\s+\d+\s+0\s+[\d.]+\s+[\d.]+\s+0\.25: [\d.]+, 0\.5: [\d.]+, 0\.75: [\d.]+$/m,
    );
    expect(out).toMatch(/chi-square = [\d.]+, df = 1, p/);
    expect(out).toMatch(/^hba1c\s+0\.\d+\s+0\.\d+\s+[\d.]+\s+< 1e-\d+/m);
    expect(out).toMatch(/odds ratios: age [\d.]+, bmi [\d.]+, hba1c [\d.]+, sex:M [\d.]+/);
    expect(out).toMatch(/● diabetes = 0 {3}○ diabetes = 1/);
    expect(out).toMatch(/log-rank chi-square = [\d.]+, df = 1, p/);
    // Differential privacy and secure aggregation (issue 5).
    expect(out).toMatch(/differential privacy: laplace, ε = 0\.5 spent at each site; noise scale/);
    expect(out).toMatch(/secure aggregation: the hub saw only masked sums of 2 sites/);
    expect(io.stderr()).toMatch(
      /▸ comparing the secure summary with the plain one … ok, counts equal/,
    );
    expect(io.stderr()).toMatch(/▸ starting hub … ok, pid \d+ \(\d+ ms\)/);
    expect(io.stderr()).toMatch(
      /▸ comparing with the pooled rows .* ok, equal within .* over 1850 rows/,
    );
    // Federated learning (issue 6): an MLP under secure aggregation, its curve, a model file used
    // locally to predict new patients.
    expect(io.stderr()).toMatch(
      /▸ training an MLP on diabetes .* … ok, accuracy \d+\.\d%, AUC 0\.\d{3}, \d+ ms/,
    );
    expect(out).toMatch(/── Federated learning: an MLP predicting diabetes, securely aggregated/);
    expect(out).toMatch(/^15\*?\s+0\.\d{4}\s+\d+\.\d%\s+0\.\d{3}\s+0\.\d{3}\s+2\/2$/m);
    expect(out).toContain('● validation loss (left)   ○ accuracy (right)');
    expect(out).toMatch(
      /privacy: secure aggregation on: the hub saw only the sum of the sites’ updates/,
    );
    expect(out).toMatch(
      /stored models: model\/final, model\/best, model\/round-1 … model\/round-15 \(15\)/,
    );
    expect(out).toMatch(/^patient\s+predicted\s+P\(diabetes = 1\)\s+actual$/m);
    const model = JSON.parse(readFileSync(join(root, 'models', 'diabetes-mlp.json'), 'utf8')) as {
      format: string;
      provenance: { secureAggregation: boolean; export: { artifact: string } };
    };
    expect(model.format).toBe('tessera-model');
    expect(model.provenance.secureAggregation).toBe(true);
    expect(model.provenance.export.artifact).toBe('model/final');
    // Imaging (issue 7 point 5): synthetic CT and MR sent to each node over C-STORE, de-identified
    // there, counted and histogrammed by the imaging algorithms. 30 patients per site, one study
    // each (10 CT of one series, 20 MR of two), 6 slices per series.
    expect(out).toMatch(
      /── Imaging: synthetic CT and MR sent over C-STORE, de-identified at each node ─/,
    );
    expect(out).toMatch(/^site-a: sent 300 instances over C-STORE: stored 300 \(30 patients/m);
    expect(out).toMatch(/^site-b: sent 300 instances over C-STORE: stored 300 \(30 patients/m);
    expect(out).toMatch(
      /^de-identification: 0 of the (\d+) planted identifying values .* (\1) of them found in the files sent$/m,
    );
    expect(out).toMatch(/^modality\s+body_part\s+patients\s+studies\s+series\s+instances$/m);
    expect(out).toMatch(/^MR\s+HEAD\s+\d+\s+\d+\s+\d+\s+\d+$/m);
    expect(out).toMatch(/^CT\s+\w+\s+<minCount\s+—\s+—\s+—$/m);
    expect(out).toMatch(/^total\s+60\s+60\s+100\s+600$/m);
    expect(out).toMatch(/^CT\s+20\s+20\s+-\d+(\.\d)? ± \d+(\.\d)?\s+complete$/m);
    expect(out).toContain('pixels per bin (log scale; · suppressed):');
    expect(io.stderr()).toMatch(
      /▸ waiting for the nodes' imaging datasets .* ok, site-a stored 300\/300 in \d+ ms, site-b stored 300\/300/,
    );
    expect(io.stderr()).toMatch(
      /▸ looking for the planted identifying values .* ok, 0 of \d+ found/,
    );
    expect(io.stderr()).toMatch(/▸ stopping 3 processes … ok/);
    expect(processesMentioning(root)).toEqual([]);
    // A folder given with --dir is kept, with the secrets in 0600 files.
    expect(readdirSync(join(root, 'secrets')).sort()).toEqual([
      'admin-password',
      'researcher-password',
      'site-a.api-key',
      'site-b.api-key',
    ]);
    for (const f of readdirSync(join(root, 'secrets'))) {
      expect(statSync(join(root, 'secrets', f)).mode & 0o777, f).toBe(0o600);
    }
  }, 180_000);

  it('stops the hub it started and fails with the reason when a later stage fails', async () => {
    const root = join(base, 'failing');
    const io = recordingIo();
    // prepare, start generating images, init hub, start hub — then a stage that breaks.
    const stages = [
      ...demoStages(1).slice(0, 4),
      { title: 'breaking', run: () => Promise.reject(new Error('broken on purpose')) },
    ];
    await expect(runDemo({ sites: 1, keep: false, dir: root, stages }, io)).rejects.toThrowError(
      'broken on purpose',
    );
    expect(io.stderr()).toMatch(/▸ starting hub … ok, pid \d+/);
    expect(io.stderr()).toMatch(/▸ breaking … failed/);
    expect(io.stderr()).toMatch(/▸ stopping 1 process … ok/);
    expect(processesMentioning(root)).toEqual([]);
  }, 120_000);
});
