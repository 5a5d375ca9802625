/*
 * DIMSE messages on an established association, as the receiver sees them (PS3.7 9.3, PS3.8
 * Annex E): command fragments are gathered and decoded, data fragments of a C-STORE go straight
 * to a temporary file, and each request gets its response. One message at a time: Tessera does
 * not negotiate asynchronous operations, so the peer waits for each response (PS3.7 D.3.3.3).
 */
import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { ReceivedInstance, StoreInstance, StoreOutcome } from '../contracts.js';
import { isValidUid } from '../core/uid.js';
import {
  COMMAND_FIELD,
  decodeCommand,
  encodeCommand,
  hasDataSet,
  MAX_COMMAND_BYTES,
  NET_STATUS,
  NO_DATA_SET,
  type DimseCommand,
} from './dimse.js';
import { InstanceSink, type SinkFailure } from './instance-sink.js';
import type { AcceptedContext } from './negotiation.js';
import { ABORT_REASON, PduError, type Pdv } from './pdu.js';
import { fragmentCommand } from './pdv-writer.js';
import { VERIFICATION_SOP_CLASS } from './uids.js';

/** What the handler needs from its association. */
export interface MessageContext {
  readonly accepted: ReadonlyMap<number, AcceptedContext>;
  /** The peer's maximum P-DATA-TF length; 0 means no limit. */
  readonly peerMaxPdu: number;
  readonly callingAe: string;
  readonly address: string;
  readonly maxInstanceBytes: number;
  readonly tmpDir: string;
  readonly onStore: StoreInstance;
  readonly send: (bytes: Buffer) => void;
  readonly log: Logger;
}

type Incoming =
  | { phase: 'command'; contextId: number; parts: Buffer[]; size: number }
  | {
      phase: 'data';
      contextId: number;
      command: DimseCommand;
      /** Where a C-STORE's data set goes; null when the data set is read and dropped. */
      sink: InstanceSink | null;
      /** The answer when there is no sink. */
      refusal: SinkFailure;
    };

/** Assembles and answers the DIMSE messages of one association. */
export class MessageHandler {
  private current: Incoming | null = null;

  constructor(private readonly ctx: MessageContext) {}

  /** Whether a message is partly received. */
  get inProgress(): boolean {
    return this.current !== null;
  }

  /**
   * Takes one PDV.
   * @throws PduError for a PDV that breaks the message structure (the association aborts).
   * @throws DimseError for a command set that cannot be decoded.
   */
  async onPdv(pdv: Pdv): Promise<void> {
    const pc = this.ctx.accepted.get(pdv.contextId);
    if (pc === undefined) {
      throw new PduError(
        `PDV on presentation context ${pdv.contextId}, which was not accepted`,
        ABORT_REASON.unexpectedPduParameter,
      );
    }
    const m = this.current;
    if (m !== null && m.contextId !== pdv.contextId) {
      throw new PduError(
        `PDV on presentation context ${pdv.contextId} in a message on context ${m.contextId}`,
      );
    }
    if (pdv.command) {
      if (m?.phase === 'data') throw new PduError('command fragment inside a data set');
      const cm = m ?? { phase: 'command', contextId: pdv.contextId, parts: [], size: 0 };
      this.current = cm;
      cm.parts.push(pdv.value);
      cm.size += pdv.value.length;
      if (cm.size > MAX_COMMAND_BYTES) throw new PduError('command set longer than 64 KiB');
      if (pdv.last) this.onCommand(pdv.contextId, pc, decodeCommand(Buffer.concat(cm.parts)));
      return;
    }
    if (m?.phase !== 'data') throw new PduError('data fragment without a command announcing it');
    if (m.sink !== null) await m.sink.write(pdv.value);
    if (pdv.last) {
      this.current = null;
      await this.complete(m, pc);
    }
  }

  /** Drops a partly received message and its temporary file. */
  async discard(): Promise<void> {
    const m = this.current;
    this.current = null;
    if (m?.phase === 'data' && m.sink !== null) await m.sink.discard();
  }

