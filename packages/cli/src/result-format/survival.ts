import { formatNumber, formatTable } from '../output.js';
import { arr, isRecord, num, pClause, rec, str } from './read.js';

const PLOT_WIDTH = 60;
const PLOT_HEIGHT = 12;
const MARKS = ['●', '○', '■', '□', '▲', '△'];

interface Point {
  time: number;
  survival: number;
}

function points(curve: unknown): Point[] {
  if (!Array.isArray(curve)) return [];
  return curve.filter(isRecord).flatMap((p) => {
    const time = num(p, 'time');
    const survival = num(p, 'survival');
    return time === undefined || survival === undefined ? [] : [{ time, survival }];
  });
}

/** A step plot of the survival curves in text, survival 0..1 upwards, time to the right. */
export function survivalPlot(curves: Readonly<Record<string, Point[]>>): string {
  const all = Object.values(curves).flat();
  const tMax = Math.max(...all.map((p) => p.time), 1);
  const grid = Array.from({ length: PLOT_HEIGHT + 1 }, () =>
    new Array<string>(PLOT_WIDTH + 1).fill(' '),
  );
  Object.values(curves).forEach((pts, k) => {
    const mark = MARKS[k % MARKS.length] ?? '*';
    let s = 1;
    let at = 0;
    for (let x = 0; x <= PLOT_WIDTH; x++) {
      const t = (x / PLOT_WIDTH) * tMax;
      while (at < pts.length && (pts[at]?.time ?? Infinity) <= t) s = pts[at++]?.survival ?? s;
      const y = PLOT_HEIGHT - Math.round(s * PLOT_HEIGHT);
      const row = grid[y];
      if (row !== undefined) row[x] = mark;
    }
  });
  const lines = grid.map((row, y) => {
    const label = y === 0 ? '1.0' : y === PLOT_HEIGHT ? '0.0' : y === PLOT_HEIGHT / 2 ? '0.5' : '';
    return `${label.padStart(4)} │${row.join('')}`;
  });
  const axis = `     └${'─'.repeat(PLOT_WIDTH + 1)}`;
  const ticks = `      0${formatNumber(tMax).padStart(PLOT_WIDTH)}`;
  const legend = Object.keys(curves)
    .map((name, k) => `${MARKS[k % MARKS.length] ?? '*'} ${name}`)
    .join('   ');
  return [...lines, axis, ticks, `      ${legend}`].join('\n') + '\n';
}

/** `kaplan-meier`: survival at each time point per curve, the plot, and the log-rank test. */
export function formatKaplanMeier(result: unknown, params: unknown): string | null {
  const curvesRaw = rec(result, 'curves');
  if (curvesRaw === undefined) return null;
  const curves: Record<string, Point[]> = {};
  for (const [name, c] of Object.entries(curvesRaw)) curves[name] = points(c);
  const names = Object.keys(curves);
  const times = [...new Set(Object.values(curves).flatMap((c) => c.map((p) => p.time)))].sort(
    (a, b) => a - b,
  );
  // At most ~12 rows in the table: every k-th time point.
  const step = Math.max(1, Math.ceil(times.length / 12));
  const shown = times.filter((_, i) => i % step === step - 1 || i === times.length - 1);
  const cell = (name: string, t: number): string => {
    const raw = arr(curvesRaw, name)
      ?.filter(isRecord)
      .find((p) => num(p, 'time') === t);
    if (raw === undefined) return '—';
    const lo = num(raw, 'lower');
    const hi = num(raw, 'upper');
    const band =
      lo === undefined || hi === undefined ? '' : ` [${lo.toFixed(3)}, ${hi.toFixed(3)}]`;
    return `${(num(raw, 'survival') ?? NaN).toFixed(3)}${band} n=${formatNumber(num(raw, 'atRisk'))}`;
  };
  const group = str(params, 'group');
  const label = (name: string): string => (group === undefined ? name : `${group} = ${name}`);
  const table = formatTable(
    ['time', ...names.map(label)],
    shown.map((t) => [formatNumber(t), ...names.map((n) => cell(n, t))]),
  );
  const lr = rec(result, 'logRank');
  const test =
    lr === undefined
      ? ''
      : `log-rank chi-square = ${formatNumber(num(lr, 'chiSquare'))}, df = ${formatNumber(num(lr, 'df'))}, ${pClause(num(lr, 'pValue'))}\n`;
  const medians = rec(result, 'median');
  const medianLine =
    medians === undefined
      ? ''
      : `median survival: ${Object.entries(medians)
          .map(([name, m]) => {
            const at = num(m, 'median');
            if (at === undefined) return `${label(name)} not reached`;
            const lo = num(m, 'lower');
            const hi = num(m, 'upper');
            return `${label(name)} ${formatNumber(at)} [${formatNumber(lo)}, ${formatNumber(hi)}]`;
          })
          .join('; ')}\n`;
  const head = `n = ${formatNumber(num(result, 'n'))}, events = ${formatNumber(num(result, 'events'))}\n`;
  const coarsened = rec(result, 'coarsened');
  const note =
    coarsened === undefined
      ? ''
      : `small cells carried to later time points at ${Object.keys(coarsened).join(', ')} (not exact there)\n`;
  const labelled = Object.fromEntries(Object.entries(curves).map(([k, v]) => [label(k), v]));
  return `${head}${table}${note}${medianLine}\n${survivalPlot(labelled)}${test}`;
}
