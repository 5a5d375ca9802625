/*
 * Fault injection for the end-to-end tests of dropout tolerance (issue 5), read once when the
 * node starts from `TESSERA_FAILPOINTS` (comma-separated). The only point today:
 *
 *   exit-after:sa-masked   the node exits (code 75) as soon as a secure sum's unmask phase reaches
 *                          it: its masked vector was taken by the hub (the hub issues unmask only
 *                          after the masked phase closed) and it answers nothing more, exactly a
 *                          node that stops right after sending its masked input.
 *
 * Unknown points are refused, so a typo never silently runs a normal node.
 */

export const FAILPOINTS = ['exit-after:sa-masked'] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

/** Exit code of a node stopped by a failpoint (EX_TEMPFAIL). */
export const FAILPOINT_EXIT_CODE = 75;

/**
 * The failpoints named in `value` (undefined or empty: none).
 * @throws Error naming an unknown failpoint.
 */
export function parseFailpoints(value: string | undefined): ReadonlySet<Failpoint> {
  const set = new Set<Failpoint>();
  for (const raw of (value ?? '').split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    const known = FAILPOINTS.find((f) => f === name);
    if (known === undefined)
      throw new Error(
        `TESSERA_FAILPOINTS: unknown failpoint ${name} (known: ${FAILPOINTS.join(', ')})`,
      );
    set.add(known);
  }
  return set;
}
