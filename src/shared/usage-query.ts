import type { StoredPriceRule } from './pricing';
import type { AttemptRecord, ClientApp, RequestFilter, UsageRow } from './usage';

/** One page of the request list, newest first. */
export interface RequestPageQuery extends RequestFilter {
  /** Rows per page, 1–1000 (default 50). */
  limit?: number;
  /** `nextCursor` of the previous page; absent = the newest page. */
  cursor?: string | null;
}

export interface RequestPage {
  rows: UsageRow[];
  /** Pass back as `cursor` for the next (older) page; null when this was the last one. */
  nextCursor: string | null;
}

/** One raw frame of a response as it arrived: an SSE event, a Gemini JSON-array element or a whole JSON body. */
/** How a response body is framed: SSE events, Gemini's JSON-array stream, or one JSON (or other) body. */
export type BodyMode = 'sse' | 'json-array' | 'json';

/** A run of one attempt's raw response bytes, as stored: each part as it arrived. */
export interface BodySegment {
  attempt: number;
  mode: BodyMode;
  parts: { offsetMs: number; bytes: Uint8Array }[];
}

/** Turns a segment's raw bytes back into the frames the inspector shows (the proxy's own decoders). */
export type BodyFramer = (segment: BodySegment) => CapturedFrame[];

export interface CapturedFrame {
  /** ms after the request arrived */
  offsetMs: number;
  event: string | null;
  data: string;
}

/** One inbound request header as recorded: name lowercase (as Node gives it), value redacted when secret. */
export interface RecordedHeader {
  name: string;
  value: string;
  /** The value was masked (a credential header or a secret-looking name) or had a credential-shaped part replaced. */
  redacted: boolean;
}

/** The inbound request line and headers as the client sent them, redacted and bounded (src/shared/header-redact.ts). */
export interface RecordedRequestHeaders {
  method: string;
  /** Path and query as sent, secret-looking query values (`key=`, `…token=`) replaced by `[redacted]`. */
  target: string;
  /** In arrival order; a repeated header (set-cookie) appears once per value. */
  headers: RecordedHeader[];
  /** Headers left out by the bounds (64 headers, 8 KiB in all). */
  omitted: number;
}

/**
 * One upstream text delta that smoothing split: when it reached Sluice and when each of its pieces was
 * written to the client, in ms after the request arrived.
 */
export interface SmoothingMark {
  upstreamOffsetMs: number;
  deliveredOffsetsMs: number[];
}

/** What was captured for a request (credentials redacted). */
export interface RequestCapture {
  /** The request line and headers; recorded for every request, kept as long as its other captures. */
  requestHeaders: RecordedRequestHeaders | null;
  frames: CapturedFrame[];
  /** Frames not kept because a capture cap was reached, or dropped with the oldest captures. */
  droppedFrames: number;
  /** The inbound body, when `captureRequestBodies` was on. */
  requestBody: string | null;
  /** Bytes cut from the end of the body by `captureMaxBytesPerRequest`. */
  requestBodyTruncatedBytes: number;
  /** When smoothing was on (and `captureFrames`): each split delta's arrival and deliveries, in order. */
  smoothing: SmoothingMark[];
  /** Split deltas not kept because the per-request bound on smoothing marks was reached. */
  droppedSmoothing: number;
  /**
   * A translated attempt's other sides (absent or null when the request was relayed as is): the body the
   * provider was sent, in its format (kept when `captureRequestBodies` is on), and the answer as
   * re-encoded for the client. `frames` above stay what the provider answered.
   */
  upstreamRequest?: CapturedUpstreamRequest | null;
  clientFrames?: CapturedFrame[];
  /** Client-side frames not kept because a capture cap was reached. */
  droppedClientFrames?: number;
}

/** The body a translated attempt sent its provider. */
export interface CapturedUpstreamRequest {
  attempt: number;
  body: string;
  /** Bytes cut from its end by `captureMaxBytesPerRequest`. */
  truncatedBytes: number;
}

/** Everything the inspector shows for one request. */
export interface RequestDetail {
  request: UsageRow;
  /** The price rule the cost was computed with (it may since have been retired). */
  pricing: StoredPriceRule | null;
  attempts: AttemptRecord[];
  capture: RequestCapture;
}

/** Time buckets of a summary: calendar hours, calendar days, or one bucket for the whole range. */
export type SummaryBucket = 'hour' | 'day' | 'all';

/** What a summary is grouped by besides time; `model` is the billed model. */
export type SummaryDimension = 'model' | 'provider' | 'client' | 'none';

export interface SummaryQuery {
  /** Inclusive, ms since the epoch; absent = from the first request. */
  sinceMs?: number;
  /** Exclusive; absent = up to now. */
  untilMs?: number;
  bucket: SummaryBucket;
  groupBy: SummaryDimension;
  /** Where days start (default `local`, the machine's own time zone). */
  timeZone?: 'local' | 'utc';
  client?: ClientApp;
  provider?: string;
  model?: string;
}

/** Totals of one bucket × group. Only finished requests count (completed, failed, aborted, interrupted). */
export interface SummaryRow {
  /** Start of the bucket, ms since the epoch and ISO 8601; null for bucket `all`. */
  bucketStartMs: number | null;
  bucketStart: string | null;
  /** The group's value (model, provider or client); null for groupBy `none` or a request without one. */
  key: string | null;
  requests: number;
  completed: number;
  failed: number;
  aborted: number;
  interrupted: number;
  /** failed + interrupted (a client's own abort is not an error). */
  errors: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** Requests with token counts but no matching price (their cost is missing from costUsd). */
  unpricedRequests: number;
  /** Time to first byte of completed requests, from a bucketed histogram (±10 % or so); null without any. */
  ttfbP50Ms: number | null;
  ttfbP95Ms: number | null;
}
