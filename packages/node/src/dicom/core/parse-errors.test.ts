import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseDataset, parseDicomFile, parseFileMeta } from './parse.js';
import { makeNestedItem, makeSampleDataset } from '../../testing/dicom-sample.js';
import type { DicomDataset } from './types.js';
import { DicomParseError, TRANSFER_SYNTAX } from './types.js';
import { setString } from './values.js';
import { buildFileMeta, writeDataset, writeDicomFile } from './write.js';

const { implicitLittle, explicitLittle, explicitBig, deflatedExplicitLittle } = TRANSFER_SYNTAX;
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

/** Identifying text planted in the sample: no error message may ever contain it. */
const PLANTED = ['Mustermann', 'Jürgen', 'PAT-0001', '19700101', 'Smith', 'Hospital Street'];

/** A deterministic generator (mulberry32), so a failing case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The DicomParseError that `run` throws, failing the test if it throws anything else or nothing. */
function parseError(run: () => unknown): DicomParseError {
  try {
    run();
  } catch (err) {
    if (err instanceof DicomParseError) return err;
    throw err;
  }
  throw new Error('expected a DicomParseError, but the input parsed');
}

/** Parses, and returns the error if it is a DicomParseError; anything else fails the test. */
function parseOrError(run: () => unknown): DicomParseError | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    if (err instanceof DicomParseError) return err;
    throw err;
  }
}

function fileOf(ts: string, ds: DicomDataset = makeSampleDataset()): Uint8Array {
  return writeDicomFile({ dataset: ds, transferSyntax: ts });
}

