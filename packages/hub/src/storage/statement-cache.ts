export interface Statement {
  /** '' for the unnamed statement. */
  readonly name: string;
  /** True when an earlier call parsed it under this name already. */
  readonly prepared: boolean;
}

// Far more than the hub's distinct statements; past it, statements are planned on every call.
const MAX_PREPARED = 500;

/**
 * Names for the statements the hub runs, so PostgreSQL parses and plans each once per process
 * rather than on every call: planning is most of the cost of a small statement.
 */
export function createStatementCache() {
  const names = new Map<string, string>();
  let counter = 0;
  return {
    lookup(sql: string): Statement {
      const name = names.get(sql);
      if (name !== undefined) return { name, prepared: true };
      if (names.size >= MAX_PREPARED) return { name: '', prepared: false };
      const fresh = `s${String(++counter)}`;
      names.set(sql, fresh);
      return { name: fresh, prepared: false };
    },
    forget(sql: string): void {
      names.delete(sql);
    },
  };
}
