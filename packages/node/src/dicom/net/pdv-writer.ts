/*
 * Splits a command set into P-DATA-TF PDUs that respect the peer's Maximum Length (PS3.8 D.1:
 * the limit applies to the PDU's variable field, i.e. every PDV item with its 6-byte header).
 */
import { encodePdu } from './pdu-encode.js';

/** The most value bytes one PDV may carry under the peer's maximum (0 = no limit). */
export function maxPdvValue(peerMaxPdu: number, fallback: number): number {
  return peerMaxPdu === 0 ? fallback : Math.max(peerMaxPdu - 6, 1);
}

/** The PDUs carrying `command` on `contextId`, last fragment flagged. */
export function fragmentCommand(contextId: number, command: Buffer, peerMaxPdu: number): Buffer[] {
  const step = maxPdvValue(peerMaxPdu, command.length || 1);
  const out: Buffer[] = [];
  for (let pos = 0; pos < command.length || out.length === 0; pos += step) {
    const value = command.subarray(pos, pos + step);
    const last = pos + step >= command.length;
    out.push(encodePdu({ type: 'p-data', pdvs: [{ contextId, command: true, last, value }] }));
  }
  return out;
}
