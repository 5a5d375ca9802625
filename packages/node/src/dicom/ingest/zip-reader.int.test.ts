import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ZIP_LIMITS, openZip } from './zip-reader.js';
import { makeZip, type FixtureEntry } from '../../testing/zip-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-zip-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function zipFile(entries: readonly FixtureEntry[], bytes?: Buffer): string {
  const file = join(dir, `a${n++}.zip`);
  writeFileSync(file, bytes ?? makeZip(entries));
  return file;
}

const text = (s: string): Uint8Array => Buffer.from(s, 'utf8');

describe('openZip', () => {
  it('extracts stored and deflated entries byte for byte, skipping folders', async () => {
    const big = Buffer.alloc(300_000, 7);
    const file = zipFile([
      { name: 'study/', method: 0 },
      { name: 'study/a.dcm', data: text('first'), method: 0 },
      { name: 'study/b.dcm', data: big, method: 8 },
      { name: 'empty', data: new Uint8Array(), method: 0 },
    ]);
    const zip = await openZip(file);
    try {
      expect(zip.entries.map((e) => e.index)).toEqual([2, 3, 4]);
      const out = zip.entries.map((e) => join(dir, `out-${n}-${e.index}`));
      for (const [i, e] of zip.entries.entries()) await zip.extract(e, out[i] ?? '');
      expect(readFileSync(out[0] ?? '').toString()).toBe('first');
      expect(readFileSync(out[1] ?? '').equals(big)).toBe(true);
      expect(readFileSync(out[2] ?? '').length).toBe(0);
    } finally {
      await zip.close();
    }
  });

  it.each([
    ['../escape.dcm', "climbs out with '..'"],
    ['a/../../escape.dcm', "climbs out with '..'"],
    ['/etc/passwd', 'absolute path'],
    ['C:/Windows/x.dcm', 'drive letter'],
    ['dir\\..\\x.dcm', 'backslash'],
  ])(
    'refuses the whole archive when an entry is named %s, without echoing the name',
    async (name, why) => {
      const file = zipFile([
        { name: 'ok.dcm', data: text('x') },
        { name, data: text('y') },
      ]);
      const err = await openZip(file).then(
        () => new Error('opened'),
        (e: unknown) => e as Error,
      );
      expect(err.message).toContain('entry 2');
      expect(err.message).toContain(why);
      expect(err.message).not.toContain(name);
    },
  );

  it('refuses symlink entries and encrypted entries', async () => {
    const link = zipFile([{ name: 'link', data: text('/etc/passwd'), unixMode: 0o120777 }]);
    await expect(openZip(link)).rejects.toThrow(/entry 1 is a link or a special file/);
    const enc = zipFile([{ name: 'secret.dcm', data: text('x'), flags: 0x0801 }]);
    await expect(openZip(enc)).rejects.toThrow(/entry 1 is encrypted/);
  });

  it('refuses more entries, more bytes or a higher ratio than its limits', async () => {
    const many = zipFile([1, 2, 3].map((i) => ({ name: `f${i}`, data: text('x') })));
    await expect(openZip(many, { ...DEFAULT_ZIP_LIMITS, maxEntries: 2 })).rejects.toThrow(
      /3 entries, more than the limit of 2/,
    );
    const sized = zipFile([
      { name: 'a', data: Buffer.alloc(5000) },
      { name: 'b', data: Buffer.alloc(5000) },
    ]);
    await expect(openZip(sized, { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: 9000 })).rejects.toThrow(
      /add up to more than 9000 bytes/,
    );
    // 8 MiB of zeros deflate to ~8 KiB: a ratio of ~1000.
    const bomb = zipFile([{ name: 'bomb', data: Buffer.alloc(8 * 1024 * 1024) }]);
    await expect(openZip(bomb, { ...DEFAULT_ZIP_LIMITS, maxRatio: 100 })).rejects.toThrow(
      /entry 1 inflates more than 100 times/,
    );
  });

  it('stops an entry that inflates past its declared size and removes the partial file', async () => {
    const file = zipFile([{ name: 'liar', data: Buffer.alloc(200_000, 1), declaredSize: 1000 }]);
    const zip = await openZip(file);
    const out = join(dir, 'liar.out');
    try {
      const entry = zip.entries[0];
      if (entry === undefined) throw new Error('no entry');
      await expect(zip.extract(entry, out)).rejects.toThrow(
        /zip entry 1: it inflates past its declared size/,
      );
      expect(existsSync(out)).toBe(false);
    } finally {
      await zip.close();
    }
  });

  it('refuses an entry whose CRC-32 does not match', async () => {
    const file = zipFile([{ name: 'bad', data: text('hello'), declaredCrc: 1234 }]);
    const zip = await openZip(file);
    try {
      const entry = zip.entries[0];
      if (entry === undefined) throw new Error('no entry');
      await expect(zip.extract(entry, join(dir, 'crc.out'))).rejects.toThrow(
        /CRC-32 does not match/,
      );
    } finally {
      await zip.close();
    }
  });

  it('refuses overlapping entries (the overlapped-file zip bomb)', async () => {
    const good = makeZip([
      { name: 'a', data: text('aaaa') },
      { name: 'b', data: text('bbbb') },
    ]);
    // Point entry 2's central record at entry 1's local header.
    const cd = good.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const second = good.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), cd + 4);
    good.writeUInt32LE(0, second + 42);
    await expect(openZip(zipFile([], good))).rejects.toThrow(/overlaps another entry/);
  });

  it('refuses files that are not zip archives or are truncated, with a clear reason', async () => {
    await expect(
      openZip(zipFile([], Buffer.from('plain text, not a zip archive at all'))),
    ).rejects.toThrow(/no end of central directory record/);
    const whole = makeZip([{ name: 'a', data: Buffer.alloc(1000, 3) }]);
    await expect(openZip(zipFile([], whole.subarray(0, whole.length - 30)))).rejects.toThrow(
      /zip archive refused/,
    );
  });
});
