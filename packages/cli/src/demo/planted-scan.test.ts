import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plantedMatcher, scanFolder } from './planted-scan.js';

const found = (values: string[], text: string | Uint8Array): number[] => {
  const set = new Set<number>();
  plantedMatcher(values).scan(typeof text === 'string' ? Buffer.from(text) : text, set);
  return [...set].sort((a, b) => a - b);
};

describe('plantedMatcher', () => {
  it('finds each value that occurs, including overlapping and nested ones', () => {
    const values = ['he', 'she', 'his', 'hers', 'absent'];
    expect(found(values, 'ushers')).toEqual([0, 1, 3]);
    expect(found(values, 'this')).toEqual([2]);
    expect(found(values, 'nothing at all')).toEqual([]);
  });

  it('agrees with a plain substring search on random text (reference: String.includes)', () => {
    let x = 12345;
    const rand = (n: number): number => ((x = (x * 1103515245 + 12345) % 2 ** 31), x % n);
    const word = (len: number): string =>
      Array.from({ length: len }, () => 'abc'[rand(3)] ?? 'a').join('');
    for (let round = 0; round < 50; round++) {
      const values = Array.from({ length: 20 }, () => word(1 + rand(5)));
      const text = word(200);
      const expected = values.flatMap((v, i) => (text.includes(v) ? [i] : []));
      expect(found(values, text)).toEqual(expected);
    }
  });

  it('matches UTF-8 values byte for byte, anywhere in binary data', () => {
    const bytes = Buffer.concat([
      Buffer.from([0, 255, 7]),
      Buffer.from('Brierley^Zoë'),
      Buffer.from([0]),
    ]);
    expect(found(['Zoë', 'Zoe', 'ley^'], bytes)).toEqual([0, 2]);
  });
});

describe('scanFolder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-planted-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the distinct values found in every file below a folder', async () => {
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'one.dcm'), 'xx MRN-ABCDE-00001 yy');
    writeFileSync(join(dir, 'a', 'b', 'two.dcm'), 'MRN-ABCDE-00001 and St QWERT Hospital');
    writeFileSync(join(dir, 'three.bin'), Buffer.alloc(1000));
    const matcher = plantedMatcher(['MRN-ABCDE-00001', 'St QWERT Hospital', 'Cardew']);
    expect(await scanFolder(dir, matcher)).toEqual({ files: 3, bytes: 21 + 37 + 1000, found: 2 });
  });
});
