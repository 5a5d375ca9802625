/*
 * Frames PDUs out of a TCP byte stream that arrives in arbitrary chunks (PS3.8 9.3.1: a 6-byte
 * header, then `length` bytes). A PDU is handed out only once whole; its length is checked
 * against the caller's limit as soon as the header is in, so an absurd length costs nothing.
 */
import { ABORT_REASON, PDU_TYPE, PduError } from './pdu.js';

/** One framed PDU: its type and the bytes after its header. */
export interface RawPdu {
  readonly type: number;
  readonly body: Buffer;
}

/** Largest body accepted per PDU type; P-DATA-TF is bounded by the announced maximum. */
export interface PduLimits {
  /** A-ASSOCIATE-RQ/AC bodies (many presentation contexts); default 256 KiB. */
  readonly associate?: number;
  /** P-DATA-TF bodies: the Maximum Length this side announced (PS3.8 D.1). */
  readonly pData: number;
}

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(PDU_TYPE));

/** A streaming PDU framer: push chunks in, take whole PDUs out. */
export class PduReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly limits: PduLimits) {}

  /** Bytes received but not yet handed out. */
  get pending(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next whole PDU, or undefined until more bytes arrive.
   * @throws PduError for an unknown PDU type or a length over the limit (answer with A-ABORT).
   */
  next(): RawPdu | undefined {
    if (this.buffered < 6) return undefined;
    const head = this.peek(6);
    const type = head[0] ?? 0;
    const length = head.readUInt32BE(2);
    if (!KNOWN_TYPES.has(type)) {
      throw new PduError(
        `unrecognized PDU type 0x${type.toString(16)}`,
        ABORT_REASON.unrecognizedPdu,
      );
    }
    const limit = this.limitFor(type);
    if (length > limit) {
      throw new PduError(
        `PDU type 0x${type.toString(16)} declares ${length} bytes, more than the ${limit} accepted`,
        ABORT_REASON.invalidPduParameterValue,
      );
    }
    if (this.buffered < 6 + length) return undefined;
    this.take(6);
    return { type, body: this.take(length) };
  }

  private limitFor(type: number): number {
    if (type === PDU_TYPE.pData) return this.limits.pData;
    if (type === PDU_TYPE.associateRq || type === PDU_TYPE.associateAc) {
      return this.limits.associate ?? 256 * 1024;
    }
    return 4; // A-ASSOCIATE-RJ, A-RELEASE-RQ/RP and A-ABORT are fixed at 4 bytes
  }

  /** The first `n` buffered bytes, without consuming them. */
  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    return Buffer.concat(this.chunks, n);
  }

  /** Consumes `n` buffered bytes; a view, not a copy, when they sit in one chunk. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      if (c === undefined) throw new Error('PduReader invariant: fewer bytes than counted');
      const k = Math.min(c.length, n - filled);
      c.copy(out, filled, 0, k);
      filled += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}
