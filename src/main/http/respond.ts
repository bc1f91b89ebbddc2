import type { ServerResponse } from 'node:http';
import type { ErrorCode } from '../../shared/errors';

/** What sendError needs of a wire format: its error body (the proxy's FormatAdapter is one). */
export interface ErrorBodyFormat {
  errorBody(status: number, code: ErrorCode, message: string): string;
}

/** Sends a complete JSON error in the caller's format, unless a response has already started. */
export function sendError(
  res: ServerResponse,
  adapter: ErrorBodyFormat,
  status: number,
  code: ErrorCode,
  message: string,
  extraHeaders: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) {
    if (!res.writableEnded) res.end();
    return;
  }
  const body = adapter.errorBody(status, code, message);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

/** Resolves once the response can take more bytes, or has closed. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
