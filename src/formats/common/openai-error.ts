import type { ErrorCode } from '../../shared/errors';

/** OpenAI's error `type` for an HTTP status, as the API itself uses them (a 404 is an invalid request there). */
export function openAiErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 429:
      return 'rate_limit_error';
  }
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** The error object both OpenAI APIs put under `"error"`; the openai SDK reads `message`, `type`, `param`, `code`. */
export function openAiErrorObject(status: number, code: ErrorCode, message: string): Record<string, unknown> {
  return { message, type: openAiErrorType(status), param: null, code };
}

/** A non-2xx body in OpenAI's shape (Chat Completions and Responses share it). */
export function openAiErrorBody(status: number, code: ErrorCode, message: string): string {
  return JSON.stringify({ error: openAiErrorObject(status, code, message) });
}

/** Statuses named by OpenAI error types and codes (Chat Completions and Responses share them). */
const OPENAI_STATUS_BY_ERROR_TYPE: Readonly<Record<string, number>> = {
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  insufficient_quota: 429,
  server_error: 500,
  authentication_error: 401,
  permission_error: 403,
  invalid_request_error: 400,
  // OpenAI-compatible routers (OpenRouter and the like) pass on an Anthropic upstream's overload as is.
  overloaded_error: 529,
};

/** The HTTP status an OpenAI error type or code stands for, if it names one. */
export function openAiStatusForErrorType(type: string): number | undefined {
  return Object.hasOwn(OPENAI_STATUS_BY_ERROR_TYPE, type) ? OPENAI_STATUS_BY_ERROR_TYPE[type] : undefined;
}
