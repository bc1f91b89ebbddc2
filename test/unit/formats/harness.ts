/** Test helpers for the format adapter tests: SSE decoding of rendered frames and SDK clients on a fake fetch. */

import { createSseDecoder } from '../../../src/main/proxy/stages/sse-decode';

/** Test helper: the events a complete SSE text dispatches, through the real decoder. */
export function decodeFrames(text: string): { event: string | undefined; data: string }[] {
  const events: { event: string | undefined; data: string }[] = [];
  const decoder = createSseDecoder((event, data) => events.push({ event, data }));
  decoder.push(new TextEncoder().encode(text));
  decoder.end();
  return events;
}

/** Test helper: a fetch stand-in answering every request with `respond()`, for SDK clients. */
export function fakeFetch(respond: () => Response): (input: unknown, init?: unknown) => Promise<Response> {
  return () => Promise.resolve(respond());
}

/** Test helper: a 200 event-stream response. */
export function sseResponse(body: string): Response {
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

/** Test helper: a JSON response with `status`. */
export function jsonResponse(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'application/json' } });
}

/** Test helper: runs `fn` and returns what it threw (fails the test when nothing was thrown). */
export async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
