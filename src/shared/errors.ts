import type { FailureCode } from './failure';

/**
 * Stable error codes that cross module and process boundaries as data: the proxy's failure vocabulary
 * (`FailureCode`, src/shared/failure.ts) plus what the caller or the control API got wrong.
 */
export type ErrorCode =
  | FailureCode
  | 'bad_request' // the caller's body is not what the route takes
  | 'not_found' // no such route
  | 'payload_too_large'
  | 'request_timeout' // the request body did not arrive whole in time
  | 'overloaded' // one of Sluice's own bounds (bodies in memory, open connections) is reached
  | 'upstream_timeout' // first byte or idle timeout
  | 'upstream_status' // a non-2xx answer
  | 'upstream_stream' // an error event or cut stream after the commit
  | 'forbidden'
  | 'config_invalid';

export interface SerializedError {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  status?: number;
  provider?: string;
}

/** The one error class of Sluice: a stable code, whether a retry may help, optional HTTP status and provider. */
export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly provider: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { retryable?: boolean; status?: number; provider?: string; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SluiceError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.status = opts.status;
    this.provider = opts.provider;
  }

  toJSON(): SerializedError {
    const out: SerializedError = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.status !== undefined) out.status = this.status;
    if (this.provider !== undefined) out.provider = this.provider;
    return out;
  }
}

/** Message of anything thrown, for logs and rows. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
