import type { BodyMode } from '../../shared/usage-query';

/** Whether a response content type is an SSE stream. */
export function isEventStream(contentType: string | undefined): boolean {
  return (contentType ?? '').toLowerCase().includes('text/event-stream');
}

/** Framing for formats that stream only as SSE: SSE when the response says so, else one JSON body. */
export function sseOrJson(_stream: boolean, contentType: string | undefined): BodyMode {
  return isEventStream(contentType) ? 'sse' : 'json';
}
