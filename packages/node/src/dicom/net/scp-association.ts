/*
 * One association on the receiver's side (PS3.8 9.2 state machine, reduced to what an SCP of
 * Verification and Storage needs): negotiation, then DIMSE messages one at a time, then release
 * or abort. Incoming bytes are processed strictly in order; the socket is paused while a PDU is
 * handled (a file write waiting on backpressure, the store deciding), so memory stays bounded by
 * one TCP chunk plus one PDU whatever the instance size.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { StoreInstance } from '../contracts.js';
import { MessageHandler, type MessageContext } from './scp-messages.js';
import { negotiate, type AcceptancePolicy } from './negotiation.js';
import { ABORT_REASON, PduError, REJECT, type AssociateRq, type Pdu } from './pdu.js';
import { encodePdu } from './pdu-encode.js';
import { decodePdu } from './pdu-decode.js';
import { PduReader } from './pdu-reader.js';
import { DimseError } from './dimse.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../core/uid.js';

/** The receiver's settings every association reads. */
export interface ScpSettings {
  readonly policy: AcceptancePolicy;
  /** Maximum P-DATA-TF length announced to, and accepted from, the peer (PS3.8 D.1). */
  readonly maxPduLength: number;
  readonly maxInstanceBytes: number;
  readonly tmpDir: string;
  /** ARTIM (PS3.8 9.1.5): wait for the A-ASSOCIATE-RQ, and for the peer to close after release. */
  readonly artimMs: number;
  /** An established association with no incoming byte for this long is aborted. */
  readonly idleMs: number;
}

/** What an association needs from its server. */
export interface ScpDeps {
  readonly settings: ScpSettings;
  readonly logger: Logger;
  readonly onStore: StoreInstance;
  /** Takes one of the server's association slots; false when all are in use. */
  readonly acquireSlot: () => boolean;
  readonly releaseSlot: () => void;
}

type State = 'awaiting-rq' | 'established' | 'closing';

/** Serves one connection; `done` settles (never rejects) once it is closed and cleaned up. */
export class ScpAssociation {
  readonly done: Promise<void>;
  private readonly reader: PduReader;
  private readonly log: Logger;
  private readonly address: string;
  private state: State = 'awaiting-rq';
  private messages: MessageHandler | null = null;
  private slot = false;
  private closed = false;
  private busy: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private resolveDone!: () => void;

