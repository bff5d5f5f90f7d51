import { catalogue, type ErrorCode, isErrorCode } from './catalogue.js';

export type ErrorData = Record<string, unknown>;

/**
 * The one error type coo throws on purpose. Callers match on `code` (never on the message, never
 * with `instanceof`, which fails across two copies of the module).
 */
export class CooError extends Error {
  override readonly name = 'CooError';
  readonly code: ErrorCode;
  readonly data: ErrorData;

  constructor(code: ErrorCode, message: string, data: ErrorData = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.data = data;
  }

  get exitCode(): number {
    return catalogue[this.code].exit;
  }

  toJSON(): { code: ErrorCode; message: string; data: ErrorData } {
    return { code: this.code, message: this.message, data: this.data };
  }
}

export function isCooError(value: unknown): value is CooError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name === 'CooError' &&
    isErrorCode((value as { code?: unknown }).code)
  );
}

/**
 * Turns a Node.js system error (one with a syscall) into E_IO, keeping what a user needs to act on
 * it; anything else (a CooError, a bug) is returned unchanged.
 */
export function ioError(err: unknown, action: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (isCooError(err) || typeof e?.syscall !== 'string') return err;
  return new CooError(
    'E_IO',
    `${action}: ${e.code ?? 'error'} ${e.path ?? ''}`.trim(),
    { syscall: e.syscall ?? null, path: e.path ?? null, errno: e.code ?? null },
    { cause: err },
  );
}
