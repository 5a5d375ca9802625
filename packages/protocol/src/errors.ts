import { z } from 'zod';

/**
 * The fixed error codes of Tessera (STYLE 7). Each maps to one HTTP status and says whether a
 * client may retry the same request unchanged.
 */
export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, retryable: false },
  UNAUTHENTICATED: { status: 401, retryable: false },
  FORBIDDEN: { status: 403, retryable: false },
  NOT_FOUND: { status: 404, retryable: false },
  CONFLICT: { status: 409, retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false },
  UNPROCESSABLE: { status: 422, retryable: false },
  RATE_LIMITED: { status: 429, retryable: true },
  INTERNAL: { status: 500, retryable: true },
  UNAVAILABLE: { status: 503, retryable: true },
  TIMEOUT: { status: 504, retryable: true },
  /** Envelope could not be opened: wrong key, altered ciphertext or associated data. */
  CRYPTO_FAILED: { status: 400, retryable: false },
  /** A signature is missing, malformed or does not verify against the pinned key. */
  BAD_SIGNATURE: { status: 400, retryable: false },
  /** The peer's TLS key does not match the pinned fingerprint. */
  PIN_MISMATCH: { status: 495, retryable: false },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/** The one shape of every error answer the hub gives (and the node console). */
export const errorBodySchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    retryable: z.boolean(),
    traceId: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * The one error class of Tessera. Services throw it; the HTTP layer turns it into an
 * {@link ErrorBody} with the code's status. Unknown errors become a bare INTERNAL.
 */
export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { details?: Record<string, unknown>; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TesseraError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.retryable = ERROR_CODES[code].retryable;
    this.details = options?.details;
  }

  /** The wire form; never includes the stack or the cause. */
  toBody(traceId?: string): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        retryable: this.retryable,
        ...(traceId === undefined ? {} : { traceId }),
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }

  /** Rebuilds an error received over the wire. */
  static fromBody(body: ErrorBody): TesseraError {
    return new TesseraError(body.error.code, body.error.message, {
      ...(body.error.details === undefined ? {} : { details: body.error.details }),
    });
  }
}

/** True when `e` is a {@link TesseraError} (also across package copies). */
export function isTesseraError(e: unknown): e is TesseraError {
  return (
    e instanceof TesseraError || (e instanceof Error && e.name === 'TesseraError' && 'code' in e)
  );
}
