import { isTesseraError } from '@tessera/protocol';

/**
 * The one line a failing command prints after `tessera: ` (DESIGN "Public contract": one-line
 * reason on stderr). Tessera errors show their message (and the hub's listed issues); other errors
 * show their message only; newlines are folded so the reason stays on one line.
 */
export function failureLine(e: unknown): string {
  let text: string;
  if (isTesseraError(e)) {
    text = e.message + issuesSuffix(e.details);
  } else if (e instanceof Error) {
    text = e.message !== '' ? e.message : e.name;
  } else {
    text = String(e);
  }
  return text.trim().replace(/\s*\r?\n\s*/g, '; ');
}

// The hub lists zod issues in details.issues; showing them spares a second round trip.
function issuesSuffix(details: Record<string, unknown> | undefined): string {
  const issues = details?.['issues'];
  if (!Array.isArray(issues) || issues.length === 0) return '';
  const parts = issues.slice(0, 5).map((i: unknown) => {
    if (typeof i === 'string') return i;
    if (typeof i === 'object' && i !== null) {
      const rec = i as Record<string, unknown>;
      const path = Array.isArray(rec['path']) ? rec['path'].map(String).join('.') : '';
      const msg = typeof rec['message'] === 'string' ? rec['message'] : JSON.stringify(i);
      return path === '' ? msg : `${path}: ${msg}`;
    }
    return String(i);
  });
  return ` (${parts.join('; ')})`;
}
