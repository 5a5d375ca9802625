import { TesseraError } from '@tessera/protocol';
import type { Command } from 'commander';
import { z } from 'zod';

/**
 * Parses a command's options with a zod schema, so every action gets typed values and a bad
 * value is reported naming its option.
 * @throws TesseraError BAD_REQUEST naming the first bad option.
 */
export function optionsOf<S extends z.ZodType>(cmd: Command, schema: S): z.infer<S> {
  const r = schema.safeParse(cmd.opts());
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const key = issue?.path[0];
  const name = typeof key === 'string' ? `--${kebab(key)}` : 'an option';
  throw new TesseraError('BAD_REQUEST', `${name}: ${issue?.message ?? 'invalid'}`);
}

function kebab(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** An integer option given as text. */
export const intText = (min: number, max: number): z.ZodType<number> =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** A TCP port option (0 picks a free one). */
export const portText = intText(0, 65535);

/** A comma-separated list option: `a,b` → ['a', 'b'], blanks dropped. */
export const listText = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== ''),
);

/** `--json` */
export const jsonFlag = z.boolean().default(false);
