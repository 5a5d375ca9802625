import { describe, expect, it } from 'vitest';
import { negotiate, type AcceptancePolicy } from './negotiation.js';
import type { AssociateRq, ProposedContext } from './pdu.js';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const VERIFY = '1.2.840.10008.1.1';
const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const BIG = '1.2.840.10008.1.2.2';
const JPEG = '1.2.840.10008.1.2.4.50';
const policy: AcceptancePolicy = { aeTitle: 'TESSERA', allow: new Set(['MODALITY']) };

function makeRq(contexts: ProposedContext[], overrides: Partial<AssociateRq> = {}): AssociateRq {
  return {
    type: 'associate-rq',
    protocolVersion: 1,
    calledAe: 'TESSERA',
    callingAe: 'MODALITY',
    applicationContext: '1.2.840.10008.3.1.1.1',
    contexts,
    user: { maxPduLength: 16384, implementationClassUid: '1.2.3' },
    ...overrides,
  };
}

const pc = (id: number, abstractSyntax: string, ...ts: string[]): ProposedContext => ({
  id,
  abstractSyntax,
  transferSyntaxes: ts,
});

describe('association negotiation', () => {
  it('rejects by PS3.8 Table 9-21 reason: calling AE, called AE, context, version', () => {
    const reasons = [
      negotiate(makeRq([], { callingAe: 'OTHER' }), policy),
      negotiate(makeRq([], { calledAe: 'NOT-US' }), policy),
      negotiate(makeRq([], { applicationContext: '1.2.3' }), policy),
      negotiate(makeRq([], { protocolVersion: 2 }), policy),
      negotiate(makeRq([]), { aeTitle: 'TESSERA', allow: new Set() }),
    ].map((n) => (n.kind === 'reject' ? [n.result, n.source, n.reason, n.why] : n.kind));
    expect(reasons).toEqual([
      [1, 1, 3, 'calling AE title not recognized'],
      [1, 1, 7, 'called AE title not recognized'],
      [1, 1, 2, 'application context name not supported'],
      [1, 2, 2, 'protocol version not supported'],
      [1, 1, 3, 'calling AE title not recognized'],
    ]);
  });

  it('accepts Verification and Storage contexts, preferring Explicit then Implicit VR LE', () => {
    const n = negotiate(
      makeRq([
        pc(1, VERIFY, IMPLICIT, EXPLICIT),
        pc(3, CT, BIG, IMPLICIT),
        pc(5, CT, JPEG),
        pc(7, CT, EXPLICIT, JPEG),
        pc(9, CT, JPEG, EXPLICIT),
        pc(11, CT, BIG),
        pc(13, '1.2.840.10008.5.1.4.1.2.1.1', IMPLICIT), // Patient Root Q/R FIND
        pc(15, VERIFY, JPEG),
        pc(17, '', IMPLICIT),
      ]),
      policy,
    );
    if (n.kind !== 'accept') throw new Error('expected acceptance');
    expect(n.results.map((r) => [r.id, r.result, r.result === 0 ? r.transferSyntax : '-'])).toEqual(
      [
        [1, 0, EXPLICIT],
        [3, 0, IMPLICIT],
        [5, 0, JPEG],
        [7, 0, EXPLICIT],
        [9, 0, JPEG], // the sender's first choice is kept as is
        [11, 4, '-'],
        [13, 3, '-'],
        [15, 4, '-'],
        [17, 3, '-'],
      ],
    );
    expect([...n.accepted.keys()]).toEqual([1, 3, 5, 7, 9]);
  });
});
