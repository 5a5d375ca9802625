import { formatNumber, formatTable } from '../output.js';
import { dualAxisPlot, niceRange } from './plot.js';
import { arr, isRecord, num, rec, str, type Json } from './read.js';

/*
 * The `train` result (DESIGN "Public contract": rounds, final, model) for the terminal: a table
 * of the rounds, the learning curve, the final metrics with calibration, the model and its stored
 * artifacts, and how the training was protected.
 */

/** One round's figures as the result lists them. */
export interface RoundRow {
  readonly round: number;
  readonly loss?: number;
  readonly accuracy?: number;
  readonly auc?: number;
  readonly ece?: number;
  readonly sites?: number;
  readonly failed: readonly string[];
  readonly epsilon?: number;
}

/** The rounds of a train result (or of its progress), in round order. */
export function roundRows(rounds: unknown): RoundRow[] {
  if (!Array.isArray(rounds)) return [];
  return rounds
    .filter(isRecord)
    .flatMap((r) => {
      const round = num(r, 'round');
      if (round === undefined) return [];
      const failedRaw = r['failed'];
      const failed = Array.isArray(failedRaw) ? failedRaw.map(String) : [];
      return [
        {
          round,
          loss: num(r, 'loss'),
          accuracy: num(r, 'accuracy'),
          auc: num(r, 'auc'),
          ece: num(r, 'ece'),
          sites: num(r, 'sites'),
          failed,
          epsilon: num(r, 'epsilon'),
        },
      ];
    })
    .sort((a, b) => a.round - b.round);
}

