// Writes and reads: the writer inserts and trims, retention deletes, read/usage-queries reads one request; here for its main use.
import type BetterSqlite3 from 'better-sqlite3';
import { brotliCompressSync, brotliDecompressSync, constants, inflateRawSync } from 'node:zlib';
import type { BodyFramer, BodySegment, RequestCapture } from '../../../shared/usage-query';
import type { CaptureChunk } from './capture-buffer';
import {
  decodeFrames,
  decodeRequestHeaders,
  decodeResponse,
  decodeSmoothing,
  encodeRequestHeaders,
  encodeResponse,
  encodeSmoothing,
  type ByteSpans,
} from '../schema/capture-codec';

/** How captures are cleared of secrets: texts rewritten whole, raw bytes by the stretches to replace. */
export interface Redactor {
  text: (text: string) => string;
  spans: ByteSpans;
}

/** The only code that reads or writes the `captures` table. */
export interface CapturesRepo {
  /** Stores one chunk, redacted by `redact`, compressed; skipped (0) if its request has no row. Returns bytes stored. */
  insert(chunk: CaptureChunk, redact: Redactor): number;
  /** Bytes of every stored capture, kept exact by triggers. */
  totalBytes(): number;
  /**
   * Deletes the captures of whole requests, oldest first, from the oldest `batch` chunks, until the
   * total is at most `maxBytes`. Returns chunks deleted; call again while it returns > 0 and the total is over.
   */
  trimToTotal(maxBytes: number, batch: number): number;
  /** A few bounded trimToTotal steps (so one flush never runs long); the next flush does the rest. */
  enforceTotal(maxBytes: number): void;
  /**
   * Inserts chunks in order until `deadline` (performance.now() ms) passes, at least one, then
   * enforces `maxTotalBytes`; returns how many it inserted.
   */
  insertUntil(
    chunks: readonly CaptureChunk[],
    redact: Redactor,
    deadline: number,
    maxTotalBytes: number,
  ): number;
  /** Deletes at most `batch` chunks captured before `cutoffMs`; returns how many. */
  deleteOlderThan(cutoffMs: number, batch: number): number;
  /** What was captured for a request, in arrival order. */
  forRequest(requestId: string): RequestCapture;
}

interface ChunkRow {
  kind: string;
  frames: number;
  dropped: number;
  codec: number;
  payload: Buffer;
}

/**
 * How payloads are compressed: `codec` 1. Quality 1 is Brotli's fastest that still compresses SSE JSON
 * ~30×. The size hint lets the encoder size its buffers to the payload: a request's headers (a few
 * hundred bytes) then cost about half of what they do with buffers sized for a 4 MB window.
 */
function brotli(raw: Buffer): Buffer {
  return brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 1,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
}

/** A stored payload, back to its bytes: Brotli (codec 1) or, for rows from before it, raw DEFLATE. */
function unpack(row: ChunkRow): Buffer {
  return row.codec === 1 ? brotliDecompressSync(row.payload) : inflateRawSync(row.payload);
}

/** Chunks examined per trimming step, and steps per call of enforceTotal. */
const TRIM_BATCH = 1000;
const TRIM_STEPS = 8;

/**
 * `framer` turns stored response bytes back into frames for `forRequest` (the proxy's decoders, wired
 * by the app: the store imports no proxy code); without one, response bytes read as no frames.
 */
