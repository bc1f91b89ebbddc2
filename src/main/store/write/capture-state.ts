import type { BodyMode, BodySegment, RecordedRequestHeaders } from '../../../shared/usage-query';

/*
 * What the capture buffer holds per request, and the small pure helpers over it; the buffer itself
 * (capture-buffer.ts) decides what is admitted and when it is due.
 */

/** A SmoothingMark as held: its deliveries are the caller's array, never changed (see CaptureSink.smoothed). */
export interface HeldSmoothingMark {
  readonly upstreamOffsetMs: number;
  readonly deliveredOffsetsMs: readonly number[];
}

/** The settings captures obey, read on every call so a change applies at once. */
export interface CaptureLimits {
  captureFrames: boolean;
  captureRequestBodies: boolean;
  /** Frame bytes kept per request; the request body has its own allowance of the same size. */
  captureMaxBytesPerRequest: number;
}

/** What one flush writes for one request. */
export type CaptureChunk =
  | {
      kind: 'response';
      requestId: string;
      capturedAt: number;
      segments: BodySegment[];
      /** Frames the held bytes complete, and frames a cap dropped. */
      frames: number;
      dropped: number;
      /** What stays held once this is written (an open stream's unfinished frame), and the bytes written. */
      rest: BodySegment[];
      bytes: number;
    }
  | {
      kind: 'client-response';
      requestId: string;
      capturedAt: number;
      segments: BodySegment[];
      frames: number;
      dropped: number;
      rest: BodySegment[];
      bytes: number;
    }
  | { kind: 'request-body'; requestId: string; capturedAt: number; body: string; cutBytes: number }
  | {
      kind: 'upstream-request';
      requestId: string;
      capturedAt: number;
      attempt: number;
      body: string;
      cutBytes: number;
    }
  | { kind: 'request-headers'; requestId: string; capturedAt: number; headers: RecordedRequestHeaders }
  | {
      kind: 'smoothing';
      requestId: string;
      capturedAt: number;
      marks: HeldSmoothingMark[];
      /** Split deltas the per-request bound dropped since the previous chunk. */
      dropped: number;
    };

/** A translated attempt's answer as re-encoded for the client: held and bounded like the response. */
export interface ClientSide {
  kept: number;
  segments: BodySegment[];
  frames: number;
  capped: boolean;
  dropped: number;
  /** Bytes held now. */
  bytes: number;
}

export interface RequestState {
  /** Response bytes accepted for this request so far, written or not. */
  kept: number;
  /** Response bytes held, by attempt, in arrival order. */
  segments: BodySegment[];
  /** Frames completed in the held bytes, and in response chunks a cap dropped, since the last write. */
  frames: number;
  /** A cap dropped a response chunk: the rest of the response is dropped too. */
  capped: boolean;
  dropped: number;
  body: { text: string; cutBytes: number } | null;
  /** The body a translated attempt sent its provider (the latest attempt's), until written. */
  upstream: { attempt: number; text: string; cutBytes: number } | null;
  upstreamBytes: number;
  /** Null until a translated attempt sends the client bytes. */
  client: ClientSide | null;
  /** The request line and headers, already redacted; null once written (or never recorded). */
  headers: RecordedRequestHeaders | null;
  /** Smoothing marks held, and those a bound dropped, since the last write. */
  smoothing: HeldSmoothingMark[];
  smoothingDropped: number;
  /** Split deltas and delivered pieces accepted for this request so far, written or not. */
  smoothedKept: number;
  piecesKept: number;
  /** A bound dropped a mark: the rest are dropped too, so the kept ones stay the stream's start. */
  smoothingCapped: boolean;
  /** Bytes held for this request now (frames, body, headers, marks), and since when (ms since the epoch). */
  frameBytes: number;
  bodyBytes: number;
  headerBytes: number;
  smoothingBytes: number;
  since: number;
  finished: boolean;
}

/** A translated answer's client side, before its first chunk. */
export function newClientSide(): ClientSide {
  return { kept: 0, segments: [], frames: 0, capped: false, dropped: 0, bytes: 0 };
}

/** A request seen for the first time: nothing held, nothing capped. */
export function newRequestState(): RequestState {
  return {
    kept: 0,
    segments: [],
    frames: 0,
    capped: false,
    dropped: 0,
    body: null,
    upstream: null,
    upstreamBytes: 0,
    client: null,
    headers: null,
    smoothing: [],
    smoothingDropped: 0,
    smoothedKept: 0,
    piecesKept: 0,
    smoothingCapped: false,
    frameBytes: 0,
    bodyBytes: 0,
    headerBytes: 0,
    smoothingBytes: 0,
    since: 0,
    finished: false,
  };
}

/** Bytes held for a request now, of every kind. */
export function held(s: RequestState): number {
  return (
    s.frameBytes + s.bodyBytes + s.headerBytes + s.smoothingBytes + s.upstreamBytes + (s.client?.bytes ?? 0)
  );
}

/** Something of this request is still to write: held data, or drop counts to record. */
export function holdsAny(s: RequestState): boolean {
  return (
    s.segments.length > 0 ||
    s.dropped > 0 ||
    s.body !== null ||
    s.upstream !== null ||
    (s.client !== null && (s.client.segments.length > 0 || s.client.dropped > 0)) ||
    s.headers !== null ||
    s.smoothing.length > 0 ||
    s.smoothingDropped > 0
  );
}

/** About what one smoothing mark weighs in memory: an object and an array of `pieces` numbers. */
export function markSize(pieces: number): number {
  return 48 + 8 * pieces;
}

/** About what a headers record weighs in memory and as a payload, in UTF-16 units. */
export function headersSize(h: RecordedRequestHeaders): number {
  let n = 64 + h.method.length + h.target.length;
  for (const x of h.headers) n += x.name.length + x.value.length + 8;
  return n;
}

/** Keeps one chunk at the end of a side's segments (a new segment when the attempt or framing changes). */
export function appendChunk(
  segments: BodySegment[],
  attempt: number,
  mode: BodyMode,
  offsetMs: number,
  bytes: Uint8Array,
): void {
  // A small view into a large buffer (a socket's read buffer) would hold all of it: keep a copy.
  // Buffer.from copies a small one into Node's shared 8 KiB pool instead of a fresh ArrayBuffer of
  // its own, which costs several times more to allocate and to collect, at a chunk per frame.
  const part = bytes.buffer.byteLength > 2 * bytes.length + 1024 ? Buffer.from(bytes) : bytes;
  const last = segments[segments.length - 1];
  if (last !== undefined && last.attempt === attempt && last.mode === mode)
    last.parts.push({ offsetMs, bytes: part });
  else segments.push({ attempt, mode, parts: [{ offsetMs, bytes: part }] });
}
