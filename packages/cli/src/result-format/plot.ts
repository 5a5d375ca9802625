import { formatNumber } from '../output.js';

/*
 * A text plot of two curves over the same x values, each on its own vertical scale (left and
 * right axis), as survival.ts draws survival curves: a character grid, one mark per column.
 */

/** One curve: its points in x order, the scale of its axis and how its tick labels read. */
export interface AxisSeries {
  readonly name: string;
  readonly mark: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  readonly min: number;
  readonly max: number;
  readonly label: (y: number) => string;
}

export interface DualPlotOptions {
  readonly left: AxisSeries;
  readonly right: AxisSeries;
  readonly xName: string;
  readonly width?: number;
  readonly height?: number;
}

/** y at `x` on the polyline through `points` (sorted by x), or undefined outside it. */
export function interpolate(
  points: readonly { readonly x: number; readonly y: number }[],
  x: number,
): number | undefined {
  const first = points[0];
  if (first === undefined) return undefined;
  if (points.length === 1) return x === first.x ? first.y : undefined;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (a === undefined || b === undefined) continue;
    if (x >= a.x && x <= b.x)
      return b.x === a.x ? b.y : a.y + ((x - a.x) / (b.x - a.x)) * (b.y - a.y);
  }
  return undefined;
}

/**
 * Two curves on one grid, the left series against the left axis and the right against the
 * right: `height` rows, `width` columns spanning the smallest to the largest x of either.
 */
export function dualAxisPlot(o: DualPlotOptions): string {
  const width = o.width ?? 60;
  const height = o.height ?? 12;
  const xs = [...o.left.points, ...o.right.points].map((p) => p.x);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const grid = Array.from({ length: height + 1 }, () => new Array<string>(width + 1).fill(' '));
  for (const s of [o.left, o.right]) {
    const span = s.max - s.min || 1;
    for (let col = 0; col <= width; col++) {
      const x = xMax === xMin ? xMin : xMin + (col / width) * (xMax - xMin);
      const y = interpolate(s.points, x);
      if (y === undefined || !Number.isFinite(y)) continue;
      const clamped = Math.min(1, Math.max(0, (y - s.min) / span));
      const row = grid[height - Math.round(clamped * height)];
      if (row !== undefined) row[col] = s.mark;
    }
  }
  const tick = (s: AxisSeries, y: number): string => {
    if (y === 0) return s.label(s.max);
    if (y === height) return s.label(s.min);
    if (y === height / 2) return s.label((s.min + s.max) / 2);
    return '';
  };
  const lw = Math.max(...[0, height / 2, height].map((y) => tick(o.left, y).length), 4);
  const lines = grid.map(
    (row, y) => `${tick(o.left, y).padStart(lw)} │${row.join('')}│ ${tick(o.right, y)}`,
  );
  const pad = ' '.repeat(lw);
  const axis = `${pad} └${'─'.repeat(width + 1)}┘`;
  const lo = formatNumber(xMin);
  const hi = formatNumber(xMax);
  const ticks = `${pad}  ${lo}${hi.padStart(width + 1 - lo.length)}  ${o.xName}`;
  const legend = `${pad}  ${o.left.mark} ${o.left.name} (left)   ${o.right.mark} ${o.right.name} (right)`;
  return [...lines, axis, ticks, legend].join('\n') + '\n';
}

/**
 * Axis bounds around [min, max] on a round step (1, 2 or 5 times a power of ten)
 * chosen for about four steps, so a curve that moves little still fills the plot.
 */
export function niceRange(min: number, max: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const span = max - min;
  if (span <= 0) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.05 : 0.5;
    return [min - pad, max + pad];
  }
  const raw = span / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * p >= raw) ?? 10) * p;
  const round = (x: number): number => Number(x.toPrecision(12));
  // 0.6 / 0.1 is 5.999…: a hair of slack keeps values on a step from moving to the next one.
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  return [round(lo), round(hi)];
}
