import type { FakeReply, RecordedRequest } from '../../support/fake-upstream';

/** The provider kinds the three CLIs talk to through Sluice. */
export type UpstreamKind = 'anthropic' | 'openai' | 'gemini';

/** `ok` answers; `overloaded` answers the vendor's overload status; `stream-error` is a 200 whose stream opens with an error event. */
export type UpstreamMode = 'ok' | 'overloaded' | 'stream-error';

/** Pause between SSE frames (each a separate TCP write), as a real upstream streams. */
export const SSE_PAUSE_MS = 5;

/** Splits `text` into `n` pieces of about equal length on grapheme boundaries (the way an upstream emits deltas). */
export function pieces(text: string, n: number): string[] {
  const graphemes = [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)].map(
    (s) => s.segment,
  );
  const size = Math.ceil(graphemes.length / n);
  const out: string[] = [];
  for (let i = 0; i < graphemes.length; i += size) out.push(graphemes.slice(i, i + size).join(''));
  return out;
}

/** One SSE frame. */
export function sse(event: string | null, data: unknown): string {
  return `${event === null ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;
}

/** A 200 event stream of `frames`, written one by one. */
export function stream(frames: string[]): FakeReply {
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
    chunks: frames,
    delayMs: SSE_PAUSE_MS,
  };
}

/** A JSON reply, gzipped when the caller accepts it (as the vendors' APIs do). */
export function json(req: RecordedRequest, status: number, body: unknown): FakeReply {
  const accept = req.headers['accept-encoding'] ?? '';
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    chunks: [JSON.stringify(body)],
    gzip: /\bgzip\b/.test(accept),
  };
}

/** The request's JSON body as an object ({} when it is none). */
export function body(req: RecordedRequest): Record<string, unknown> {
  return req.json !== null && typeof req.json === 'object' ? (req.json as Record<string, unknown>) : {};
}

/** A value that fits a (Gemini / JSON) schema: what a model asked for JSON would plausibly return. */
export function sampleFor(schema: unknown): unknown {
  const s = (schema ?? {}) as {
    type?: string;
    enum?: unknown[];
    properties?: Record<string, unknown>;
    items?: unknown;
  };
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  switch ((s.type ?? 'object').toLowerCase()) {
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sampleFor(v)]));
    case 'array':
      return [sampleFor(s.items)];
    case 'integer':
    case 'number':
      return 10;
    case 'boolean':
      return false;
    default:
      return 'A short answer from the fake upstream.';
  }
}

/** A token count in the right order of magnitude (bytes / 4). */
export function roughTokens(req: RecordedRequest): number {
  return Math.max(1, Math.round(req.body.length / 4));
}
