/*
 * One association on the requester's side (PS3.8 9.2, PS3.7 9.3): connect over TCP or DICOM TLS,
 * negotiate, exchange DIMSE messages one at a time, release. Used by `sendInstances` and `echo`.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { TesseraError } from '@tessera/protocol';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../core/uid.js';
import { decodeCommand, MAX_COMMAND_BYTES, type DimseCommand } from './dimse.js';
import type { AcceptedContext } from './negotiation.js';
import {
  ABORT_REASON,
  PC_RESULT,
  PduError,
  type ContextResult,
  type Pdu,
  type ProposedContext,
} from './pdu.js';
import { encodePdu } from './pdu-encode.js';
import { decodePdu } from './pdu-decode.js';
import { PduReader } from './pdu-reader.js';
import { APPLICATION_CONTEXT } from './uids.js';

/** DICOM TLS for the sender: `ca` to verify the receiver, `key`/`cert` for mutual TLS. */
export interface ScuTls {
  readonly ca?: string | Buffer;
  readonly key?: string | Buffer;
  readonly cert?: string | Buffer;
  /** Name checked against the receiver's certificate; default `host`. */
  readonly servername?: string;
}

/** Where and as whom to associate. */
export interface ScuOptions {
  readonly host: string;
  readonly port: number;
  readonly calledAe: string;
  readonly callingAe: string;
  readonly tls?: ScuTls;
  /** Largest P-DATA-TF sent; the receiver's announced maximum caps it too. Default 1 MiB. */
  readonly maxPdu?: number;
  /** Connect, negotiation and each response; default 30 s. */
  readonly timeoutMs?: number;
}

type Event =
  | { kind: 'pdu'; pdu: Exclude<Pdu, { type: 'p-data' }> }
  | { kind: 'command'; contextId: number; command: DimseCommand };

/** Largest P-DATA-TF the sender accepts: responses are small command sets. */
const RECEIVE_MAX_PDU = 64 * 1024;

