/**
 * Which cells to suppress when a cell's disclosure unit is the set of patients behind it (a group
 * of series, a bin of pixels), DESIGN "Disclosure control at the node".
 *
 * Primary: every cell with 1 to minCount − 1 patients. Secondary, as summary's
 * suppressSmallCells does for row counts: while exactly one cell is hidden, or the hidden cells
 * together hold fewer than minCount distinct patients, the released non-empty cell with the
 * fewest patients is hidden too (ties: the lower index). Otherwise a released total minus the
 * released cells would give back what one small set of patients contributed. Empty cells (no
 * patient) are released as zeros, never hidden.
 *
 * @param members the distinct patient codes of each cell.
 * @returns the indexes of the hidden cells.
 */
export function cellsToSuppress(
  members: readonly ReadonlySet<number>[],
  minCount: number,
): Set<number> {
  const hidden = new Set<number>();
  members.forEach((m, i) => {
    if (m.size > 0 && m.size < minCount) hidden.add(i);
  });
  const hiddenPatients = (): number => {
    const union = new Set<number>();
    for (const i of hidden) for (const p of members[i] ?? []) union.add(p);
    return union.size;
  };
  while (hidden.size > 0 && (hidden.size === 1 || hiddenPatients() < minCount)) {
    let next = -1;
    members.forEach((m, i) => {
      if (m.size === 0 || hidden.has(i)) return;
      if (next < 0 || m.size < (members[next]?.size ?? 0)) next = i;
    });
    if (next < 0) break;
    hidden.add(next);
  }
  return hidden;
}