  private onCommand(contextId: number, pc: AcceptedContext, c: DimseCommand): void {
    if (hasDataSet(c)) {
      const refusal = this.refusalOf(c, pc);
      const sink =
        refusal === undefined ? new InstanceSink(this.ctx.tmpDir, this.ctx.maxInstanceBytes) : null;
      this.current = {
        phase: 'data',
        contextId,
        command: c,
        sink,
        refusal: refusal ?? { status: NET_STATUS.success, comment: '' },
      };
      return;
    }
    this.current = null;
    if ((c.commandField & 0x8000) !== 0 || c.commandField === COMMAND_FIELD.cCancelRq) {
      // A response or C-CANCEL: nothing of ours is outstanding, so nothing to answer (PS3.7 9.3.2.3).
      this.ctx.log.debug({ commandField: c.commandField }, 'ignored command');
      return;
    }
    if (c.commandField === COMMAND_FIELD.cEchoRq) {
      const ok = pc.abstractSyntax === VERIFICATION_SOP_CLASS;
      this.respond(contextId, c, ok ? NET_STATUS.success : NET_STATUS.sopClassNotSupported);
      return;
    }
    const refusal = this.refusalOf(c, pc) ?? {
      status: NET_STATUS.cannotUnderstand,
      comment: 'C-STORE-RQ without a data set',
    };
    this.respond(contextId, c, refusal.status, refusal.comment);
  }

  /** Why a request carrying a data set will not be stored, or undefined to store it. */
  private refusalOf(c: DimseCommand, pc: AcceptedContext): SinkFailure | undefined {
    if (c.commandField !== COMMAND_FIELD.cStoreRq) {
      return { status: NET_STATUS.unrecognizedOperation, comment: 'operation not supported' };
    }
    if (
      pc.abstractSyntax === VERIFICATION_SOP_CLASS ||
      c.affectedSopClassUid !== pc.abstractSyntax
    ) {
      return {
        status: NET_STATUS.sopClassNotSupported,
        comment: 'SOP class differs from the presentation context',
      };
    }
    if (c.affectedSopInstanceUid === undefined || !isValidUid(c.affectedSopInstanceUid)) {
      return { status: NET_STATUS.cannotUnderstand, comment: 'invalid Affected SOP Instance UID' };
    }
    return undefined;
  }

  private async complete(
    m: Extract<Incoming, { phase: 'data' }>,
    pc: AcceptedContext,
  ): Promise<void> {
    if (m.sink === null) {
      this.respond(m.contextId, m.command, m.refusal.status, m.refusal.comment);
      return;
    }
    const bytes = m.sink.bytes;
    const file = await m.sink.finish();
    if (file === undefined) {
      const f = m.sink.failure ?? { status: NET_STATUS.outOfResources, comment: '' };
      this.ctx.log.warn({ bytes, status: f.status, problem: f.comment }, 'instance not kept');
      this.respond(m.contextId, m.command, f.status, f.comment);
      return;
    }
    const outcome = await this.store({
      file,
      bytes,
      sopClassUid: pc.abstractSyntax,
      sopInstanceUid: m.command.affectedSopInstanceUid ?? '',
      transferSyntax: pc.transferSyntax,
      source: { kind: 'c-store', callingAe: this.ctx.callingAe, address: this.ctx.address },
    });
    this.ctx.log.debug(
      { bytes, status: outcome.status, result: outcome.result },
      'instance received',
    );
    this.respond(m.contextId, m.command, outcome.status, outcome.comment);
  }

  /** Calls the store; a store that breaks its contract by throwing answers "out of resources". */
  private async store(r: ReceivedInstance): Promise<StoreOutcome> {
    try {
      return await this.ctx.onStore(r);
    } catch (e) {
      // Only the error's class: its message might quote a value from the dataset.
      this.ctx.log.error({ error: e instanceof Error ? e.name : typeof e }, 'onStore threw');
      await rm(r.file, { force: true });
      return { status: NET_STATUS.outOfResources, comment: 'store failed', result: 'quarantined' };
    }
  }

  private respond(contextId: number, rq: DimseCommand, status: number, comment?: string): void {
    const command = encodeCommand({
      commandField: rq.commandField | 0x8000,
      messageIdBeingRespondedTo: rq.messageId ?? 0,
      dataSetType: NO_DATA_SET,
      status,
      ...(rq.affectedSopClassUid === undefined
        ? {}
        : { affectedSopClassUid: rq.affectedSopClassUid }),
      ...(rq.affectedSopInstanceUid === undefined
        ? {}
        : { affectedSopInstanceUid: rq.affectedSopInstanceUid }),
      ...(comment === undefined || status === NET_STATUS.success ? {} : { errorComment: comment }),
    });
    for (const pdu of fragmentCommand(contextId, command, this.ctx.peerMaxPdu)) this.ctx.send(pdu);
  }
}