const pct = (x: number | undefined): string => (x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
const dec = (x: number | undefined, d = 4): string => (x === undefined ? '—' : x.toFixed(d));

/** At most ~`max` rows: every k-th round, always the first, the best and the last. */
function shownRounds(rows: readonly RoundRow[], best: number | undefined, max = 20): RoundRow[] {
  const step = Math.max(1, Math.ceil(rows.length / max));
  return rows.filter(
    (r, i) => i % step === step - 1 || i === 0 || i === rows.length - 1 || r.round === best,
  );
}

/** The per-round table: loss, accuracy, AUC, ECE, sites (and ε with DP); the best round starred. */
export function roundsTable(rows: readonly RoundRow[], best: number | undefined): string {
  const dp = rows.some((r) => r.epsilon !== undefined);
  const body = shownRounds(rows, best).map((r) => [
    `${r.round}${r.round === best ? '*' : ''}`,
    dec(r.loss),
    pct(r.accuracy),
    dec(r.auc, 3),
    dec(r.ece, 3),
    r.sites === undefined ? '—' : `${r.sites}/${r.sites + r.failed.length}`,
    ...(dp ? [r.epsilon === undefined ? '—' : formatNumber(r.epsilon)] : []),
    r.failed.join(', '),
  ]);
  const head = ['round', 'loss', 'accuracy', 'AUC', 'ECE', 'sites', ...(dp ? ['ε'] : []), 'failed'];
  return formatTable(head, body);
}

/** Loss (left axis) and accuracy (right axis) against the round, in text. */
export function learningCurve(rows: readonly RoundRow[]): string | null {
  const loss = rows.flatMap((r) => (r.loss === undefined ? [] : [{ x: r.round, y: r.loss }]));
  const acc = rows.flatMap((r) =>
    r.accuracy === undefined ? [] : [{ x: r.round, y: r.accuracy }],
  );
  if (loss.length < 2 || acc.length < 2) return null;
  const [lossLo, lossHi] = niceRange(
    Math.min(...loss.map((p) => p.y)),
    Math.max(...loss.map((p) => p.y)),
  );
  const [accLo, accHi] = niceRange(
    Math.min(...acc.map((p) => p.y)),
    Math.max(...acc.map((p) => p.y)),
  );
  return dualAxisPlot({
    left: {
      name: 'validation loss',
      mark: '●',
      points: loss,
      min: lossLo,
      max: lossHi,
      label: (y) => y.toFixed(3),
    },
    right: {
      name: 'accuracy',
      mark: '○',
      points: acc,
      min: Math.max(0, accLo),
      max: Math.min(1, accHi),
      label: (y) => `${(y * 100).toFixed(1)}%`,
    },
    xName: 'round',
  });
}

/**
 * The reliability of the final model in at most `groups` groups of adjacent non-empty bins:
 * `0.08→0.06 (212)` is mean predicted → observed frequency (rows).
 */
export function reliabilityLine(table: unknown, groups = 8): string | null {
  if (!Array.isArray(table)) return null;
  const bins = table.filter(isRecord).flatMap((b) => {
    const count = num(b, 'count');
    const predicted = num(b, 'predicted');
    const observed = num(b, 'observed');
    return count === undefined || predicted === undefined || observed === undefined || count <= 0
      ? []
      : [{ count, predicted, observed }];
  });
  if (bins.length === 0) return null;
  const per = Math.ceil(bins.length / groups);
  const parts: string[] = [];
  for (let i = 0; i < bins.length; i += per) {
    const g = bins.slice(i, i + per);
    const n = g.reduce((s, b) => s + b.count, 0);
    const p = g.reduce((s, b) => s + b.predicted * b.count, 0) / n;
    const o = g.reduce((s, b) => s + b.observed * b.count, 0) / n;
    parts.push(`${p.toFixed(2)}→${o.toFixed(2)} (${n})`);
  }
  return parts.join(' · ');
}

function finalLines(result: unknown): string[] {
  const f = rec(result, 'final');
  if (f === undefined) return [];
  const bound = num(f, 'aucErrorBound');
  const auc = num(f, 'auc');
  const lines = [
    `final model on ${formatNumber(num(f, 'examples'))} validation rows: loss ${dec(num(f, 'loss'))}, ` +
      `accuracy ${pct(num(f, 'accuracy'))}, AUC ${auc === undefined ? '—' : auc.toFixed(3)}` +
      `${bound === undefined || bound === 0 ? '' : ` (± ${bound.toFixed(3)} from binning)`}, ` +
      `ECE ${dec(num(f, 'ece'), 3)}`,
  ];
  const reliability = reliabilityLine(arr(f, 'reliability')?.[0]);
  if (reliability !== null)
    lines.push(`calibration (mean predicted → observed, rows): ${reliability}`);
  return lines;
}

/** "mlp 4 → 16 → 2" from a model specification. */
export function architecture(spec: unknown): string | null {
  const type = str(spec, 'type');
  const inputs = num(spec, 'inputs');
  if (type === undefined || inputs === undefined) return null;
  const classes = num(spec, 'classes') ?? 2;
  const hidden = (arr(spec, 'hidden') ?? []).filter((h) => typeof h === 'number');
  const out = type === 'logistic' ? 1 : classes;
  return [type, [inputs, ...hidden, out].join(' → ')].join(' ');
}

/** The artifact names a result lists (strings, or objects with a name). */
export function artifactNames(result: unknown): string[] {
  return (arr(result, 'artifacts') ?? []).flatMap((a) => {
    if (typeof a === 'string') return [a];
    const name = str(a, 'name');
    return name === undefined ? [] : [name];
  });
}

/**
 * The names under which the job keeps its models: the final and best ones as the result names
 * them, and one per round every `checkpointEvery` rounds (params; default every round).
 */
export function modelNames(result: unknown, params: unknown): string[] {
  const listed = artifactNames(result);
  if (listed.length > 0) return listed;
  const names: string[] = [];
  const final = str(rec(result, 'model'), 'name');
  const best = str(rec(result, 'best'), 'name');
  if (final !== undefined) names.push(final);
  if (best !== undefined) names.push(best);
  const every = num(params, 'checkpointEvery') ?? 1;
  const rounds = roundRows(arr(result, 'rounds')).map((r) => r.round);
  if (final !== undefined && every > 0)
    names.push(...rounds.filter((r) => r % every === 0).map((r) => `model/round-${r}`));
  return names;
}

function modelLines(result: unknown, params: unknown, jobId: string | undefined): string[] {
  const model = rec(result, 'model');
  const lines: string[] = [];
  const id = str(model, 'id');
  if (model !== undefined) {
    const shape = architecture(rec(model, 'spec'));
    // The result counts the parameters; the weights themselves are in the model artifacts.
    const params = num(model, 'parameters') ?? arr(model, 'parameters')?.length;
    const facts = [
      shape,
      params === undefined ? null : `${formatNumber(params)} parameters`,
      str(result, 'strategy'),
      num(result, 'sites') === undefined ? null : `${formatNumber(num(result, 'sites'))} sites`,
    ].filter((x): x is string => x !== null && x !== undefined);
    lines.push(`model ${id ?? '—'}${facts.length === 0 ? '' : ` (${facts.join(', ')})`}`);
  }
  const best = rec(result, 'best');
  const bestRound = num(best, 'round');
  if (bestRound !== undefined) {
    lines.push(
      `best model: round ${bestRound}, validation loss ${dec(num(best, 'loss'))}, ` +
        `accuracy ${pct(num(best, 'accuracy'))}${str(best, 'id') === undefined ? '' : ` (${str(best, 'id') ?? ''})`}`,
    );
  }
  const names = modelNames(result, params);
  if (names.length > 0) lines.push(`stored models: ${compactNames(names)}`);
  if (jobId !== undefined && model !== undefined)
    lines.push(
      `export: tessera model export ${jobId} --out model.json   (--name for another; model list)`,
    );
  return lines;
}

/** 'model/round-1 … model/round-20' for a run of round artifacts; others as they are. */
export function compactNames(names: readonly string[]): string {
  const rounds = names
    .map((n) => /^(.*\/round-)(\d+)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null);
  const others = names.filter((n) => !/\/round-\d+$/.test(n));
  if (rounds.length < 3) return names.join(', ');
  const nums = rounds.map((m) => Number(m[2])).sort((a, b) => a - b);
  const prefix = rounds[0]?.[1] ?? '';
  return [...others, `${prefix}${nums[0]} … ${prefix}${nums.at(-1)} (${nums.length})`].join(', ');
}

/** SA and DP of the training, one line, always (so "no protection" is stated too). */
export function trainPrivacyLine(result: unknown): string {
  const sa = rec(result, 'secureAggregation');
  const dp = rec(result, 'privacy') ?? rec(result, 'dp');
  const saText =
    sa === undefined
      ? 'secure aggregation off (the hub saw each site’s update)'
      : `secure aggregation on: the hub saw only the sum of the sites’ updates` +
        (num(sa, 'errorBound') === undefined
          ? ''
          : ` (fixed-point error ≤ ${small(num(sa, 'errorBound'))})`);
  return `privacy: ${saText}; ${dpText(dp)}\n`;
}

/** A small positive figure for humans: 1.4e-6 rather than 0.0000014305. */
function small(x: number | undefined): string {
  return x !== undefined && x !== 0 && Math.abs(x) < 1e-3
    ? x.toExponential(1).replace('.0e', 'e')
    : formatNumber(x);
}

function dpText(dp: Json | undefined): string {
  if (dp === undefined) return 'differential privacy off';
  const eps = num(dp, 'epsilon') ?? num(dp, 'epsilonPerSite');
  const delta = num(dp, 'delta') ?? num(dp, 'deltaPerSite');
  const clip = num(dp, 'clip') ?? num(dp, 'clipNorm');
  const sigma = num(dp, 'noiseMultiplier');
  const rounds = num(dp, 'rounds');
  const how = [
    clip === undefined ? null : `clip ${formatNumber(clip)}`,
    sigma === undefined ? null : `noise multiplier ${formatNumber(sigma)}`,
  ].filter((x) => x !== null);
  return (
    `DP-FedAvg${how.length === 0 ? '' : ` (${how.join(', ')})`}, ` +
    `ε = ${formatNumber(eps)}${delta === undefined ? '' : `, δ = ${small(delta)}`}` +
    `${rounds === undefined ? '' : ` after ${formatNumber(rounds)} rounds`}, charged to every site's budget`
  );
}

/** `train`: the rounds, the learning curve, the final metrics, the model, the privacy line. */
export function formatTrain(result: unknown, params: unknown, jobId?: string): string | null {
  const rows = roundRows(arr(result, 'rounds'));
  if (rows.length === 0 || rec(result, 'final') === undefined) return null;
  const best = num(rec(result, 'best'), 'round');
  const curve = learningCurve(rows);
  return [
    roundsTable(rows, best),
    ...(best === undefined ? [] : ['* best round by validation loss\n']),
    ...(curve === null ? [] : [`\n${curve}`]),
    '\n',
    ...[...finalLines(result), ...modelLines(result, params, jobId)].map((l) => `${l}\n`),
    trainPrivacyLine(result),
  ].join('');
}
