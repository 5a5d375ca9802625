// Figures: order statistics and plain-text tables for stdout.
import { cpus, loadavg, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

/** Nearest-rank percentile (p in 0..100) of an ascending-sorted array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50, p95, mean, min, max of a sample in ms. */
export function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return {
    n: s.length,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    mean,
    min: s[0],
    max: s[s.length - 1],
  };
}

/** Formats a number of ms with one decimal. */
export const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : '—');

/** A left-aligned first column, right-aligned others, with a rule under the header. */
export function table(rows) {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0]);
  const cells = [cols, ...rows.map((r) => cols.map((c) => String(r[c] ?? '')))];
  const width = cols.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) =>
    r.map((v, i) => (i === 0 ? v.padEnd(width[i]) : v.padStart(width[i]))).join('  ');
  return [line(cells[0]), width.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)]
    .join('\n')
    .concat('\n');
}

/** The machine the figures come from: CPU model, cores, memory, Node version, date. */
export function machine() {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch {
    // Not Linux: os.cpus() is the fallback.
  }
  return {
    cpu: model,
    cores: cpus().length,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    // Other work on the machine skews every figure; quote the load with them.
    'load 1/5/15 min': loadavg()
      .map((v) => v.toFixed(2))
      .join(' '),
  };
}
