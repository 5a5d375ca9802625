import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { SynthFile } from './generate.js';

/**
 * Writes generated files under `dir` (created if needed), each at its relative name.
 * @returns the absolute paths written, in order.
 * @throws RangeError when a name would leave `dir` (names come from the generator, so this is a
 *   guard, not a path that input can reach); fs errors as they come.
 */
export async function writeImagingFolder(
  dir: string,
  files: readonly SynthFile[],
): Promise<string[]> {
  const root = resolve(dir);
  const out: string[] = [];
  for (const f of files) {
    const target = resolve(join(root, f.name));
    if (!target.startsWith(root + sep))
      throw new RangeError(`file name ${f.name} leaves the folder`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.bytes);
    out.push(target);
  }
  return out;
}
