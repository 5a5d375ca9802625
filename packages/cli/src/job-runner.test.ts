import type { JobView } from '@tessera/protocol';
import { describe, expect, it } from 'vitest';
import type { HubApi } from './hub-api.js';
import { makeJob } from '../test/fixtures.js';
import { waitForJob } from './job-runner.js';

/** A hub whose job moves through the given views, one per call; records the waits asked for. */
function scriptedHub(views: JobView[], waits: number[]): HubApi {
  let i = 0;
  const getJob = (_id: string, waitMs = 0): Promise<JobView> => {
    waits.push(waitMs);
    const v = views[Math.min(i, views.length - 1)]!;
    i++;
    return Promise.resolve(v);
  };
  return { getJob } as unknown as HubApi;
}

describe('waitForJob', () => {
  it('long-polls until the job has finished and reports each change once', async () => {
    const running = makeJob({
      status: 'running',
      result: null,
      sites: [{ trust: 'site-a', status: 'pending' }],
    });
    const waits: number[] = [];
    const lines: string[] = [];
    const done = await waitForJob(scriptedHub([running, running, makeJob()], waits), 'x', {
      timeoutMs: 60_000,
      onProgress: (l) => lines.push(l),
    });
    expect(done.status).toBe('succeeded');
    expect(waits[0]).toBe(0);
    expect(waits.slice(1).every((w) => w > 0 && w <= 25_000)).toBe(true);
    expect(lines).toEqual([
      'job running, round 1; site-a pending',
      'job succeeded; site-a ok, site-b refused',
    ]);
  });

  it('hands every view to onJob, before the line it causes', async () => {
    const running = makeJob({ status: 'running', result: null, round: 2 });
    const seen: string[] = [];
    await waitForJob(scriptedHub([running, running, makeJob()], []), 'x', {
      timeoutMs: 60_000,
      onJob: (j) => seen.push(`view ${j.status}`),
      onProgress: (l) => seen.push(`line ${l.split(';')[0] ?? ''}`),
    });
    expect(seen).toEqual([
      'view running',
      'line job running, round 2',
      'view running',
      'view succeeded',
      'line job succeeded',
    ]);
  });

  it('gives up with TIMEOUT naming the job when it does not finish in time', async () => {
    let t = 0;
    const running = makeJob({ status: 'running', result: null });
    const hub = scriptedHub([running], []);
    const slow: HubApi = {
      ...hub,
      getJob: async (id, w) => {
        t += 10_000;
        return hub.getJob(id, w);
      },
    };
    await expect(
      waitForJob(slow, 'job-1', { timeoutMs: 25_000, now: () => t }),
    ).rejects.toThrowError(/job job-1 is still running after 25 s/);
  });
});
