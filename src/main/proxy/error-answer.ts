import type { Failure } from '../../shared/failure';
import type { RequestRepair } from '../../formats';
import type { ChunkReader } from './chunk-reader';
import type { RequestContext } from './request-context';
import type { FormatAdapter } from '../../formats';

/** Error bodies are kept whole up to this many bytes, so they can be passed to the client as they are. */
export const ERROR_BODY_MAX_BYTES = 64 * 1024;

/** What an attempt record and a live event keep of a failing body. */
const HEAD_BYTES = 2048;

/** A provider's error answer to a failed attempt, kept so the client can get it when nothing else serves. */
export interface ErrorAnswer {
  status: number;
  /** Its headers, hop-by-hop and content-encoding already gone (the body is decoded). */
  headers: Record<string, string | string[]>;
  /** The decoded body, at most ERROR_BODY_MAX_BYTES. */
  body: Buffer;
  /** The whole body was read (its end came within the byte and time bounds). */
  whole: boolean;
}

/**
 * Reads an error body into `held` (each chunk also given to `push`) until its end, ERROR_BODY_MAX_BYTES
 * or `waitMs`; true when its end was reached. A body that breaks is simply not whole.
 */
export async function readErrorBody(
  reader: ChunkReader,
  held: Buffer[],
  push: (chunk: Buffer) => void,
  waitMs: number,
  mono: () => number,
): Promise<boolean> {
  const deadline = mono() + waitMs;
  let bytes = held.reduce((n, b) => n + b.length, 0);
  try {
    while (bytes <= ERROR_BODY_MAX_BYTES) {
      const r = await reader.next(Math.max(0, deadline - mono()));
      if (r.kind === 'end') return true;
      if (r.kind === 'timeout') return false;
      held.push(r.chunk);
      push(r.chunk);
      bytes += r.chunk.length;
    }
  } catch {
    // the status already says enough
  }
  return false;
}

/** What an attempt does with a non-2xx answer it has read (up to its bounds) into `held`. */
export type ErrorVerdict =
  { kind: 'fail'; failure: Failure; answer: ErrorAnswer; repair: RequestRepair | null } | { kind: 'pass' };

/** What the walk allows one attempt. */
export interface ErrorRules {
  /** Another candidate may still serve the model: a "model not found" answer fails over, not passes on. */
  modelElsewhere: boolean;
  /** A refusal the format can repair (`repairRequest`) fails the attempt so the walk retries it, once. */
  mayRepair: boolean;
  /** The request body sent instead of the client's (a repaired one), or null. */
  json: Readonly<Record<string, unknown>> | null;
}

/**
 * A non-2xx answer, read: a spent quota (the format decides) or a status another provider may well
 * not give (429, 5xx, 401/403…) fails over; a 404 or a "model not found" 400 fails over while another candidate may have the model; a
 * refusal the format can repair is retried; anything else is the client's own mistake, passed on.
 */
export function errorVerdict(
  ctx: RequestContext,
  speaking: FormatAdapter,
  answer: ErrorAnswer,
  retryable: boolean,
  rules: ErrorRules,
): ErrorVerdict {
  const { status } = answer;
  const text = answer.body.toString('utf8');
  // A spent quota or credit: this key will not work again soon, another key or provider may.
  if (speaking.isQuotaExhausted(status, text))
    return { kind: 'fail', failure: { code: 'quota_exhausted', status }, answer, repair: null };
  if (retryable) return { kind: 'fail', failure: { code: 'http_status', status }, answer, repair: null };
  // The provider's format reads its own error (`speaking`: the client's, or the one translated to).
  if (rules.modelElsewhere && speaking.isModelNotFound(status, text))
    return { kind: 'fail', failure: { code: 'model_not_found', status }, answer, repair: null };
  const sent = rules.json ?? ctx.json;
  // A repair rewrites the client's own body: only where nothing is translated.
  const native = speaking === ctx.adapter;
  const repair =
    native && rules.mayRepair && sent !== null ? ctx.adapter.repairRequest(status, text, sent) : null;
  if (repair !== null) return { kind: 'fail', failure: { code: repair.code, status }, answer, repair };
  return { kind: 'pass' };
}

/** The first bytes of a body as text (≤ 2 KiB), for attempt rows and live events; null when empty. */
export function bodyHead(chunks: readonly Buffer[]): string | null {
  if (chunks.length === 0) return null;
  return Buffer.concat(chunks).subarray(0, HEAD_BYTES).toString('utf8');
}

/**
 * Headers of a provider's error that clients act on: when to retry (`retry-after`, `retry-after-ms`,
 * `x-should-retry`, which the OpenAI and Anthropic SDKs read first), rate-limit state, support ids.
 */
const RELAYED =
  /^(?:content-type|retry-after|retry-after-ms|x-should-retry|x-ratelimit-.+|anthropic-ratelimit-.+|request-id|x-request-id)$/;

/** The headers of an error answer that go to the client with it. */
export function relayedErrorHeaders(a: ErrorAnswer): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(a.headers)) if (RELAYED.test(name)) out[name] = value;
  return out;
}

/** Whether a failure is a timeout (no answer in time): when every attempt ends so, the client gets 504. */
export function isTimeout(f: Failure): boolean {
  return (
    f.code === 'first_byte_timeout' ||
    f.code === 'non_stream_timeout' ||
    (f.code === 'upstream_connect' && f.detail === 'UND_ERR_CONNECT_TIMEOUT')
  );
}

/** Text safe for a header value: printable ASCII only, at most 512 characters. */
export function headerText(text: string): string {
  return text.replace(/[^\x20-\x7e]+/g, '?').slice(0, 512);
}
