import { recordRequestHeaders, type InboundHeaders } from '../../../shared/header-redact';
import { segmentBytes, splitAtFrameEnd } from './capture-split';
import type { BodyMode, RecordedRequestHeaders } from '../../../shared/usage-query';
import {
  appendChunk,
  headersSize,
  held,
  holdsAny,
  markSize,
  newClientSide,
  newRequestState,
  type CaptureChunk,
  type CaptureLimits,
  type RequestState,
} from './capture-state';

export type { CaptureChunk, CaptureLimits, HeldSmoothingMark } from './capture-state';

/** Requests whose capture state is held at once; beyond it the oldest is forgotten (a finish that never came). */
const MAX_OPEN_REQUESTS = 20_000;

/**
 * A long stream is written in chunks of about this many bytes, or this often, so its frames are not
 * all held until it ends; a short one is written once, when it finishes.
 */
export const CHUNK_BYTES = 64 * 1024;
export const CHUNK_AGE_MS = 2_000;

/**
 * Smoothing marks kept per request: split deltas (a fixed 2 000, where the live events have the
 * `liveFramesPerRequest` budget: plenty for a long answer's waterfall), and delivered pieces in all — one
 * huge delta split a grapheme at a time makes thousands. Beyond either the rest are counted, not kept.
 */
export const MAX_SMOOTHED_PER_REQUEST = 2_000;
export const MAX_SMOOTHED_PIECES_PER_REQUEST = 20_000;

/**
 * Holds captured frames in memory between flushes: bounded per request by the settings, and in total
 * by `maxPendingBytes` so a database that cannot be written cannot make it grow without end.
 * Nothing is forgotten until `written()` confirms the chunks from `chunks()` are in the database.
 */
export class CaptureBuffer {
  private readonly open = new Map<string, RequestState>();
  private pending = 0;

