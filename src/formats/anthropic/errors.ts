/** Anthropic's error types: rendered for Sluice's own errors, and read back as statuses. */

/** Anthropic's error `type` for an HTTP status (https://docs.anthropic.com/en/api/errors). */
function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
  }
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}

/** An Anthropic error body (`{"type":"error","error":{type,message}}`) for an HTTP status. */
export function anthropicError(status: number, message: string): string {
  return JSON.stringify({ type: 'error', error: { type: anthropicErrorType(status), message } });
}

/** Statuses named by Anthropic error types. */
const STATUS_BY_ERROR_TYPE: Readonly<Record<string, number>> = {
  overloaded_error: 529,
  rate_limit_error: 429,
  api_error: 500,
  authentication_error: 401,
  permission_error: 403,
  invalid_request_error: 400,
};

/** The HTTP status an Anthropic error type stands for, if it names one. */
export function anthropicStatusForErrorType(type: string): number | undefined {
  return Object.hasOwn(STATUS_BY_ERROR_TYPE, type) ? STATUS_BY_ERROR_TYPE[type] : undefined;
}
