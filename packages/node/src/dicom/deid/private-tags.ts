/*
 * Private attributes (PS3.5 7.8): removed by the Basic Profile (PS3.15 E.1-1, "Private
 * Attributes", X) unless the operator allow-lists them by private creator and element byte,
 * which is how a private attribute is named independently of the block it lands in.
 */
import type { DicomDataset, Tag } from '../core/types.js';
import { decodeText } from '../core/values.js';

/** One allowed private attribute: its Private Creator value and the low byte of its element. */
export interface PrivateAllowance {
  readonly creator: string;
  readonly element: number;
}

/**
 * Which private tags of one dataset (not its items: each item has its own creators) to keep:
 * an allow-listed data element, and the creator element of a block that keeps one.
 */
export function keptPrivateTags(
  ds: DicomDataset,
  allowed: readonly PrivateAllowance[],
): ReadonlySet<Tag> {
  const kept = new Set<Tag>();
  if (allowed.length === 0) return kept;
  const wanted = new Set(allowed.map((a) => `${a.creator.trim()}\u0000${String(a.element)}`));
  for (const tag of ds.keys()) {
    const group = tag >>> 16;
    const element = tag & 0xffff;
    if (group % 2 === 0 || element < 0x1000) continue;
    const creatorTag = ((group << 16) | (element >>> 8)) >>> 0;
    const creatorEl = ds.get(creatorTag);
    if (creatorEl?.value === undefined) continue;
    const creator = decodeText(creatorEl.value, 'LO')
      .replace(/[\0 ]+$/, '')
      .trim();
    if (wanted.has(`${creator}\u0000${String(element & 0xff)}`)) {
      kept.add(tag);
      kept.add(creatorTag);
    }
  }
  return kept;
}