  constructor(
    private readonly limits: () => CaptureLimits,
    private readonly maxPendingBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Bytes held in memory, not yet written. */
  get pendingBytes(): number {
    return this.pending;
  }

  /** Requests with capture state held (for tests and figures). */
  get openRequests(): number {
    return this.open.size;
  }

  /**
   * Whether one more chunk of `size` fits a side's byte cap and the buffer's; counts it kept if so.
   * Past a cap the rest of that side is counted, not kept: a later chunk that fits would follow a
   * gap, and its bytes would read as a torn stream.
   */
  private admit(
    side: { kept: number; capped: boolean; dropped: number },
    size: number,
    frames: number,
    maxBytes: number,
  ): boolean {
    if (side.capped || side.kept + size > maxBytes || this.pending + size > this.maxPendingBytes) {
      side.capped = true;
      side.dropped += frames;
      return false;
    }
    side.kept += size;
    return true;
  }

  /** One chunk of an attempt's response body, kept as it is; see CaptureSink.responseBytes. */
  responseBytes(
    requestId: string,
    attempt: number,
    mode: BodyMode,
    offsetMs: number,
    bytes: Uint8Array,
    frames: number,
  ): void {
    const limits = this.limits();
    if (!limits.captureFrames || bytes.length === 0) return;
    const state = this.state(requestId);
    const size = bytes.length;
    if (!this.admit(state, size, frames, limits.captureMaxBytesPerRequest)) return;
    if (held(state) === 0) state.since = this.now();
    state.frameBytes += size;
    state.frames += frames;
    this.pending += size;
    appendChunk(state.segments, attempt, mode, offsetMs, bytes);
  }

  /** One chunk of a translated answer as re-encoded for the client; see CaptureSink.clientBytes. */
  clientBytes(
    requestId: string,
    attempt: number,
    mode: BodyMode,
    offsetMs: number,
    bytes: Uint8Array,
    frames: number,
  ): void {
    const limits = this.limits();
    if (!limits.captureFrames || bytes.length === 0) return;
    const state = this.state(requestId);
    const side = (state.client ??= newClientSide());
    const size = bytes.length;
    if (!this.admit(side, size, frames, limits.captureMaxBytesPerRequest)) return;
    if (held(state) === 0) state.since = this.now();
    side.bytes += size;
    side.frames += frames;
    this.pending += size;
    appendChunk(side.segments, attempt, mode, offsetMs, bytes);
  }

  /** The body a translated attempt sent its provider: as `requestBody` (a later attempt's replaces it). */
  upstreamRequestBody(requestId: string, attempt: number, body: Uint8Array): void {
    const limits = this.limits();
    if (!limits.captureRequestBodies) return;
    const state = this.state(requestId);
    const free = this.maxPendingBytes - this.pending + state.upstreamBytes;
    const keep = Math.min(body.length, limits.captureMaxBytesPerRequest, free);
    if (keep <= 0 && body.length > 0) return;
    const text = Buffer.from(body.buffer, body.byteOffset, keep).toString('utf8');
    this.pending -= state.upstreamBytes;
    state.upstreamBytes = 0;
    if (held(state) === 0) state.since = this.now();
    state.upstream = { attempt, text, cutBytes: body.length - keep };
    state.upstreamBytes = keep;
    this.pending += keep;
  }

  requestBody(requestId: string, body: Uint8Array): void {
    const limits = this.limits();
    if (!limits.captureRequestBodies) return;
    const keep = Math.min(body.length, limits.captureMaxBytesPerRequest, this.maxPendingBytes - this.pending);
    if (keep <= 0 && body.length > 0) return;
    const state = this.state(requestId);
    if (state.body !== null) return;
    const text = Buffer.from(body.buffer, body.byteOffset, keep).toString('utf8');
    state.body = { text, cutBytes: body.length - keep };
    if (held(state) === 0) state.since = this.now();
    state.bodyBytes = keep;
    this.pending += keep;
  }

  /**
   * The request line and headers, redacted and bounded at once (src/shared/header-redact.ts), so no
   * clear credential is ever held. Recorded for every request whatever `captureFrames` and
   * `captureRequestBodies` say: they are small metadata (≤ 8 KiB) without prompts, and the inspector
   * needs them to make sense of a request. Stored as a capture chunk, they follow the captures' life —
   * `captureRetentionDays` and `captureMaxTotalBytes` — not the longer one of the request row.
   */
  requestHeaders(requestId: string, method: string, target: string, headers: InboundHeaders): void {
    this.recordedHeaders(requestId, recordRequestHeaders(method, target, headers));
  }

  /** Headers already recorded (masked) by `recordRequestHeaders`, e.g. on another thread. */
  recordedHeaders(requestId: string, record: RecordedRequestHeaders): void {
    const size = headersSize(record);
    if (this.pending + size > this.maxPendingBytes) return;
    const state = this.state(requestId);
    if (state.headers !== null) return;
    if (held(state) === 0) state.since = this.now();
    state.headers = record;
    state.headerBytes = size;
    this.pending += size;
  }

  /**
   * One split delta's arrival and deliveries (ms after the request arrived), kept while `captureFrames`
   * is on, within the per-request bounds above and the total in memory. The array is kept as it is.
   */
  smoothed(requestId: string, upstreamOffsetMs: number, deliveredOffsetsMs: readonly number[]): void {
    if (!this.limits().captureFrames) return;
    const state = this.state(requestId);
    const pieces = deliveredOffsetsMs.length;
    const size = markSize(pieces);
    if (
      state.smoothingCapped ||
      state.smoothedKept >= MAX_SMOOTHED_PER_REQUEST ||
      state.piecesKept + pieces > MAX_SMOOTHED_PIECES_PER_REQUEST ||
      this.pending + size > this.maxPendingBytes
    ) {
      state.smoothingCapped = true;
      state.smoothingDropped++;
      return;
    }
    state.smoothedKept++;
    state.piecesKept += pieces;
    if (held(state) === 0) state.since = this.now();
    state.smoothingBytes += size;
    this.pending += size;
    // The caller never changes the array after (CaptureSink.smoothed): held as it is, not copied.
    state.smoothing.push({ upstreamOffsetMs, deliveredOffsetsMs });
  }

  /**
   * A chunk of `frames` frames never reached the buffer (the store's queue was full): the side is
   * capped from here on, as if a cap had dropped it, so no later chunk follows the gap.
   */
  lost(requestId: string, side: 'response' | 'client', frames: number): void {
    const state = this.state(requestId);
    const target = side === 'response' ? state : (state.client ??= newClientSide());
    target.capped = true;
    target.dropped += frames;
  }

  /** No more frames will come for this request: its state goes once its last chunk is written. */
  finished(requestId: string): void {
    const state = this.open.get(requestId);
    if (state !== undefined) state.finished = true;
  }

  /**
   * The chunks due now, one per request and kind: a finished request's, a large or old backlog, or
   * (with `force`) everything held.
   */
  chunks(force: boolean, final = false): CaptureChunk[] {
    const out: CaptureChunk[] = [];
    const now = this.now();
    for (const [requestId, s] of this.open) {
      if (!holdsAny(s)) continue;
      if (!force && !s.finished && held(s) < CHUNK_BYTES && now - s.since < CHUNK_AGE_MS) continue;
      if (s.headers !== null)
        out.push({ kind: 'request-headers', requestId, capturedAt: now, headers: s.headers });
      if (s.body !== null)
        out.push({
          kind: 'request-body',
          requestId,
          capturedAt: now,
          body: s.body.text,
          cutBytes: s.body.cutBytes,
        });
      // An open stream is written up to its last whole frame (see splitAtFrameEnd), until it ends or the
      // writer closes for good.
      const split = final || s.finished ? { emit: s.segments, rest: [] } : splitAtFrameEnd(s.segments);
      const bytes = segmentBytes(split.emit);
      if (bytes > 0 || s.dropped > 0)
        out.push({
          kind: 'response',
          requestId,
          capturedAt: now,
          segments: split.emit,
          frames: s.frames,
          dropped: s.dropped,
          rest: split.rest,
          bytes,
        });
      if (s.upstream !== null)
        out.push({
          kind: 'upstream-request',
          requestId,
          capturedAt: now,
          attempt: s.upstream.attempt,
          body: s.upstream.text,
          cutBytes: s.upstream.cutBytes,
        });
      const client = s.client;
      if (client !== null) {
        const cut =
          final || s.finished ? { emit: client.segments, rest: [] } : splitAtFrameEnd(client.segments);
        const clientBytes = segmentBytes(cut.emit);
        if (clientBytes > 0 || client.dropped > 0)
          out.push({
            kind: 'client-response',
            requestId,
            capturedAt: now,
            segments: cut.emit,
            frames: client.frames,
            dropped: client.dropped,
            rest: cut.rest,
            bytes: clientBytes,
          });
      }
      if (s.smoothing.length > 0 || s.smoothingDropped > 0)
        out.push({
          kind: 'smoothing',
          requestId,
          capturedAt: now,
          marks: s.smoothing,
          dropped: s.smoothingDropped,
        });
    }
    return out;
  }

  /** These chunks (from the last `chunks()`) are stored: forget them, and every finished request with nothing left. */
  written(chunks: readonly CaptureChunk[]): void {
    for (const c of chunks) {
      const s = this.open.get(c.requestId);
      if (s === undefined) continue;
      if (c.kind === 'response') {
        this.pending -= c.bytes;
        s.frameBytes -= c.bytes;
        s.segments = c.rest;
        // What stays is a new frame's start: it waits its own CHUNK_AGE_MS before it is due alone.
        if (c.rest.length > 0) s.since = this.now();
        s.frames = 0;
        s.dropped = 0;
      } else if (c.kind === 'client-response') {
        const client = s.client;
        if (client === null) continue;
        this.pending -= c.bytes;
        client.bytes -= c.bytes;
        client.segments = c.rest;
        if (c.rest.length > 0) s.since = this.now();
        client.frames = 0;
        client.dropped = 0;
      } else if (c.kind === 'upstream-request') {
        // A later attempt's body may have replaced it since: only the one written goes.
        if (s.upstream === null || s.upstream.attempt !== c.attempt) continue;
        this.pending -= s.upstreamBytes;
        s.upstream = null;
        s.upstreamBytes = 0;
      } else if (c.kind === 'request-body') {
        this.pending -= s.bodyBytes;
        s.body = null;
        s.bodyBytes = 0;
      } else if (c.kind === 'request-headers') {
        this.pending -= s.headerBytes;
        s.headers = null;
        s.headerBytes = 0;
      } else {
        this.pending -= s.smoothingBytes;
        s.smoothing = [];
        s.smoothingDropped = 0;
        s.smoothingBytes = 0;
      }
    }
    for (const [id, s] of this.open) {
      if (s.finished && !holdsAny(s)) this.open.delete(id);
    }
  }

  private state(requestId: string): RequestState {
    let s = this.open.get(requestId);
    if (s === undefined) {
      if (this.open.size >= MAX_OPEN_REQUESTS) this.forgetOldest();
      s = newRequestState();
      this.open.set(requestId, s);
    }
    return s;
  }

  private forgetOldest(): void {
    const first = this.open.entries().next();
    if (first.done === true) return;
    const [id, s] = first.value;
    this.pending -= held(s);
    this.open.delete(id);
  }
}
