/*
 * A histogram in one line of block characters, for counts that span orders of magnitude (pixels
 * per bin of modality values: air and soft tissue dwarf bone), so the heights are on a log scale.
 */

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** What a bin shows: nothing for 0, `·` for a suppressed (null) bin. */
export const SPARK_EMPTY = ' ';
export const SPARK_SUPPRESSED = '·';

/**
 * Adjacent bins summed into at most `width` columns (a column is null when any of its bins is);
 * the bins are returned as they are when they already fit.
 */
export function mergeBins(counts: readonly (number | null)[], width: number): (number | null)[] {
  if (counts.length <= width) return [...counts];
  const per = Math.ceil(counts.length / width);
  const out: (number | null)[] = [];
  for (let i = 0; i < counts.length; i += per) {
    let sum: number | null = 0;
    for (const c of counts.slice(i, i + per)) sum = sum === null || c === null ? null : sum + c;
    out.push(sum);
  }
  return out;
}

/**
 * One character per column: `▁`…`█` by log(1 + count) relative to the largest column (any
 * non-zero count shows at least `▁`), a space for 0, `·` for a suppressed bin.
 */
export function sparkline(counts: readonly (number | null)[], width = 48): string {
  const cols = mergeBins(counts, width);
  const top = Math.log1p(Math.max(0, ...cols.map((c) => c ?? 0)));
  return cols
    .map((c) => {
      if (c === null) return SPARK_SUPPRESSED;
      if (c <= 0 || top === 0) return SPARK_EMPTY;
      const level = Math.ceil((BLOCKS.length * Math.log1p(c)) / top) - 1;
      return BLOCKS[Math.min(BLOCKS.length - 1, Math.max(0, level))] ?? '█';
    })
    .join('');
}