describe('malformed input', () => {
  it('refuses bytes that are not Part 10', () => {
    expect(parseError(() => parseDicomFile(new Uint8Array(10))).message).toMatch(
      /too short.*at byte 0/,
    );
    const noPrefix = parseError(() => parseDicomFile(new Uint8Array(400).fill(0x41)));
    expect(noPrefix.message).toMatch(/no 'DICM' prefix/);
    expect(noPrefix.offset).toBe(128);
    const html = Buffer.from('<html>' + ' '.repeat(300) + '</html>');
    expect(() => parseFileMeta(html)).toThrow(DicomParseError);
  });

  it('refuses a meta group without a transfer syntax', () => {
    const bytes = fileOf(explicitLittle);
    const meta = parseDicomFile(bytes).meta;
    meta.delete(0x00020010);
    const head = new Uint8Array(132);
    head.set(Buffer.from('DICM'), 128);
    const body = writeDataset(meta, explicitLittle);
    const err = parseError(() =>
      parseDicomFile(
        Buffer.concat([head, body, writeDataset(makeSampleDataset(), explicitLittle)]),
      ),
    );
    expect(err.message).toMatch(/no Transfer Syntax UID \(0002,0010\)/);
  });

  it('says when the meta says explicit VR but the data is implicit VR', () => {
    const meta = buildFileMeta({
      sopClassUid: '1.2.3',
      sopInstanceUid: '1.2.3.4',
      transferSyntax: explicitLittle,
    });
    const good = fileOf(explicitLittle);
    const metaEnd = parseFileMeta(good).datasetOffset;
    const lying = Buffer.concat([
      good.subarray(0, metaEnd),
      writeDataset(makeSampleDataset(), implicitLittle),
    ]);
    const err = parseError(() => parseDicomFile(lying));
    expect(err.message).toMatch(
      /not explicit VR as transfer syntax 1\.2\.840\.10008\.1\.2\.1 declares/,
    );
    expect(err.offset).toBe(metaEnd + 4);
    expect(err.path).toBe('(0008,0005)');
    expect(meta.size).toBeGreaterThan(0);
  });

  it('says when the syntax is implicit VR but the data looks explicit', () => {
    const data = writeDataset(makeSampleDataset(), explicitLittle);
    const err = parseError(() => parseDataset(data, implicitLittle));
    expect(err.message).toMatch(
      /the data is explicit VR but transfer syntax 1\.2\.840\.10008\.1\.2 is implicit VR/,
    );
    expect(err.offset).toBe(0);
    // Further in, a length that runs past the end says the same.
    const later = Buffer.concat([
      writeDataset(
        new Map([[0x00080005, { tag: 0x00080005, vr: 'CS', value: Buffer.from('ISO_IR 100') }]]),
        implicitLittle,
      ),
      data.subarray(18),
    ]);
    expect(parseError(() => parseDataset(later, implicitLittle)).message).toMatch(
      /looks like explicit VR/,
    );
  });

  it('says when the byte order is not the declared one', () => {
    const big = writeDataset(makeSampleDataset(), explicitBig);
    expect(parseError(() => parseDataset(big, explicitLittle)).message).toMatch(/looks big endian/);
    const little = writeDataset(makeSampleDataset(), explicitLittle);
    expect(parseError(() => parseDataset(little, explicitBig)).message).toMatch(
      /looks little endian/,
    );
  });

  it('refuses encapsulated pixel data declared as a native syntax', () => {
    const enc = makeSampleDataset([
      { tag: 0x7fe00010, vr: 'OB', fragments: [new Uint8Array(0), new Uint8Array(4)] },
    ]);
    const err = parseError(() => parseDataset(writeDataset(enc, JPEG_BASELINE), explicitLittle));
    expect(err.message).toMatch(/encapsulated pixel data in native transfer syntax/);
    expect(err.path).toBe('(7FE0,0010)');
    const implicit = new Uint8Array([
      0xe0, 0x7f, 0x10, 0x00, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0, 0xfe,
      0xff, 0xdd, 0xe0, 0, 0, 0, 0,
    ]);
    expect(parseError(() => parseDataset(implicit, implicitLittle)).message).toMatch(
      /encapsulated pixel data in native transfer syntax 1\.2\.840\.10008\.1\.2:/,
    );
  });

  it('refuses absurd lengths and says where', () => {
    const ds: DicomDataset = new Map();
    setString(ds, 0x00100010, 'Mustermann^Jürgen');
    const bytes = writeDataset(ds, explicitLittle);
    new DataView(bytes.buffer).setUint16(6, 0xfff0, true);
    const err = parseError(() => parseDataset(bytes, explicitLittle));
    expect(err.message).toBe(
      'value length 65520 of VR PN runs past the end of the data (18 bytes left) at byte 0 in (0010,0010)',
    );
    const implicit = writeDataset(ds, implicitLittle);
    new DataView(implicit.buffer).setUint32(4, 0xfffffff0, true);
    expect(parseError(() => parseDataset(implicit, implicitLittle)).message).toMatch(/4294967280/);
  });

  it('does not print a tag or length that is really text from a value', () => {
    // A length 14 bytes short: the parser reads on inside the name, as implicit VR would.
    const bytes = Buffer.concat([
      Buffer.from([0x10, 0x00, 0x10, 0x00, 0x04, 0x00, 0x00, 0x00]),
      Buffer.from('MUSTERMANN^JUERGEN'),
    ]);
    const err = parseError(() => parseDataset(bytes, implicitLittle));
    expect(err.message).toBe(
      'value length (bytes that read as text) of VR UN runs past the end of the data (6 bytes left) at byte 12 in (an unknown tag)',
    );
  });

  it('names the path inside nested sequences', () => {
    const ds: DicomDataset = new Map([
      [0x00081115, { tag: 0x00081115, vr: 'SQ', items: [new Map(), makeNestedItem(2)] }],
    ]);
    const bytes = writeDataset(ds, explicitLittle);
    // Corrupt the VR of the innermost description (0040,0254) LO.
    const at = Buffer.from(bytes).indexOf(Buffer.from('LEVEL 0')) - 4;
    expect(Buffer.from(bytes.subarray(at, at + 2)).toString('latin1')).toBe('LO');
    bytes[at] = 0x6c;
    const err = parseError(() => parseDataset(bytes, explicitLittle));
    expect(err.path).toBe('(0008,1115)[1](0008,2112)[0](0008,2112)[0](0040,0254)');
    expect(err.offset).toBe(at);
  });

  it('refuses item tags where none may be and sequences without items', () => {
    const item = new Uint8Array([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]);
    expect(parseError(() => parseDataset(item, explicitLittle)).message).toMatch(
      /item tag \(FFFE,E000\) where a data element was expected/,
    );
    const sq = Buffer.concat([
      Buffer.from([0x08, 0x00, 0x15, 0x11]),
      Buffer.from('SQ'),
      Buffer.from([0, 0, 0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0x10, 0x00, 0x10, 0x00, 0x50, 0x4e, 0x02, 0x00, 0x41, 0x20]),
    ]);
    expect(parseError(() => parseDataset(sq, explicitLittle)).message).toMatch(
      /expected an item in the sequence, found \(0010,0010\)/,
    );
  });

  it('refuses sequences nested deeper than 32', () => {
    const ds = new Map([
      [0x00081115, { tag: 0x00081115, vr: 'SQ' as const, items: [makeNestedItem(32)] }],
    ]);
    for (const ts of [explicitLittle, implicitLittle]) {
      const err = parseError(() => parseDataset(writeDataset(ds, ts), ts));
      expect(err.message).toMatch(/nested deeper than 32 levels/);
    }
  });

  it('refuses a deflated dataset that is not deflate data or inflates past the limit', () => {
    const bytes = fileOf(deflatedExplicitLittle);
    const metaEnd = parseFileMeta(bytes).datasetOffset;
    const garbage = Buffer.concat([
      bytes.subarray(0, metaEnd),
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
    ]);
    expect(parseError(() => parseDicomFile(garbage)).message).toMatch(/not a valid deflate stream/);
    const bomb = Buffer.concat([
      bytes.subarray(0, metaEnd),
      deflateRawSync(new Uint8Array(1 << 20)),
    ]);
    const err = parseError(() => parseDicomFile(bomb, { maxInflatedBytes: 1 << 16 }));
    expect(err.message).toMatch(/inflates to more than 65536 bytes/);
  });

  it('stops before a tag when asked', () => {
    const ds = parseDicomFile(fileOf(explicitLittle), { stopAtTag: 0x7fe00010 }).dataset;
    expect(ds.has(0x7fe00010)).toBe(false);
    expect(ds.has(0x00280010)).toBe(true);
  });
});

