import type { ServerResponse } from 'node:http';
import type { ErrorCode } from '../../shared/errors';
import type { FormatAdapter } from '../proxy/formats/types';

/** Sends a complete JSON error in the caller's format, unless a response has already started. */
export function sendError(
  res: ServerResponse,
  adapter: FormatAdapter,
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