export function createCapturesRepo(db: BetterSqlite3.Database, framer?: BodyFramer): CapturesRepo {
  // A chunk whose start record was lost (dropped from a full queue) has nothing to belong to: skip it
  // rather than trip the foreign key and fail the whole batch.
  const insert = db.prepare(
    `INSERT INTO captures (request_id, kind, captured_at, frames, dropped, bytes, codec, payload)
     SELECT @requestId, @kind, @capturedAt, @frames, @dropped, @bytes, 1, @payload
     WHERE EXISTS (SELECT 1 FROM requests WHERE request_id = @requestId)`,
  );
  const total = db.prepare<[], { bytes: number }>(`SELECT bytes FROM capture_totals WHERE id = 1`);
  const oldest = db.prepare<[number], { request_id: string; bytes: number }>(
    `SELECT request_id, bytes FROM captures ORDER BY id LIMIT ?`,
  );
  const dropRequest = db.prepare<[string]>(`DELETE FROM captures WHERE request_id = ?`);
  const expire = db.prepare<[number, number]>(
    `DELETE FROM captures WHERE id IN (SELECT id FROM captures WHERE captured_at < ? ORDER BY captured_at LIMIT ?)`,
  );
  const chunks = db.prepare<[string], ChunkRow>(
    `SELECT kind, frames, dropped, codec, payload FROM captures WHERE request_id = ? ORDER BY id`,
  );

  return {
    insert(chunk, redact) {
      const raw =
        chunk.kind === 'response' || chunk.kind === 'client-response'
          ? encodeResponse(chunk.segments, redact.spans)
          : Buffer.from(chunkText(chunk, redact.text), 'utf8');
      // SSE frames are repetitive JSON: Brotli's fastest level stores them in a fraction of the space, so
      // the total cap holds many times more requests, for a few tens of µs per chunk.
      const payload = brotli(raw);
      const bytes = payload.length;
      const result = insert.run({
        requestId: chunk.requestId,
        kind: chunk.kind,
        capturedAt: chunk.capturedAt,
        frames: chunkFrames(chunk),
        dropped: chunkDropped(chunk),
        bytes,
        payload,
      });
      return result.changes > 0 ? bytes : 0;
    },
    totalBytes() {
      return total.get()?.bytes ?? 0;
    },
    trimToTotal(maxBytes, batch) {
      let excess = this.totalBytes() - maxBytes;
      if (excess <= 0) return 0;
      const victims = new Set<string>();
      for (const row of oldest.all(batch)) {
        if (excess <= 0) break;
        victims.add(row.request_id);
        excess -= row.bytes;
      }
      let deleted = 0;
      for (const id of victims) deleted += dropRequest.run(id).changes;
      return deleted;
    },
    enforceTotal(maxBytes) {
      for (let i = 0; i < TRIM_STEPS && this.trimToTotal(maxBytes, TRIM_BATCH) > 0; i++) {
        // each step drops the oldest requests' captures
      }
    },
    insertUntil(list, redact, deadline, maxTotalBytes) {
      let n = 0;
      while (n < list.length) {
        this.insert(list[n]!, redact);
        n++;
        if (performance.now() > deadline) break;
      }
      this.enforceTotal(maxTotalBytes);
      return n;
    },
    deleteOlderThan(cutoffMs, batch) {
      return expire.run(cutoffMs, batch).changes;
    },
    forRequest(requestId) {
      const capture: RequestCapture = {
        requestHeaders: null,
        frames: [],
        droppedFrames: 0,
        requestBody: null,
        requestBodyTruncatedBytes: 0,
        smoothing: [],
        droppedSmoothing: 0,
      };
      const segments: BodySegment[] = [];
      const clientSegments: BodySegment[] = [];
      let clientDropped = 0;
      for (const c of chunks.all(requestId)) {
        if (c.kind === 'client-response') {
          for (const seg of decodeResponse(unpack(c)) ?? []) {
            const last = clientSegments[clientSegments.length - 1];
            if (last !== undefined && last.attempt === seg.attempt && last.mode === seg.mode)
              for (const part of seg.parts) last.parts.push(part);
            else clientSegments.push(seg);
          }
          clientDropped += c.dropped;
        } else if (c.kind === 'upstream-request') {
          // `frames` holds the attempt that sent it: the latest attempt's is the one shown.
          if (capture.upstreamRequest == null || c.frames >= capture.upstreamRequest.attempt)
            capture.upstreamRequest = {
              attempt: c.frames,
              body: unpack(c).toString('utf8'),
              truncatedBytes: c.dropped,
            };
        } else if (c.kind === 'response') {
          for (const seg of decodeResponse(unpack(c)) ?? []) {
            // A stream written in several chunks continues its attempt's segment.
            const last = segments[segments.length - 1];
            if (last !== undefined && last.attempt === seg.attempt && last.mode === seg.mode)
              for (const part of seg.parts) last.parts.push(part);
            else segments.push(seg);
          }
          capture.droppedFrames += c.dropped;
        } else if (c.kind === 'request-body') {
          capture.requestBody = unpack(c).toString('utf8');
          capture.requestBodyTruncatedBytes = c.dropped;
        } else if (c.kind === 'request-headers') {
          capture.requestHeaders = decodeRequestHeaders(unpack(c).toString('utf8'), c.dropped);
        } else if (c.kind === 'smoothing') {
          // A loop, like frames: a long stream's marks outnumber what a call takes as arguments.
          for (const m of decodeSmoothing(unpack(c).toString('utf8'))) capture.smoothing.push(m);
          capture.droppedSmoothing += c.dropped;
        } else {
          // Frames stored one by one (schema ≤ 3, before raw bytes). A loop, not push(...frames): a long
          // stream can hold more frames than a call takes arguments.
          for (const f of decodeFrames(unpack(c).toString('utf8'))) capture.frames.push(f);
          capture.droppedFrames += c.dropped;
        }
      }
      // The frames are the response the client got: the last attempt that sent bytes (a commit ends the
      // attempts). What earlier attempts sent is in their attempt rows (the head that caused the failover).
      const last = segments.reduce((n, seg) => Math.max(n, seg.attempt), 0);
      if (framer !== undefined)
        for (const seg of segments)
          if (seg.attempt === last) for (const f of framer(seg)) capture.frames.push(f);
      // The client's side of a translated answer: only when it belongs to the attempt shown (a relayed
      // attempt after a translated one has none).
      const clientLast = clientSegments.reduce((n, seg) => Math.max(n, seg.attempt), 0);
      if (clientSegments.length > 0 && (clientLast === last || last === 0)) {
        capture.clientFrames = [];
        capture.droppedClientFrames = clientDropped;
        if (framer !== undefined)
          for (const seg of clientSegments)
            if (seg.attempt === clientLast) for (const f of framer(seg)) capture.clientFrames.push(f);
      }
      if (capture.upstreamRequest != null && last > 0 && capture.upstreamRequest.attempt !== last)
        capture.upstreamRequest = null;
      return capture;
    },
  };
}