describe('robustness', () => {
  const cases = [
    ['implicit', fileOf(implicitLittle)],
    ['explicit LE', fileOf(explicitLittle)],
    ['explicit BE', fileOf(explicitBig)],
    ['deflated', fileOf(deflatedExplicitLittle)],
    [
      'encapsulated',
      fileOf(
        JPEG_BASELINE,
        makeSampleDataset([
          {
            tag: 0x7fe00010,
            vr: 'OB',
            fragments: [new Uint8Array(4), new Uint8Array([1, 2, 3, 4])],
          },
        ]),
      ),
    ],
  ] as const;

  for (const [name, bytes] of cases) {
    it(`truncated at every byte, ${name} input throws only DicomParseError, never with a value in it`, () => {
      let errors = 0;
      const leaks: string[] = [];
      for (let n = 0; n < bytes.length; n++) {
        const err = parseOrError(() => parseDicomFile(bytes.subarray(0, n)));
        if (err === undefined) continue;
        errors++;
        if (PLANTED.some((p) => err.message.includes(p))) leaks.push(err.message);
      }
      expect(leaks).toEqual([]);
      // Cutting between top-level elements leaves a valid shorter file; anything else fails.
      expect(errors).toBeGreaterThan(bytes.length * 0.9);
    });

    it(`random byte flips (seeded) in ${name} input throw only DicomParseError`, () => {
      const next = rng(0x7e55e7a + bytes.length);
      const leaks: string[] = [];
      for (let round = 0; round < 400; round++) {
        const copy = new Uint8Array(bytes);
        const flips = 1 + Math.floor(next() * 4);
        for (let i = 0; i < flips; i++)
          copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256);
        const err = parseOrError(() => parseDicomFile(copy));
        if (err !== undefined && PLANTED.some((p) => err.message.includes(p)))
          leaks.push(err.message);
      }
      expect(leaks).toEqual([]);
    });
  }

  it('random bytes after a valid meta group throw only DicomParseError', () => {
    const next = rng(42);
    const head = fileOf(explicitLittle).subarray(
      0,
      parseFileMeta(fileOf(explicitLittle)).datasetOffset,
    );
    for (let round = 0; round < 300; round++) {
      const tail = new Uint8Array(Math.floor(next() * 300)).map(() => Math.floor(next() * 256));
      parseOrError(() => parseDicomFile(Buffer.concat([head, tail])));
      for (const ts of [implicitLittle, explicitLittle, explicitBig, JPEG_BASELINE])
        parseOrError(() => parseDataset(tail, ts));
    }
  });
});
