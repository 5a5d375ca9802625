import { describe, expect, it } from 'vitest';
import {
  chainEntry,
  GENESIS_HASH,
  verifyChain,
  type AuditEntry,
  type AuditEntryDraft,
} from './audit-chain.js';

function makeDraft(i: number, overrides: Partial<AuditEntryDraft> = {}): AuditEntryDraft {
  return {
    at: `2026-01-01T00:00:0${i % 10}.000Z`,
    actor: 'trust:st-elsewhere',
    action: 'task.released',
    target: `job:${i}`,
    details: { rows: 120 + i, algorithm: 'summary' },
    traceId: 'ab'.repeat(16),
    ...overrides,
  };
}

function makeChain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (let i = 0; i < n; i++) out.push(chainEntry(makeDraft(i), out.at(-1) ?? null));
  return out;
}

/** Flips one bit of one character of `field` of entry `index`. */
function alterOneByte(chain: AuditEntry[], index: number, field: keyof AuditEntry): AuditEntry[] {
  const copy = chain.map((e) => structuredClone(e));
  const entry = copy[index]!;
  const text = JSON.stringify(entry[field]);
  // Flip the low bit of the last letter or digit, which keeps the JSON well formed.
  const at = text.search(/[A-Za-z0-9][^A-Za-z0-9]*$/);
  const ch = text.charCodeAt(at) ^ 1;
  const altered = JSON.parse(text.slice(0, at) + String.fromCharCode(ch) + text.slice(at + 1));
  (entry as Record<string, unknown>)[field] = altered;
  return copy;
}

describe('audit chain', () => {
  it('starts at seq 1 from the genesis hash and links each entry to the previous', () => {
    const chain = makeChain(3);
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(chain[0]!.prevHash).toBe(GENESIS_HASH);
    expect(chain[2]!.prevHash).toBe(chain[1]!.hash);
  });

  it('verifies an untouched chain', () => {
    expect(verifyChain(makeChain(6))).toEqual({
      ok: true,
      entries: 6,
      brokenAt: null,
      reason: null,
    });
    expect(verifyChain([])).toMatchObject({ ok: true, entries: 0 });
  });

  it.each(['at', 'actor', 'action', 'target', 'details', 'traceId'] as const)(
    'fails naming the entry when one byte of its %s is changed',
    (field) => {
      const verdict = verifyChain(alterOneByte(makeChain(6), 3, field));
      expect(verdict.ok).toBe(false);
      expect(verdict.brokenAt).toBe(4);
      expect(verdict.reason).toMatch(/^entry 4: /);
    },
  );

  it('fails naming the entry when its stored hash is changed', () => {
    const verdict = verifyChain(alterOneByte(makeChain(6), 1, 'hash'));
    expect(verdict.ok).toBe(false);
    expect(verdict.brokenAt).toBe(2);
  });

  it('fails when an entry is removed from the middle or the start', () => {
    const chain = makeChain(6);
    const middle = verifyChain([...chain.slice(0, 2), ...chain.slice(3)]);
    expect(middle).toMatchObject({ ok: false, brokenAt: 4 });
    expect(verifyChain(chain.slice(1))).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('fails when an entry is rewritten with a recomputed hash (the next one no longer follows)', () => {
    const chain = makeChain(5);
    const forged = chainEntry(makeDraft(2, { action: 'task.refused' }), chain[1]!);
    const verdict = verifyChain([...chain.slice(0, 2), forged, ...chain.slice(3)]);
    expect(verdict).toMatchObject({ ok: false, brokenAt: 4 });
    expect(verdict.reason).toBe('entry 4: does not follow entry 3');
  });

  it('fails when two entries are swapped', () => {
    const chain = makeChain(4);
    expect(verifyChain([chain[0]!, chain[2]!, chain[1]!, chain[3]!]).ok).toBe(false);
  });
});
