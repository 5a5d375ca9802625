import { describe, expect, it } from 'vitest';
import { recordingIo } from '../../test/fixtures.js';
import { runStages, type Stage } from './stages.js';

describe('runStages', () => {
  it('runs stages in order and prints "▸ title … ok (ms)" with any detail', async () => {
    const io = recordingIo();
    const order: string[] = [];
    let t = 0;
    const stages: Stage<string[]>[] = [
      { title: 'one', run: (s) => (s.push('one'), Promise.resolve(undefined)) },
      {
        title: (s) => `two after ${s.length}`,
        run: (s) => (s.push('two'), Promise.resolve('pid 7')),
      },
    ];
    await runStages(stages, order, io, () => (t += 5));
    expect(order).toEqual(['one', 'two']);
    expect(io.stderr()).toBe('▸ one … ok (5 ms)\n▸ two after 1 … ok, pid 7 (5 ms)\n');
    expect(io.stdout()).toBe('');
  });

  it('stops at the first failing stage, prints "failed" and rethrows', async () => {
    const io = recordingIo();
    const ran: string[] = [];
    const stages: Stage<null>[] = [
      { title: 'bad', run: () => Promise.reject(new Error('no')) },
      { title: 'never', run: () => (ran.push('never'), Promise.resolve(undefined)) },
    ];
    await expect(runStages(stages, null, io, () => 0)).rejects.toThrowError('no');
    expect(ran).toEqual([]);
    expect(io.stderr()).toBe('▸ bad … failed (0 ms)\n');
  });
});
