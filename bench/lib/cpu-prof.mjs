// --cpu-prof: the hub and node processes run with V8's sampling profiler, and this module sums the .cpuprofile files they write on exit: self time per
// component (our packages, PGlite, TLS, crypto, GC, …) and the top functions, per role. The
// profiles cover a process's whole life (start-up, set-up, warm-up and timed jobs), so compare
// components, not absolute totals, with the CPU-per-job table.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ms, table } from './format.mjs';

/**
 * Makes the children started from now on write CPU profiles into `dir` (see
 * cpu-prof-preload.mjs; Node does not allow --cpu-prof in NODE_OPTIONS).
 */
export function enableCpuProfiles(dir) {
  mkdirSync(dir, { recursive: true });
  const preload = fileURLToPath(new URL('./cpu-prof-preload.mjs', import.meta.url));
  process.env.TESSERA_BENCH_CPU_PROF_DIR = dir;
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim();
}

/** Where a frame's code comes from, coarse enough to read at a glance. */
function componentOf(frame) {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8 / native (program)';
    return `native ${functionName}`;
  }
  if (url.startsWith('wasm://')) return 'wasm (PGlite in the hub)';
  const pkg = /\/packages\/([a-z-]+)\/(?:dist|src)\//.exec(url);
  if (pkg) return `@tessera/${pkg[1]}`;
  const mod = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (mod) return mod[1];
  const internal = /^node:(?:internal\/)?([a-z_]+)/.exec(url);
  if (internal) return `node:${internal[1]}`;
  return 'other';
}

/** Self ms per component and per function of one profile. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const comp = new Map();
  const fn = new Map();
  for (const [id, t] of self) {
    const f = byId.get(id)?.callFrame;
    if (f === undefined) continue;
    const c = componentOf(f);
    comp.set(c, (comp.get(c) ?? 0) + t);
    if (c === 'idle') continue;
    const file = f.url.split('/').slice(-2).join('/');
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + t);
  }
  return { comp, fn };
}

function add(into, from) {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

/**
 * Tables per role ('hub', 'node main threads', 'node step workers'), given pid → role.
 * Files are named prof.<pid>.<threadId>.cpuprofile; the main thread has threadId 0.
 */
export function cpuProfileReport(dir, roleOfPid) {
  const roles = new Map();
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return '  (no CPU profiles written)\n';
  }
  for (const f of files) {
    const [, pid, tid] = f.split('.');
    const base = roleOfPid.get(Number(pid));
    if (base === undefined) continue;
    const role =
      base === 'hub'
        ? tid === '0'
          ? 'hub'
          : 'hub workers'
        : tid === '0'
          ? 'node main threads'
          : 'node step workers';
    const r = roles.get(role) ?? { comp: new Map(), fn: new Map(), files: 0 };
    const s = selfTimes(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    add(r.comp, s.comp);
    add(r.fn, s.fn);
    r.files++;
    roles.set(role, r);
  }
  let out = '';
  for (const [role, r] of roles) {
    const busy = [...r.comp].filter(([k]) => k !== 'idle').reduce((a, [, v]) => a + v, 0);
    const top = (m, n) =>
      [...m]
        .filter(([k]) => k !== 'idle')
        .sort((a, b) => b[1] - a[1])
        .slice(0, n);
    out += `\n#### ${role} (${r.files} profile${r.files === 1 ? '' : 's'}, ${ms(busy)} ms busy)\n\n`;
    out += table(
      top(r.comp, 12).map(([k, v]) => ({
        component: k,
        'self ms': ms(v),
        share: `${((100 * v) / busy).toFixed(1)}%`,
      })),
    );
    out += '\n';
    out += table(
      top(r.fn, 15).map(([k, v]) => ({
        function: k,
        'self ms': ms(v),
        share: `${((100 * v) / busy).toFixed(1)}%`,
      })),
    );
  }
  return out === '' ? '  (no CPU profile matched a hub or node process)\n' : out;
}
