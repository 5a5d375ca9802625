// CPU time spent per job by each process (hub, nodes, this client), read from /proc/<pid>/stat
// around the timed jobs. Unlike wall-clock latency, CPU time barely depends on what else the
// machine runs, so it shows what the platform costs and gives a floor for the latency on
// `cores` cores: total CPU per job / cores.
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux (getconf CLK_TCK)

/** utime + stime of a process in ms, or null when it cannot be read (not Linux, gone). */
function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** A snapshot of the CPU ms of `procs` ({ label, pid }) and of this process. */
export function cpuSnapshot(procs) {
  const self = process.cpuUsage();
  return {
    self: (self.user + self.system) / 1000,
    procs: procs.map((p) => ({ ...p, ms: cpuMsOf(p.pid) })),
  };
}

/**
 * CPU ms per job between two snapshots: { hub, nodeMean, nodeMax, nodeSum, client, total },
 * or null when /proc is not readable.
 */
export function cpuPerJob(before, after, jobs) {
  const diff = after.procs.map((p, i) =>
    p.ms === null || before.procs[i].ms === null ? null : { ...p, ms: p.ms - before.procs[i].ms },
  );
  if (diff.some((d) => d === null) || jobs === 0) return null;
  const per = (v) => v / jobs;
  const nodes = diff.filter((d) => d.label !== 'hub').map((d) => per(d.ms));
  const hub = per(diff.find((d) => d.label === 'hub')?.ms ?? 0);
  const nodeSum = nodes.reduce((a, b) => a + b, 0);
  const client = per(after.self - before.self);
  return {
    hub,
    nodeMean: nodeSum / nodes.length,
    nodeMax: Math.max(...nodes),
    nodeSum,
    client,
    total: hub + nodeSum + client,
  };
}
