// --profile: breaks each timed job's latency down with the hub's and the nodes' audit timestamps,
// joined to the client's timings by the trace id the bench sends on the submit request (the hub
// writes it on its audit entries and passes it to the nodes in the task payload; they write it on
// theirs). Every process runs on this machine, so one clock serves; audit timestamps have 1 ms
// resolution. The hub's audit sits in its PGlite database, read after the hub has stopped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ms, stats, table } from './format.mjs';

const DONE = new Set(['task.released', 'task.refused', 'task.failed']);

function push(map, key, value) {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}

/** traceId → [{ who, action, at }] over every node's audit.log. */
export function nodeEvents(nodes) {
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
      try {
        const e = JSON.parse(line);
        push(byTrace, e.traceId, { who: n.name, action: e.action, at: Date.parse(e.at) });
      } catch {
        // A torn last line: ignore, the chain verifier is not what this is for.
      }
    }
  }
  return byTrace;
}

/**
 * traceId → [{ who: 'hub', action, at }] from the hub's database (PGlite: only once the hub has
 * stopped, as PGlite is single-process; PostgreSQL: any time), for the given
 * trace ids. Returns an empty map (and the reason) when the database cannot be read.
 */
export async function hubEvents(hub, traceIds) {
  const byTrace = new Map();
  const sql = `SELECT trace_id, action, (extract(epoch from at::timestamptz) * 1000)::float8 AS ms
                 FROM audit_log WHERE trace_id = ANY($1::text[]) ORDER BY seq`;
  let close = async () => undefined;
  try {
    let rows;
    if (hub.databaseUrl === undefined) {
      const { PGlite } = await import('@electric-sql/pglite');
      const db = await PGlite.create(join(hub.dir, 'db'));
      close = () => db.close();
      rows = (await db.query(sql, [traceIds])).rows;
    } else {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: hub.databaseUrl });
      await c.connect();
      close = () => c.end();
      rows = (await c.query(sql, [traceIds])).rows;
    }
    for (const r of rows) push(byTrace, r.trace_id, { who: 'hub', action: r.action, at: r.ms });
    return { byTrace, error: null };
  } catch (e) {
    return { byTrace, error: e instanceof Error ? e.message : String(e) };
  } finally {
    await close().catch(() => undefined);
  }
}

/**
 * The hub's own request timings (its JSON request log: route, ms) during the timed jobs, per
 * route: how long the hub spent answering. Long-poll routes are left out (their time is waiting).
 */
export function hubRequestReport(hubLog, samples) {
  let text = '';
  try {
    text = readFileSync(hubLog, 'utf8');
  } catch {
    return '  (no hub log)\n';
  }
  const from = Math.min(...samples.map((s) => s.t0));
  const to = Math.max(...samples.map((s) => s.t1));
  const byRoute = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let e;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof e.route !== 'string' || typeof e.ms !== 'number') continue;
    if (e.route.endsWith('/node/poll') || e.time < from || e.time > to + 5) continue;
    push(byRoute, `${e.method} ${e.route}`, e.ms);
  }
  const rows = [...byRoute].map(([route, v]) => {
    const st = stats(v);
    return {
      'hub request (its log)': route,
      'per job': (v.length / samples.length).toFixed(1),
      'p50 ms': ms(st.p50),
      'mean ms': ms(st.mean),
      'p95 ms': ms(st.p95),
      'max ms': ms(st.max),
    };
  });
  return rows.length === 0 ? '  (no request lines in the hub log)\n' : table(rows);
}

/** Phases of one job, in ms, or null when the node audit does not cover every site. */
function phasesOf(sample, evs, siteCount) {
  const perNode = new Map();
  for (const e of evs.filter((x) => x.who !== 'hub')) {
    const p = perNode.get(e.who) ?? { first: Infinity, done: -Infinity };
    p.first = Math.min(p.first, e.at);
    if (DONE.has(e.action)) p.done = Math.max(p.done, e.at);
    perNode.set(e.who, p);
  }
  const nodes = [...perNode.values()].filter((p) => Number.isFinite(p.done));
  if (nodes.length < siteCount) return null;
  const firstIn = Math.min(...nodes.map((p) => p.first));
  const lastIn = Math.max(...nodes.map((p) => p.first));
  const lastDone = Math.max(...nodes.map((p) => p.done));
  const work = nodes.map((p) => p.done - p.first);
  return {
    'POST /jobs answered': sample.submitMs,
    'submit → first node audits the task': firstIn - sample.t0,
    'first → last node audits the task': lastIn - firstIn,
    'node: first audit → released (mean)': work.reduce((a, b) => a + b, 0) / work.length,
    'node: first audit → released (slowest)': Math.max(...work),
    'last node release → result in hand': sample.t1 - lastDone,
    total: sample.totalMs,
  };
}

/** Offsets from the submit request of each (who, action), first occurrence per job. */
function timelineOf(sample, evs) {
  const out = {};
  for (const e of evs) {
    const key = `${e.who === 'hub' ? 'hub' : 'node'} ${e.action}`;
    const off = e.at - sample.t0;
    out[key] ??= { first: off, last: off, count: 0 };
    out[key].first = Math.min(out[key].first, off);
    out[key].last = Math.max(out[key].last, off);
    out[key].count++;
  }
  out['client result in hand'] = { first: sample.totalMs, last: sample.totalMs, count: 1 };
  return out;
}

function statRow(label, values) {
  const st = stats(values);
  return {
    phase: label,
    'p50 ms': ms(st.p50),
    'mean ms': ms(st.mean),
    'p95 ms': ms(st.p95),
    'max ms': ms(st.max),
  };
}

/**
 * Two tables: the phases (client + node audit) and the timeline of every audited action (hub
 * and nodes) as ms after the submit request, p50 over the jobs. Node work includes the audit
 * append itself (a locked, fsync'ed file write).
 */
export function profileReport(samples, siteCount, events) {
  const evsOf = (s) => events.get(s.traceId) ?? [];
  const phases = samples.map((s) => phasesOf(s, evsOf(s), siteCount)).filter((r) => r !== null);
  let text = `  ${phases.length}/${samples.length} jobs covered by every node's audit log\n`;
  if (phases.length > 0) {
    text += table(
      Object.keys(phases[0]).map((k) =>
        statRow(
          k,
          phases.map((r) => r[k]),
        ),
      ),
    );
  }
  const lines = samples.map((s) => timelineOf(s, evsOf(s)));
  const keys = [...new Set(lines.flatMap((l) => Object.keys(l)))];
  const rows = keys.map((k) => {
    const have = lines.filter((l) => l[k] !== undefined).map((l) => l[k]);
    const firstSt = stats(have.map((v) => v.first));
    return {
      'event (after submit)': k,
      jobs: have.length,
      'per job': (have.reduce((a, v) => a + v.count, 0) / have.length).toFixed(1),
      'first p50 ms': ms(firstSt.p50),
      'last p50 ms': ms(stats(have.map((v) => v.last)).p50),
      'first p95 ms': ms(firstSt.p95),
    };
  });
  rows.sort((a, b) => Number(a['first p50 ms']) - Number(b['first p50 ms']));
  return `${text}\n${table(rows)}`;
}