/** An established association, from the requester's side. */
export class ScuAssociation {
  private readonly reader = new PduReader({ pData: RECEIVE_MAX_PDU });
  private readonly events: Event[] = [];
  private waiter: ((e: Event | Error) => void) | null = null;
  private failure: Error | null = null;
  private command: Buffer[] = [];
  private commandBytes = 0;
  private messageId = 0;
  /** Accepted contexts by ID, and every result as the receiver gave it. */
  accepted = new Map<number, AcceptedContext>();
  results: readonly ContextResult[] = [];
  peerMaxPdu = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.setNoDelay(true); // a command PDU must not wait behind the peer's delayed ACK
    socket.on('data', (chunk: Buffer) => {
      this.onData(chunk);
    });
    socket.on('error', (e) => {
      this.fail(new TesseraError('UNAVAILABLE', `DICOM connection failed: ${e.message}`));
    });
    socket.on('close', () => {
      this.fail(new TesseraError('UNAVAILABLE', 'the DICOM peer closed the connection'));
    });
  }

  /**
   * Connects and negotiates `contexts`.
   * @throws TesseraError UNAVAILABLE when the peer cannot be reached or rejects transiently,
   *   FORBIDDEN when it rejects permanently (AE titles), TIMEOUT when it does not answer.
   */
  static async open(o: ScuOptions, contexts: ProposedContext[]): Promise<ScuAssociation> {
    const timeoutMs = o.timeoutMs ?? 30_000;
    const socket = await connectSocket(o, timeoutMs);
    const a = new ScuAssociation(socket, timeoutMs);
    try {
      await a.negotiate(o, contexts);
      return a;
    } catch (e) {
      socket.destroy();
      throw e;
    }
  }

  private async negotiate(o: ScuOptions, contexts: ProposedContext[]): Promise<void> {
    await this.write(
      encodePdu({
        type: 'associate-rq',
        protocolVersion: 1,
        calledAe: o.calledAe,
        callingAe: o.callingAe,
        applicationContext: APPLICATION_CONTEXT,
        contexts,
        user: {
          maxPduLength: RECEIVE_MAX_PDU,
          implementationClassUid: IMPLEMENTATION_CLASS_UID,
          implementationVersionName: IMPLEMENTATION_VERSION_NAME,
        },
      }),
    );
    const reply = await this.nextPdu();
    if (reply.type === 'associate-rj') {
      const transient = reply.result === 2;
      throw new TesseraError(
        transient ? 'UNAVAILABLE' : 'FORBIDDEN',
        `association rejected by ${o.calledAe} (${rejectText(reply.source, reply.reason)})`,
        { details: { result: reply.result, source: reply.source, reason: reply.reason } },
      );
    }
    if (reply.type !== 'associate-ac') throw this.protocolError(`unexpected ${reply.type}`);
    this.results = reply.contexts;
    this.peerMaxPdu = reply.user.maxPduLength;
    for (const r of reply.contexts) {
      const proposed = contexts.find((c) => c.id === r.id);
      if (r.result === PC_RESULT.acceptance && proposed !== undefined) {
        this.accepted.set(r.id, {
          abstractSyntax: proposed.abstractSyntax,
          transferSyntax: r.transferSyntax,
        });
      }
    }
  }

  /** A fresh Message ID (PS3.7 E.1: unique among this association's outstanding requests). */
  nextMessageId(): number {
    this.messageId = (this.messageId % 0xffff) + 1;
    return this.messageId;
  }

  /** Writes bytes, waiting while the socket's buffer is full. */
  async write(bytes: Buffer): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (this.socket.write(bytes)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        if (this.failure !== null) reject(this.failure);
        else resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** The next response command set. */
  async receiveCommand(): Promise<{ contextId: number; command: DimseCommand }> {
    const e = await this.next();
    if (e.kind === 'command') return e;
    throw this.protocolError(`unexpected ${e.pdu.type} while waiting for a response`);
  }

  /** A-RELEASE-RQ, then waits for the A-RELEASE-RP and closes. */
  async release(): Promise<void> {
    await this.write(encodePdu({ type: 'release-rq' }));
    const reply = await this.nextPdu();
    this.socket.destroy();
    if (reply.type !== 'release-rp') throw this.protocolError(`unexpected ${reply.type}`);
  }

  /** A-ABORT and close, for when the sender gives up. */
  abort(): void {
    if (!this.socket.destroyed) {
      this.socket.end(encodePdu({ type: 'abort', source: 0, reason: 0 }));
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
  }

  private async nextPdu(): Promise<Exclude<Pdu, { type: 'p-data' }>> {
    const e = await this.next();
    if (e.kind === 'pdu') return e.pdu;
    throw this.protocolError('unexpected P-DATA-TF');
  }

  private next(): Promise<Event> {
    const e = this.events.shift();
    if (e !== undefined) return Promise.resolve(e);
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        this.abort();
        reject(
          new TesseraError('TIMEOUT', `no answer from the DICOM peer in ${this.timeoutMs} ms`),
        );
      }, this.timeoutMs);
      this.waiter = (x) => {
        clearTimeout(timer);
        this.waiter = null;
        if (x instanceof Error) reject(x);
        else resolve(x);
      };
    });
  }

  private push(e: Event): void {
    if (this.waiter !== null) this.waiter(e);
    else this.events.push(e);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.waiter?.(this.failure);
  }

  private protocolError(what: string): TesseraError {
    this.abort();
    return new TesseraError('UNAVAILABLE', `DICOM protocol error from the peer: ${what}`);
  }

  private onData(chunk: Buffer): void {
    this.reader.push(chunk);
    try {
      for (let raw = this.reader.next(); raw !== undefined; raw = this.reader.next()) {
        const pdu = decodePdu(raw.type, raw.body);
        if (pdu.type === 'p-data') this.onPData(pdu.pdvs);
        else if (pdu.type === 'abort') {
          this.fail(new TesseraError('UNAVAILABLE', 'the DICOM peer aborted the association'));
          this.socket.destroy();
        } else this.push({ kind: 'pdu', pdu });
      }
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.socket.end(
        encodePdu({
          type: 'abort',
          source: 2,
          reason: e instanceof PduError ? e.reason : ABORT_REASON.notSpecified,
        }),
      );
      this.fail(new TesseraError('UNAVAILABLE', `DICOM protocol error from the peer: ${msg}`));
    }
  }

  private onPData(pdvs: Extract<Pdu, { type: 'p-data' }>['pdvs']): void {
    for (const pdv of pdvs) {
      if (!pdv.command) throw new PduError('a data set where only responses were expected');
      this.command.push(Buffer.from(pdv.value));
      this.commandBytes += pdv.value.length;
      if (this.commandBytes > MAX_COMMAND_BYTES) throw new PduError('response command too long');
      if (pdv.last) {
        const command = decodeCommand(Buffer.concat(this.command));
        this.command = [];
        this.commandBytes = 0;
        this.push({ kind: 'command', contextId: pdv.contextId, command });
      }
    }
  }
}

function connectSocket(o: ScuOptions, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const t = o.tls;
    const socket =
      t === undefined
        ? tcpConnect({ host: o.host, port: o.port })
        : tlsConnect({
            host: o.host,
            port: o.port,
            minVersion: 'TLSv1.2',
            ...(t.ca === undefined ? {} : { ca: t.ca }),
            ...(t.key === undefined ? {} : { key: t.key }),
            ...(t.cert === undefined ? {} : { cert: t.cert }),
            ...(t.servername === undefined ? {} : { servername: t.servername }),
          });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new TesseraError('TIMEOUT', `no connection to ${o.host}:${o.port} in ${timeoutMs} ms`),
      );
    }, timeoutMs);
    socket.once(t === undefined ? 'connect' : 'secureConnect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (e: Error) => {
      clearTimeout(timer);
      reject(new TesseraError('UNAVAILABLE', `cannot reach ${o.host}:${o.port}: ${e.message}`));
    });
  });
}

function rejectText(source: number, reason: number): string {
  if (source === 1 && reason === 3) return 'calling AE title not recognized';
  if (source === 1 && reason === 7) return 'called AE title not recognized';
  if (source === 1 && reason === 2) return 'application context not supported';
  if (source === 3 && reason === 2) return 'local limit exceeded';
  if (source === 3 && reason === 1) return 'temporary congestion';
  return `source ${source}, reason ${reason}`;
}
