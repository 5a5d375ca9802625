import { join } from 'node:path';
import { SCHEMA_FILE, readDatasetSchema, type DatasetSchemaFile } from '../data/dataset-format.js';
import { cachedFile, type CachedFile } from '../store/cached-file.js';
import type { NodePaths } from '../store/layout.js';
import { loadPolicy, type NodePolicy } from '../store/policy-store.js';

/** What the node reads for every task, cached until the operator changes it. */
export interface TaskInputs {
  /** policy.json as it is now; treat as read-only (it is shared between tasks). */
  policy(): Promise<Readonly<NodePolicy>>;
  /** The schema of each named dataset that exists (missing or unreadable ones are left out). */
  datasets(names: readonly string[]): Promise<Map<string, DatasetSchemaFile>>;
}

/**
 * The policy and the dataset schemas a task is checked against, re-read only when their files
 * changed (operator commands change them while the node runs), so a task costs a stat per file.
 */
export function createTaskInputs(paths: NodePaths): TaskInputs {
  const policy = cachedFile(paths.policy, () => loadPolicy(paths));
  const schemas = new Map<string, CachedFile<DatasetSchemaFile>>();
  const schemaOf = (name: string): CachedFile<DatasetSchemaFile> => {
    let c = schemas.get(name);
    if (c === undefined) {
      const dir = paths.dataset(name);
      c = cachedFile(join(dir, SCHEMA_FILE), () => readDatasetSchema(dir));
      schemas.set(name, c);
    }
    return c;
  };
  return {
    policy: () => policy.get(),
    async datasets(names) {
      const out = new Map<string, DatasetSchemaFile>();
      for (const n of names) {
        // Not cached when unreadable: the read is retried, and the task refused meanwhile.
        const s = await schemaOf(n)
          .get()
          .catch(() => null);
        if (s !== null) out.set(n, s);
      }
      return out;
    },
  };
}
