import { describe, expect, it } from 'vitest';
import { MAX_PROGRESS_BYTES, prepareArtifacts, prepareProgress } from './artifacts.js';

describe('checking a decision’s artifacts and progress', () => {
  it('serialises artifacts once and measures them in UTF-8 bytes', () => {
    const out = prepareArtifacts(
      [
        { name: 'model/round-3', body: { w: [0.5, -1], label: 'é' } },
        { name: 'model/best', body: null },
      ],
      1024,
    );
    expect(out).toEqual([
      { name: 'model/round-3', json: '{"w":[0.5,-1],"label":"é"}', bytes: 27 },
      { name: 'model/best', json: 'null', bytes: 4 },
    ]);
    expect(prepareArtifacts(undefined, 1024)).toEqual([]);
  });

  it('fails with ARTIFACT_TOO_LARGE one byte over the limit, naming the artifact and the limit', () => {
    const body = 'x'.repeat(1022); // '"' + 1022 + '"' = 1024 bytes
    expect(prepareArtifacts([{ name: 'm', body }], 1024)).toHaveLength(1);
    expect(prepareArtifacts([{ name: 'm', body: `${body}x` }], 1024)).toEqual({
      code: 'ARTIFACT_TOO_LARGE',
      reason:
        "artifact m is 1025 bytes, more than the hub's limit of 1024 bytes (maxArtifactBytes)",
    });
  });

  it('refuses bad names, a name used twice, bodies without JSON and NUL characters', () => {
    const reason = (v: unknown) => (v as { code: string; reason: string }).reason;
    const bad = (name: string) => prepareArtifacts([{ name, body: 1 }], 1024);
    for (const name of ['', 'Model/x', 'model//x', '/model', 'model/', '../x', 'a b']) {
      expect(bad(name)).toMatchObject({ code: 'INVALID_DECISION' });
    }
    expect(reason(bad('Model/x'))).toBe(
      `artifact name "Model/x" is not valid: lower-case letters, digits and '-' in segments joined by '/'`,
    );
    expect(
      reason(
        prepareArtifacts(
          [
            { name: 'a', body: 1 },
            { name: 'a', body: 2 },
          ],
          1024,
        ),
      ),
    ).toBe('artifact a is named twice in one decision');
    expect(reason(prepareArtifacts([{ name: 'a', body: undefined }], 1024))).toBe(
      'artifact a has no JSON value',
    );
    expect(reason(prepareArtifacts([{ name: 'a', body: { n: 1n } }], 1024))).toMatch(
      /^artifact a is not JSON: /,
    );
    expect(reason(prepareArtifacts([{ name: 'a', body: 'nul\u0000' }], 1024))).toBe(
      'artifact a holds a NUL character',
    );
  });

  it('keeps the stored progress when a decision has none, and bounds its size', () => {
    expect(prepareProgress(undefined)).toBeUndefined();
    expect(prepareProgress(null)).toBe('null');
    expect(prepareProgress({ round: 2 })).toBe('{"round":2}');
    expect(prepareProgress('x'.repeat(MAX_PROGRESS_BYTES))).toEqual({
      code: 'INVALID_DECISION',
      reason: 'progress is 1.0 MiB, at most 1.0 MiB',
    });
  });
});
