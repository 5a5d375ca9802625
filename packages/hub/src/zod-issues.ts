import type { z } from 'zod';

/** Zod issues as `{ path, message }` with dotted paths, for BAD_REQUEST details. */
export function zodIssues(e: z.ZodError): { path: string; message: string }[] {
  return e.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}
