import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSecretFile } from './secret-file.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tessera-cli-secret-'));
});
afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function secretFile(content: string, mode: number): string {
  const f = join(tmp, 'secret');
  writeFileSync(f, content);
  chmodSync(f, mode);
  return f;
}

describe('readSecretFile', () => {
  it('reads a 0600 file without its trailing newline and warns about nothing', () => {
    const warnings: string[] = [];
    expect(
      readSecretFile(secretFile('s3cret pass\n', 0o600), '--password-file', (l) =>
        warnings.push(l),
      ),
    ).toBe('s3cret pass');
    expect(warnings).toEqual([]);
  });

  it('warns, without the content, when others may read the file', () => {
    const warnings: string[] = [];
    readSecretFile(secretFile('s3cret', 0o644), '--password-file', (l) => warnings.push(l));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/--password-file .* readable by others \(mode 644\)/);
    expect(warnings[0]).not.toContain('s3cret');
  });

  it('names the option and the file when it is missing', () => {
    expect(() => readSecretFile(join(tmp, 'nope'), '--api-key-file', () => undefined)).toThrowError(
      /cannot read --api-key-file .*nope \(ENOENT\)/,
    );
  });

  it('refuses an empty file', () => {
    expect(() =>
      readSecretFile(secretFile('\n', 0o600), '--password-file', () => undefined),
    ).toThrowError(/is empty/);
  });
});
