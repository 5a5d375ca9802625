import type { JobView } from '@tessera/protocol';
import { describe, expect, it } from 'vitest';
import { makeJob, recordingIo } from '../../test/fixtures.js';
import { createProgressReporter } from './reporter.js';
import {
  fitLine,
  progressBar,
  readRoundsProgress,
  roundsLine,
  type RoundMetric,
  type RoundsProgress,
} from './rounds.js';

const metric = (round: number, overrides: Partial<RoundMetric> = {}): RoundMetric => ({
  round,
  loss: 0.7 - round * 0.02,
  accuracy: 0.6 + round * 0.013,
  auc: 0.7 + round * 0.011,
  sites: 5,
  failed: [],
  ...overrides,
});

const rounds = (done: number, total = 20, extra: Partial<RoundMetric> = {}): RoundsProgress => ({
  kind: 'rounds',
  total,
  done,
  metrics: Array.from({ length: done }, (_, i) => metric(i + 1, extra)),
});

/** A running train job whose progress is `p`. */
const running = (p: unknown): JobView =>
  makeJob({ algorithm: 'train', status: 'running', result: null, progress: p });

describe('readRoundsProgress', () => {
  it('reads the rounds progress of a train job', () => {
    expect(readRoundsProgress(rounds(2))?.metrics.map((m) => m.round)).toEqual([1, 2]);
  });

  it('returns null for no progress or progress of another kind', () => {
    expect(readRoundsProgress(null)).toBeNull();
    expect(readRoundsProgress({ kind: 'phases', done: 1 })).toBeNull();
    expect(readRoundsProgress({ kind: 'rounds', total: 'x', done: 1 })).toBeNull();
  });
});

describe('roundsLine', () => {
  it('shows the bar and the latest round’s figures', () => {
    const p = rounds(7, 20, { epsilon: 1.3 });
    p.metrics[6] = {
      round: 7,
      loss: 0.4123,
      accuracy: 0.8612,
      auc: 0.9118,
      sites: 5,
      failed: [],
      epsilon: 1.3,
    };
    expect(roundsLine(p)).toBe(
      'round 7/20 ████░░░░░░ loss 0.412 acc 86.1% auc 0.912 ε 1.3 · 5/5 sites',
    );
  });

  it('names the sites that failed a round and counts them in the total', () => {
    const p: RoundsProgress = {
      kind: 'rounds',
      total: 4,
      done: 2,
      metrics: [metric(2, { sites: 2, failed: ['site-c'] })],
    };
    expect(roundsLine(p)).toMatch(/· 2\/3 sites \(site-c failed\)$/);
  });

  it('says it waits before the first round has finished', () => {
    expect(roundsLine(rounds(0))).toBe('round 0/20 ░░░░░░░░░░ waiting for the first round');
  });

  it('numbers the line by the latest round with figures, one behind the rounds trained', () => {
    const p: RoundsProgress = { kind: 'rounds', total: 10, done: 6, metrics: [metric(5)] };
    expect(roundsLine(p)).toMatch(/^round 5\/10 █████░░░░░ loss 0\.600 /);
  });
});

describe('progressBar and fitLine', () => {
  it('fills the bar in proportion, never past its width', () => {
    expect(progressBar(0, 20)).toBe('░'.repeat(10));
    expect(progressBar(10, 20)).toBe('█'.repeat(5) + '░'.repeat(5));
    expect(progressBar(25, 20)).toBe('█'.repeat(10));
    expect(progressBar(1, 0)).toBe('░'.repeat(10));
  });

  it('cuts a line to the terminal width with an ellipsis', () => {
    expect(fitLine('x'.repeat(30), 20)).toBe(`${'x'.repeat(18)}…`);
    expect(fitLine('short', 20)).toBe('short');
    expect(fitLine('x'.repeat(30), undefined)).toBe('x'.repeat(30));
  });
});

describe('createProgressReporter', () => {
  it('redraws one line on a terminal and ends it before the final status', () => {
    const io = { ...recordingIo(), errTty: true, errColumns: () => 200 };
    const r = createProgressReporter(io, { quiet: false });
    r.status('job j submitted (train on cardio)');
    r.job(running(rounds(0, 3)));
    r.status('job running, round 1; site-a pending');
    r.job(running(rounds(1, 3)));
    r.job(running(rounds(1, 3)));
    r.job(running(rounds(2, 3)));
    const done: JobView = { ...running(rounds(3, 3)), status: 'succeeded' };
    r.job(done);
    r.status('job succeeded; site-a ok');
    r.end();
    const err = io.stderr();
    expect(err.startsWith('… job j submitted (train on cardio)\n')).toBe(true);
    // Each new state is drawn once over the last (\r and erase to end of line).
    const draws = err.split('\r\x1b[K').slice(1);
    expect(draws.map((d) => d.slice(0, 10))).toEqual([
      'round 0/3 ',
      'round 1/3 ',
      'round 2/3 ',
      'round 3/3 ',
    ]);
    expect(draws[1]).toMatch(
      /^round 1\/3 ███░░░░░░░ loss 0\.680 acc 61\.3% auc 0\.711 · 5\/5 sites$/,
    );
    // The per-site line of a running round is not printed; the final one is, on its own line.
    expect(err).not.toContain('site-a pending');
    expect(err.endsWith('5/5 sites\n… job succeeded; site-a ok\n')).toBe(true);
  });

  it('draws after text already on the line and leaves that text as it was at the end', () => {
    const io = { ...recordingIo(), errTty: true };
    const r = createProgressReporter(io, { quiet: false, inline: '▸ training … ' });
    r.job(running(rounds(1, 3)));
    r.end();
    const clear = '\r\x1b[K';
    const [before, drawn, after] = io.stderr().split(clear);
    expect(before).toBe('');
    expect(drawn).toMatch(/^▸ training … round 1\/3 .*5\/5 sites$/);
    expect(after).toBe('▸ training … ');
  });

  it('prints one line per finished round when stderr is not a terminal', () => {
    const io = recordingIo();
    const r = createProgressReporter(io, { quiet: false });
    r.job(running(rounds(0, 3)));
    r.job(running(rounds(2, 3)));
    r.job(running(rounds(2, 3)));
    r.job(running(rounds(3, 3)));
    r.end();
    const lines = io.stderr().trimEnd().split('\n');
    expect(lines.map((l) => l.split(' loss')[0])).toEqual(['round 1/3', 'round 2/3', 'round 3/3']);
    expect(io.stderr()).not.toContain('\r');
    expect(io.stderr()).not.toContain('█');
  });

  it('keeps the status lines of a job without rounds progress', () => {
    const io = recordingIo();
    const r = createProgressReporter(io, { quiet: false });
    r.job(running(null));
    r.status('job running, round 1; site-a pending');
    r.end();
    expect(io.stderr()).toBe('… job running, round 1; site-a pending\n');
  });

  it('prints nothing when quiet', () => {
    const io = { ...recordingIo(), errTty: true };
    const r = createProgressReporter(io, { quiet: true });
    r.status('job submitted');
    r.job(running(rounds(2, 3)));
    r.end();
    expect(io.stderr()).toBe('');
    expect(io.stdout()).toBe('');
  });
});
