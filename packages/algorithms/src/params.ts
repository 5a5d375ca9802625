import { variableNameSchema } from '@tessera/protocol';
import { z } from 'zod';

/** Names that would collide with object prototype machinery when used as result keys. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** False for a name reserved by JavaScript objects: results are keyed by variable name. */
export const isUnreservedName = (name: string): boolean => !RESERVED.has(name);

/** A variable named in an algorithm's params: a protocol variable name that is not reserved. */
export const variableName = variableNameSchema.refine(isUnreservedName, 'a reserved name');

/**
 * A list of `min` to `max` distinct variable names, each checked by `item`; `what` names the list
 * in the message when a name repeats ("variables must be unique").
 */
export function variableList(
  min: number,
  max: number,
  what: string,
  item: z.ZodType<string> = variableName,
) {
  return z
    .array(item)
    .min(min)
    .max(max)
    .refine((vs) => new Set(vs).size === vs.length, `${what} must be unique`);
}