  constructor(
    private readonly socket: Socket,
    private readonly deps: ScpDeps,
    id: number,
  ) {
    this.address = `${socket.remoteAddress ?? '?'}:${String(socket.remotePort ?? 0)}`;
    this.log = deps.logger.child({ association: id, peer: this.address });
    this.reader = new PduReader({ pData: deps.settings.maxPduLength });
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    // Small PDUs (responses) must not wait for Nagle's algorithm behind the peer's delayed ACK.
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.onData(chunk);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      this.log.debug({ code: e.code }, 'association socket error');
    });
    socket.on('close', () => {
      void this.onClose();
    });
    this.arm(deps.settings.artimMs, 'no A-ASSOCIATE-RQ in time');
  }

  /** Ends the association at once with an A-ABORT (server shutting down). */
  abort(): void {
    this.sendAbort(ABORT_REASON.notSpecified);
    setTimeout(() => this.socket.destroy(), 200).unref();
  }

  private onData(chunk: Buffer): void {
    this.clearTimer();
    this.socket.pause();
    this.busy = this.consume(chunk).then(() => {
      if (this.closed || this.state === 'closing') return;
      this.socket.resume();
      if (this.state === 'established') this.arm(this.deps.settings.idleMs, 'idle timeout');
      else this.arm(this.deps.settings.artimMs, 'no A-ASSOCIATE-RQ in time');
    });
  }

  private async consume(chunk: Buffer): Promise<void> {
    this.reader.push(chunk);
    try {
      while (!this.closed && this.state !== 'closing') {
        const raw = this.reader.next();
        if (raw === undefined) return;
        await this.handle(decodePdu(raw.type, raw.body));
      }
    } catch (e) {
      if (e instanceof PduError || e instanceof DimseError) {
        this.log.warn({ problem: e.message }, 'protocol error, aborting association');
        this.sendAbort(e instanceof PduError ? e.reason : ABORT_REASON.invalidPduParameterValue);
      } else {
        this.log.error({ err: e }, 'association failed, aborting');
        this.sendAbort(ABORT_REASON.notSpecified);
      }
    }
  }

  private async handle(pdu: Pdu): Promise<void> {
    if (pdu.type === 'abort') {
      this.log.info({ source: pdu.source, reason: pdu.reason }, 'association aborted by peer');
      this.state = 'closing';
      this.socket.destroy();
      return;
    }
    if (this.state === 'awaiting-rq' && pdu.type === 'associate-rq') {
      this.onAssociate(pdu);
      return;
    }
    if (this.state === 'established' && this.messages !== null) {
      if (pdu.type === 'p-data') {
        for (const pdv of pdu.pdvs) await this.messages.onPdv(pdv);
        return;
      }
      if (pdu.type === 'release-rq') {
        if (this.messages.inProgress) this.log.warn('release requested mid-message; discarded');
        await this.messages.discard();
        this.log.info('association released');
        this.finish(encodePdu({ type: 'release-rp' }));
        return;
      }
    }
    throw new PduError(`unexpected ${pdu.type} PDU`, ABORT_REASON.unexpectedPdu);
  }

  private onAssociate(rq: AssociateRq): void {
    const who = { callingAe: rq.callingAe, calledAe: rq.calledAe };
    const decision = negotiate(rq, this.deps.settings.policy);
    if (decision.kind === 'reject') {
      this.log.warn({ ...who, reason: decision.why }, 'association rejected');
      this.finish(encodePdu({ type: 'associate-rj', ...decision }));
      return;
    }
    if (!this.deps.acquireSlot()) {
      this.log.warn({ ...who, reason: 'local limit exceeded' }, 'association rejected');
      this.finish(
        encodePdu({
          type: 'associate-rj',
          result: REJECT.transient,
          source: REJECT.sourcePresentation,
          reason: REJECT.localLimitExceeded,
        }),
      );
      return;
    }
    this.slot = true;
    this.state = 'established';
    const { settings } = this.deps;
    this.socket.write(
      encodePdu({
        type: 'associate-ac',
        calledAe: rq.calledAe,
        callingAe: rq.callingAe,
        applicationContext: rq.applicationContext,
        contexts: decision.results,
        user: {
          maxPduLength: settings.maxPduLength,
          implementationClassUid: IMPLEMENTATION_CLASS_UID,
          implementationVersionName: IMPLEMENTATION_VERSION_NAME,
        },
      }),
    );
    const ctx: MessageContext = {
      accepted: decision.accepted,
      peerMaxPdu: rq.user.maxPduLength,
      callingAe: rq.callingAe,
      address: this.address,
      maxInstanceBytes: settings.maxInstanceBytes,
      tmpDir: settings.tmpDir,
      onStore: this.deps.onStore,
      send: (bytes) => {
        if (!this.socket.destroyed) this.socket.write(bytes);
      },
      log: this.log,
    };
    this.messages = new MessageHandler(ctx);
    this.log.info(
      { ...who, contexts: rq.contexts.length, accepted: decision.accepted.size },
      'association accepted',
    );
  }

  /** Sends a last PDU, half-closes, and gives the peer ARTIM to close its end (PS3.8 9.2). */
  private finish(last: Buffer): void {
    this.state = 'closing';
    this.socket.end(last);
    this.arm(this.deps.settings.artimMs, 'peer did not close');
  }

  private sendAbort(reason: number): void {
    if (this.socket.destroyed || this.state === 'closing') return;
    this.finish(encodePdu({ type: 'abort', source: 2, reason }));
  }

  private arm(ms: number, why: string): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.log.warn({ reason: why }, 'association timed out');
      if (this.state === 'established') this.sendAbort(ABORT_REASON.notSpecified);
      else this.socket.destroy();
    }, ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async onClose(): Promise<void> {
    this.closed = true;
    this.clearTimer();
    await this.busy;
    await this.messages?.discard();
    if (this.slot) this.deps.releaseSlot();
    this.slot = false;
    this.log.debug('association closed');
    this.resolveDone();
  }
}
