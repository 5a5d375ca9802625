/*
 * The receiver's answer to an A-ASSOCIATE-RQ (PS3.8 7.1.1, 9.3.3–9.3.4), as a pure function:
 * who may associate, and which presentation contexts are accepted with which transfer syntax.
 */
import type { AssociateRq, ContextResult } from './pdu.js';
import { PC_RESULT, REJECT } from './pdu.js';
import {
  APPLICATION_CONTEXT,
  chooseTransferSyntax,
  isAcceptedAbstractSyntax,
  NATIVE_TRANSFER_SYNTAXES,
} from './uids.js';

/** Who may associate with the receiver. */
export interface AcceptancePolicy {
  /** The receiver's own AE title; the Called AE must equal it (spaces trimmed, case kept). */
  readonly aeTitle: string;
  /** Calling AE titles allowed to associate; empty refuses everyone (deny by default). */
  readonly allow: ReadonlySet<string>;
}

/** One accepted presentation context. */
export interface AcceptedContext {
  readonly abstractSyntax: string;
  readonly transferSyntax: string;
}

export type Negotiation =
  | {
      readonly kind: 'reject';
      readonly result: number;
      readonly source: number;
      readonly reason: number;
      /** For the log: why, without any dataset value. */
      readonly why: string;
    }
  | {
      readonly kind: 'accept';
      /** One result per proposed context, in the order proposed. */
      readonly results: readonly ContextResult[];
      readonly accepted: ReadonlyMap<number, AcceptedContext>;
    };

function reject(result: number, source: number, reason: number, why: string): Negotiation {
  return { kind: 'reject', result, source, reason, why };
}

/** Decides on an A-ASSOCIATE-RQ: a rejection with its PS3.8 Table 9-21 reason, or the contexts. */
export function negotiate(rq: AssociateRq, policy: AcceptancePolicy): Negotiation {
  if ((rq.protocolVersion & 1) === 0) {
    return reject(
      REJECT.permanent,
      REJECT.sourceAcse,
      REJECT.protocolVersionNotSupported,
      'protocol version not supported',
    );
  }
  if (rq.applicationContext !== APPLICATION_CONTEXT) {
    return reject(
      REJECT.permanent,
      REJECT.sourceUser,
      REJECT.applicationContextNotSupported,
      'application context name not supported',
    );
  }
  if (rq.calledAe !== policy.aeTitle) {
    return reject(
      REJECT.permanent,
      REJECT.sourceUser,
      REJECT.calledAeNotRecognized,
      'called AE title not recognized',
    );
  }
  if (!policy.allow.has(rq.callingAe)) {
    return reject(
      REJECT.permanent,
      REJECT.sourceUser,
      REJECT.callingAeNotRecognized,
      'calling AE title not recognized',
    );
  }
  const results: ContextResult[] = [];
  const accepted = new Map<number, AcceptedContext>();
  for (const pc of rq.contexts) {
    if (!isAcceptedAbstractSyntax(pc.abstractSyntax)) {
      results.push({
        id: pc.id,
        result: PC_RESULT.abstractSyntaxNotSupported,
        transferSyntax: NATIVE_TRANSFER_SYNTAXES[1],
      });
      continue;
    }
    const ts = chooseTransferSyntax(pc.abstractSyntax, pc.transferSyntaxes);
    if (ts === undefined) {
      results.push({
        id: pc.id,
        result: PC_RESULT.transferSyntaxesNotSupported,
        transferSyntax: NATIVE_TRANSFER_SYNTAXES[1],
      });
      continue;
    }
    results.push({ id: pc.id, result: PC_RESULT.acceptance, transferSyntax: ts });
    accepted.set(pc.id, { abstractSyntax: pc.abstractSyntax, transferSyntax: ts });
  }
  return { kind: 'accept', results, accepted };
}
