/*
 * Results come back from the hub as JSON; these readers look into them without trusting their
 * shape, so a formatter given an unexpected result returns null (the caller prints JSON) instead
 * of throwing.
 */

export type Json = Record<string, unknown>;

export function isRecord(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function rec(x: unknown, key: string): Json | undefined {
  if (!isRecord(x)) return undefined;
  const v = x[key];
  return isRecord(v) ? v : undefined;
}

export function num(x: unknown, key: string): number | undefined {
  if (!isRecord(x)) return undefined;
  const v = x[key];
  return typeof v === 'number' ? v : undefined;
}

export function arr(x: unknown, key: string): unknown[] | undefined {
  if (!isRecord(x)) return undefined;
  const v = x[key];
  return Array.isArray(v) ? v : undefined;
}

export function str(x: unknown, key: string): string | undefined {
  if (!isRecord(x)) return undefined;
  const v = x[key];
  return typeof v === 'string' ? v : undefined;
}

/** A p-value for humans: "< 1e-16" style below 1e-4, else 4 decimals. */
export function formatP(p: unknown): string {
  if (typeof p !== 'number') return '—';
  if (p < 1e-4)
    return p === 0 ? '< 1e-300' : `< ${(10 ** Math.ceil(Math.log10(p))).toExponential(0)}`;
  return p.toFixed(4);
}

/** A confidence interval "[lo, hi]" with the number formatter given. */
export function formatCi(ci: unknown, f: (x: unknown) => string): string {
  if (!Array.isArray(ci) || ci.length !== 2) return '—';
  return `[${f(ci[0])}, ${f(ci[1])}]`;
}

/** "p = 0.0319" or "p < 1e-11", for a sentence. */
export function pClause(p: unknown): string {
  const text = formatP(p);
  return text.startsWith('<') ? `p ${text}` : `p = ${text}`;
}
