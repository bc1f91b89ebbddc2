/**
 * The proxy's failure vocabulary: every reason an attempt fails, a candidate is skipped or a request
 * ends other than completed is one member of `FailureCode`, with its details as data. Usage rows store
 * `failureText` (code first, so a row reads and greps the same as a live event or an error body).
 */

/** Why an attempt failed, a candidate was passed over, or a request ended without completing. */
export type FailureCode =
  // An attempt, before any response.
  | 'upstream_connect' // refused, reset, DNS, TLS, connect timeout; detail: the socket error code
  | 'first_byte_timeout' // no response headers (or, streaming, no first byte) within firstByteTimeoutMs
  | 'non_stream_timeout' // a non-streaming answer not whole within nonStreamTimeoutMs: final (504), no health verdict
  // An attempt that got an answer, before the commit.
  | 'http_status' // a non-2xx status; status: it
  | 'undecodable_encoding' // a content-encoding Sluice cannot decode; detail: it
  | 'error_in_stream' // an error event inside a 2xx stream; detail: its type and message
  | 'error_in_body' // an error object inside a 2xx JSON body; detail: its type and message
  | 'empty_body' // a 2xx answer with no bytes
  | 'html_page' // a 2xx answer that is an HTML page (a captive portal, a proxy's error page)
  | 'no_content' // a 2xx stream that ended with neither content nor its terminal event
  | 'read_error' // the body broke while the prefetch gate read it; detail: why
  | 'model_not_found' // a 404 or a "no such model" 400 (the format decides); status: it. Next provider; no health verdict
  | 'untranslatable' // the request cannot be said in the provider's format (Responses state); detail: why
  | 'quota_exhausted' // the key's quota or credit is spent (the format decides); status: it. A pool benches the key
  | 'thinking_signature' // Anthropic 400: thinking-block signatures another provider issued; retried once without them
  // After the commit.
  | 'idle_timeout' // no byte for idleTimeoutMs; detail: the bound
  | 'stream_broke' // the upstream body failed mid-stream; detail: why
  | 'stream_cut' // the upstream stream ended before its terminal event
  | 'client_aborted' // the client went away
  // A candidate that was not tried.
  | 'circuit_open'
  | 'probe_in_flight'
  | 'cooldown' // a Retry-After the provider asked for
  | 'model_not_allowed' // the provider's allowModels excludes the model
  | 'not_servable' // a route names it but it cannot take this request; detail: why (disabled, an op not translated)
  | 'rate_limited' // Sluice's own per-provider limits; detail: rpm | concurrency
  | 'keys_unavailable' // every key of the provider's pool is benched or cooling; detail: the soonest back
  // A request that reached no provider.
  | 'no_provider' // nothing configured or enabled for this format
  | 'refused' // a limit could not be decided and rateLimitFailMode is "closed"
  | 'internal'; // a bug in Sluice

export const FAILURE_CODES: readonly FailureCode[] = [
  'upstream_connect',
  'first_byte_timeout',
  'non_stream_timeout',
  'http_status',
  'undecodable_encoding',
  'error_in_stream',
  'error_in_body',
  'empty_body',
  'html_page',
  'no_content',
  'read_error',
  'model_not_found',
  'untranslatable',
  'quota_exhausted',
  'thinking_signature',
  'idle_timeout',
  'stream_broke',
  'stream_cut',
  'client_aborted',
  'circuit_open',
  'probe_in_flight',
  'cooldown',
  'model_not_allowed',
  'not_servable',
  'rate_limited',
  'keys_unavailable',
  'no_provider',
  'refused',
  'internal',
];

/** One failure: its code and the data that go with it. */
export interface Failure {
  readonly code: FailureCode;
  /** The HTTP status the upstream answered with (http_status), when there was one. */
  readonly status?: number;
  /** What the code alone does not say: a socket error code, an error event's text, a bound. */
  readonly detail?: string;
}

/** `code`, then ` status`, then `: detail` — the one text form of a failure, stored and shown. */
export function failureText(f: Failure): string {
  let text: string = f.code;
  if (f.status !== undefined) text += ` ${f.status}`;
  if (f.detail !== undefined && f.detail !== '') text += `: ${f.detail}`;
  return text;
}

/** The code a `failureText` starts with, or null when the text is not one (rows from older versions). */
export function failureCodeOf(text: string): FailureCode | null {
  const end = text.search(/[ :]/);
  const head = end === -1 ? text : text.slice(0, end);
  return (FAILURE_CODES as readonly string[]).includes(head) ? (head as FailureCode) : null;
}
