import { z } from 'zod';

export const idSchema = z.uuid();
export const isoDateSchema = z.iso.datetime({ offset: true });
/** A name of a trust, project or dataset: what operators type; safe in paths and logs. */
export const nameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash or underscore');
export const traceIdSchema = z.string().regex(/^[0-9a-f]{32}$/, 'a 128-bit hex trace id');
/** Variable (column) names in datasets. */
export const variableNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z_][A-Za-z0-9_.]*$/,
    'a variable name: letter or underscore, then letters, digits, _ or .',
  );

export const trustRefSchema = z.object({ id: idSchema, name: nameSchema });
export type TrustRef = z.infer<typeof trustRefSchema>;
export const projectRefSchema = z.object({ id: idSchema, name: nameSchema });
export type ProjectRef = z.infer<typeof projectRefSchema>;

export const HEADER_TRACE_ID = 'x-trace-id';
