import { statSync } from 'node:fs';

/** What was made of a file, made again only when the file changed. */
export interface CachedFile<T> {
  /** The value of the file as it is now (one stat when it has not changed). */
  get(): Promise<T>;
}

/**
 * Caches what `load` makes of the file at `path`, keyed by its inode, size and modification and
 * change times. Operator commands (other processes) replace the node's files by rename, which
 * gives a new inode, so the next get() after one sees it. A missing file is a state like another;
 * a load that throws is not cached.
 */
export function cachedFile<T>(path: string, load: () => Promise<T>): CachedFile<T> {
  let hit: { key: string; value: T } | null = null;
  return {
    async get() {
      // Keyed before loading: a change during the load makes the next key differ.
      const key = fileKey(path);
      if (hit?.key === key) return hit.value;
      const value = await load();
      hit = { key, value };
      return value;
    },
  };
}

// A plain system call, as in replaceFileSync: this runs for every task.
function fileKey(path: string): string {
  const s = statSync(path, { throwIfNoEntry: false });
  if (s === undefined) return 'missing';
  return `${String(s.ino)}:${String(s.size)}:${String(s.mtimeMs)}:${String(s.ctimeMs)}`;
}
