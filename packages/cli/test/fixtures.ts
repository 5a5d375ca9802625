import type { JobView } from '@tessera/protocol';
import type { Io } from '../src/output.js';

/** An {@link Io} that records what a command wrote, for tests. */
export interface RecordingIo extends Io {
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** Makes a {@link RecordingIo}. */
export function recordingIo(): RecordingIo {
  let out = '';
  let err = '';
  return {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    stdout: () => out,
    stderr: () => err,
  };
}

/** A finished summary job as the hub shows it, with overrides. */
export function makeJob(overrides: Partial<JobView> = {}): JobView {
  return {
    id: '0b7c6f3e-1d2a-4b5c-8d9e-0f1a2b3c4d5e',
    project: { id: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d', name: 'cardio' },
    algorithm: 'summary',
    datasets: ['patients'],
    cohort: null,
    params: { variables: ['age', 'sex'] },
    secureAggregation: false,
    status: 'succeeded',
    result: {
      n: 3000,
      variables: {
        age: { count: 2990, missing: 10, mean: 54.1234567, sd: 12.5 },
        sex: { count: 3000, missing: 0, levels: { F: 1480, M: 1520 } },
      },
    },
    error: null,
    sites: [
      { trust: 'site-a', status: 'ok' },
      { trust: 'site-b', status: 'refused', code: 'MIN_COUNT', reason: 'fewer rows than minCount' },
    ],
    round: 1,
    progress: null,
    createdAt: '2025-11-22T10:00:00.000Z',
    finishedAt: '2025-11-22T10:00:01.000Z',
    ...overrides,
  };
}
