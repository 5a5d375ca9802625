import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vaultFolder } from './vault-folder.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-vault-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const key = randomBytes(32);
const meta = {
  reason: 'cannot parse: value length 4294967290 exceeds the input at byte 340 in (0010,0010)',
  receivedAt: '2025-01-02T03:04:05.000Z',
  source: { kind: 'c-store' as const, callingAe: 'MODALITY1', address: '10.0.0.7' },
  format: 'dataset' as const,
  transferSyntax: '1.2.840.10008.1.2',
};

function plainFile(content: Buffer): string {
  const f = join(dir, `p-${randomBytes(4).toString('hex')}`);
  writeFileSync(f, content);
  return f;
}

describe('vault folders', () => {
  it('keeps a file encrypted at rest and gives it back byte for byte', async () => {
    const q = vaultFolder('quarantine', join(dir, 'q1'), key);
    const secret = Buffer.concat([Buffer.from('PATIENT^PLANTED^NAME '), randomBytes(200_000)]);
    const e = await q.put(plainFile(secret), meta);
    expect(e.bytes).toBe(secret.length);
    const stored = readFileSync(join(dir, 'q1', `${e.id}.bin`));
    expect(stored.includes(Buffer.from('PATIENT^PLANTED'))).toBe(false);
    expect(readFileSync(join(dir, 'q1', `${e.id}.json`), 'utf8')).not.toContain('PLANTED');
    const out = join(dir, 'back');
    await q.open(e.id, out);
    expect(readFileSync(out).equals(secret)).toBe(true);
    expect(await q.list()).toEqual([e]);
  });

  it('refuses a file that was altered, sealed with another key, or moved to the other folder', async () => {
    const qdir = join(dir, 'q2');
    const q = vaultFolder('quarantine', qdir, key);
    const e = await q.put(plainFile(Buffer.from('some bytes to keep')), meta);
    const bin = join(qdir, `${e.id}.bin`);
    const good = readFileSync(bin);
    const flipped = Buffer.from(good);
    flipped[20] = (flipped[20] ?? 0) ^ 1;
    writeFileSync(bin, flipped);
    await expect(q.open(e.id, join(dir, 'x1'))).rejects.toThrow(/does not authenticate/);
    expect(existsSync(join(dir, 'x1'))).toBe(false);
    writeFileSync(bin, good);
    await expect(
      vaultFolder('quarantine', qdir, randomBytes(32)).open(e.id, join(dir, 'x2')),
    ).rejects.toThrow(/does not authenticate/);
    await expect(vaultFolder('held', qdir, key).open(e.id, join(dir, 'x3'))).rejects.toThrow(
      /does not authenticate/,
    );
    await q.open(e.id, join(dir, 'x4'));
    expect(readFileSync(join(dir, 'x4'), 'utf8')).toBe('some bytes to keep');
  });

  it('removes an entry and its file, and says NOT_FOUND for unknown or malformed ids', async () => {
    const qdir = join(dir, 'q3');
    const q = vaultFolder('quarantine', qdir, key);
    const e = await q.put(plainFile(Buffer.from('x')), meta);
    await q.remove(e.id);
    expect(readdirSync(qdir)).toEqual([]);
    await expect(q.get(e.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(q.get('../../etc/passwd')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(q.remove('0'.repeat(32))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
