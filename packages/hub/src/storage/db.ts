/**
 * The hub's one storage interface (DESIGN "The three parts": one SQL dialect for PGlite and
 * PostgreSQL). Services take a {@link Queryable} so the same code runs inside or outside a
 * transaction.
 */
export interface Queryable {
  /**
   * Runs one parameterised statement and returns its rows. `T` describes the row shape the SQL
   * selects; it is not checked at run time, so mappers convert rows before they leave storage code.
   * @throws the driver's error when the statement fails.
   */
  query<T extends object = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<T[]>;
}

export const DB_KINDS = ['pglite', 'postgres'] as const;
export type DbKind = (typeof DB_KINDS)[number];

export interface Db extends Queryable {
  readonly kind: DbKind;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws (the
   * error is rethrown). Inside `fn`, use only `tx`: on PGlite a call to the outer db would wait
   * for the transaction and never return.
   */
  transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R>;
  /** Closes the connection(s); further calls fail. */
  close(): Promise<void>;
  /**
   * Cross-process messages (PostgreSQL LISTEN/NOTIFY), so that several hub processes sharing one
   * database wake each other's long-polls. Absent on PGlite, which one process owns.
   */
  readonly bus?: MessageBus;
}

export interface MessageBus {
  publish(channel: string, payload: string): Promise<void>;
  /** Calls `onMessage` for every message on `channel` until the returned function is called. */
  subscribe(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
}

/** A timestamp column as an ISO string, whichever driver returned it (Date or text). */
export function isoOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return new Date(value).toISOString();
  throw new TypeError('not a timestamp');
}

/** Like {@link isoOf}, passing null through. */
export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : isoOf(value);
}