/** A chunk's text as stored, every string redacted with `redact` first. */
function chunkText(
  chunk: Exclude<CaptureChunk, { kind: 'response' | 'client-response' }>,
  redact: (text: string) => string,
): string {
  switch (chunk.kind) {
    case 'request-body':
    case 'upstream-request':
      return redact(chunk.body);
    case 'request-headers': {
      // Already masked by the buffer; this adds the providers' own keys, by value, like every capture.
      const h = chunk.headers;
      return encodeRequestHeaders({
        method: h.method,
        target: redact(h.target),
        headers: h.headers.map((x) => {
          const value = redact(x.value);
          return { name: x.name, value, redacted: x.redacted || value !== x.value };
        }),
      });
    }
    case 'smoothing':
      // Offsets only: nothing in them to redact.
      return encodeSmoothing(chunk.marks);
  }
}

/** What the `frames` column holds: frames in a response chunk, split deltas in a smoothing one. */
function chunkFrames(chunk: CaptureChunk): number {
  if (chunk.kind === 'response' || chunk.kind === 'client-response') return chunk.frames;
  if (chunk.kind === 'upstream-request') return chunk.attempt;
  return chunk.kind === 'smoothing' ? chunk.marks.length : 0;
}

/** What the `dropped` column holds: frames dropped, body bytes cut, headers left out, or marks dropped. */
function chunkDropped(chunk: CaptureChunk): number {
  switch (chunk.kind) {
    case 'response':
    case 'client-response':
    case 'smoothing':
      return chunk.dropped;
    case 'request-body':
    case 'upstream-request':
      return chunk.cutBytes;
    case 'request-headers':
      return chunk.headers.omitted;
  }
}
