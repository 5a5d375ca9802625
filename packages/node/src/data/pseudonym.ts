import { createHmac } from 'node:crypto';

/**
 * The keyed pseudonym of an identifier: HMAC-SHA-256 with the node's secret pseudonym key, hex.
 * Stable at one node (the same patient links across datasets and, later, DICOM Patient IDs), and
 * not reversible or linkable across nodes without the key.
 */
export function pseudonym(key: Uint8Array, id: string): string {
  return createHmac('sha256', key).update(id.trim(), 'utf8').digest('hex');
}
