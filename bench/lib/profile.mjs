// --profile: breaks each timed job's latency down with the nodes' audit timestamps, joined to the
// client's timings by the trace id the bench sends on the submit request (the hub passes it to
// the nodes in the task payload and they write it on their audit entries). All processes run on
// this machine, so one clock serves; audit timestamps have 1 ms resolution.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ms, stats, table } from './format.mjs';

const DONE = new Set(['task.released', 'task.refused', 'task.failed']);

/** traceId → [{ node, action, at }] over every node's audit.log. */
function nodeEvents(nodes) {
  const byTrace = new Map();
  for (const n of nodes) {
    let text = '';
    try {
      text = readFileSync(join(n.dir, 'audit.log'), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let e;
      try {
        e = JSON.parse(line);
      } catch {
        continue;
      }
      const list = byTrace.get(e.traceId) ?? [];
      list.push({ node: n.name, action: e.action, at: Date.parse(e.at) });
      byTrace.set(e.traceId, list);
    }
  }
  return byTrace;
}

/** Phases of one job, in ms from the submit request, or null when the audit does not cover it. */
function phasesOf(sample, events, siteCount) {
  const evs = events.get(sample.traceId) ?? [];
  const perNode = new Map();
  for (const e of evs) {
    const p = perNode.get(e.node) ?? { first: Infinity, done: -Infinity };
    p.first = Math.min(p.first, e.at);
    if (DONE.has(e.action)) p.done = Math.max(p.done, e.at);
    perNode.set(e.node, p);
  }
  const nodes = [...perNode.values()].filter((p) => Number.isFinite(p.done));
  if (nodes.length < siteCount) return null;
  const firstIn = Math.min(...nodes.map((p) => p.first));
  const lastIn = Math.max(...nodes.map((p) => p.first));
  const lastDone = Math.max(...nodes.map((p) => p.done));
  const work = nodes.map((p) => p.done - p.first);
  return {
    'submit answered (POST /jobs round trip)': sample.submitMs,
    'submit → first node has the task': firstIn - sample.t0,
    'first → last node has the task': lastIn - firstIn,
    'node: task received → released (mean)': work.reduce((a, b) => a + b, 0) / work.length,
    'node: task received → released (slowest)': Math.max(...work),
    'last release → result in hand': sample.t1 - lastDone,
    total: sample.totalMs,
  };
}

/**
 * A table of phase statistics over the samples, plus how many jobs the audit covered.
 * Returns '' when no job could be matched (e.g. the node writes no trace id).
 */
export function profileReport(samples, nodes, siteCount) {
  const events = nodeEvents(nodes);
  const rows = samples.map((s) => phasesOf(s, events, siteCount)).filter((r) => r !== null);
  if (rows.length === 0) {
    return `  (no job matched by trace id in the nodes' audit logs; ${events.size} trace ids seen)\n`;
  }
  const phases = Object.keys(rows[0]);
  const out = phases.map((phase) => {
    const st = stats(rows.map((r) => r[phase]));
    return {
      phase,
      'p50 ms': ms(st.p50),
      'mean ms': ms(st.mean),
      'p95 ms': ms(st.p95),
      'max ms': ms(st.max),
    };
  });
  return `  ${rows.length}/${samples.length} jobs matched in the node audit logs\n${table(out)}`;
}
