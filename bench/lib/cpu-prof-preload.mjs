// Loaded into hub and node processes by `--import` in NODE_OPTIONS when the bench runs with
// --cpu-prof (Node refuses --cpu-prof itself in NODE_OPTIONS): starts V8's sampling profiler
// through the in-process inspector and writes prof.<pid>.<threadId>.cpuprofile into
// TESSERA_BENCH_CPU_PROF_DIR when the thread exits.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

const dir = process.env.TESSERA_BENCH_CPU_PROF_DIR;
if (dir !== undefined && dir !== '') {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // An in-thread inspector session answers synchronously, so this runs before the exit.
    session.post('Profiler.stop', (err, res) => {
      if (err === null && res?.profile) {
        writeFileSync(
          join(dir, `prof.${process.pid}.${threadId}.cpuprofile`),
          JSON.stringify(res.profile),
        );
      }
    });
  });
}
