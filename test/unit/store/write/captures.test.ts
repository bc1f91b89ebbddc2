import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { brotliDecompressSync, deflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../../src/shared/settings';
import type { CapturedFrame, SmoothingMark } from '../../../../src/shared/usage-query';
import {
  decodeFrames,
  decodeRequestHeaders,
  decodeResponse,
  decodeSmoothing,
  encodeFrames,
  encodeRequestHeaders,
  encodeResponse,
  encodeSmoothing,
} from '../../../../src/main/store/schema/capture-codec';
import { byteSecretSpans } from '../../../../src/main/store/write/byte-secrets';
import {
  CaptureBuffer,
  CHUNK_AGE_MS,
  MAX_SMOOTHED_PER_REQUEST,
  MAX_SMOOTHED_PIECES_PER_REQUEST,
} from '../../../../src/main/store/write/capture-buffer';
import { createCapturesRepo } from '../../../../src/main/store/write/captures-repo';
import { framesOfSegment } from '../../../../src/main/proxy/capture-frames';
import { runRetention } from '../../../../src/main/store/write/retention';
import { closeDatabase, openDatabase, type Database } from '../../../../src/main/store/schema/db';
import { createUsageQueries, type UsageQueries } from '../../../../src/main/store/read/usage-queries';
import { UsageWriter, type CaptureSettings } from '../../../../src/main/store/write/usage-writer';
import { aFinish, aStart } from '../fixtures';
import { useTempDir } from '../temp-dir';

const tempDir = useTempDir();
let db: Database;
let q: UsageQueries;
let settings: CaptureSettings;

beforeEach(() => {
  db = openDatabase(join(tempDir(), 'usage.db'));
  q = createUsageQueries(db, framesOfSegment);
  settings = { ...DEFAULT_SETTINGS };
});
afterEach(() => closeDatabase(db));

function writer(): UsageWriter {
  return new UsageWriter(db, { capture: () => settings, secrets: () => ['provider-secret-value'] });
}

/** One frame as the relay hands it to the store: its SSE bytes, as one chunk. */
function sendFrame(
  w: UsageWriter,
  requestId: string,
  offsetMs: number,
  event: string | null,
  data: string,
): void {
  const text = `${event === null ? '' : `event: ${event}\n`}${data
    .split('\n')
    .map((line) => `data: ${line}\n`)
    .join('')}\n`;
  w.responseBytes(requestId, 1, 'sse', offsetMs, Buffer.from(text), 1);
}

/** One request through the writer with `frames`, returning its id. */
function record(w: UsageWriter, frames: readonly CapturedFrame[], body?: string): string {
  const s = aStart();
  w.requestStarted(s);
  if (body !== undefined) w.requestBody(s.requestId, Buffer.from(body));
  for (const f of frames) sendFrame(w, s.requestId, f.offsetMs, f.event, f.data);
  w.requestFinished(aFinish(s.requestId));
  return s.requestId;
}

const frame = (i: number, data = `{"i":${i}}`): CapturedFrame => ({
  offsetMs: i * 10,
  event: i % 2 ? 'delta' : null,
  data,
});

describe('capture codec', () => {
  it('round-trips frames with any content, null and empty event names alike', () => {
    const frames: CapturedFrame[] = [
      { offsetMs: 0, event: null, data: '' },
      { offsetMs: 3, event: '', data: 'line one\nline two' },
      { offsetMs: 7, event: 'message_delta', data: '{"text":"日本語 🙂 \\"quoted\\" 12 34 5\\n"}' },
      { offsetMs: -1, event: 'x y', data: '1 2 3\n' },
    ];
    expect(decodeFrames(encodeFrames(frames))).toEqual(frames);
    expect(decodeFrames('')).toEqual([]);
  });

  it('keeps the frames before a damaged one', () => {
    const good = encodeFrames([frame(1), frame(2)]);
    expect(decodeFrames(`${good}5 -1 999\nshort`)).toEqual([frame(1), frame(2)]);
  });
});

describe('request headers codec', () => {
  it('round-trips, and yields null for a damaged payload', () => {
    const h = {
      method: 'POST',
      target: '/v1/messages?beta=true',
      headers: [
        { name: 'content-type', value: 'application/json', redacted: false },
        { name: 'x-api-key', value: 'sk-a…(redacted, 40 chars)', redacted: true },
        { name: 'x-odd', value: '"quoted" \\ 日本語', redacted: false },
      ],
    };
    expect(decodeRequestHeaders(encodeRequestHeaders(h), 3)).toEqual({ ...h, omitted: 3 });
    expect(decodeRequestHeaders('{"method":"POST"', 0)).toBeNull();
    expect(decodeRequestHeaders('{"method":"POST","target":"/","headers":[[1,2]]}', 0)).toBeNull();
    expect(decodeRequestHeaders('null', 0)).toBeNull();
  });
});

describe('request headers through the writer', () => {
  const KEY = 'sk-ant-api03-0123456789abcdefghijklmnop';
  const headers = {
    host: '127.0.0.1:8787',
    'content-type': 'application/json',
    'x-api-key': KEY,
    'x-trace': 'carries provider-secret-value by accident',
    'user-agent': 'claude-cli/2.0.0',
  };

  it('round-trips the line and headers, masked, even with every capture setting off', () => {
    settings.captureFrames = false;
    settings.captureRequestBodies = false;
    const w = writer();
    const s = aStart();
    w.requestStarted(s);
    w.requestHeaders(
      s.requestId,
      'POST',
      '/v1beta/models/g:generateContent?key=AIzaSyA1234567890abcdefghij',
      headers,
    );
    w.requestFinished(aFinish(s.requestId));
    w.flush();
    expect(q.getRequest(s.requestId)?.capture.requestHeaders).toEqual({
      method: 'POST',
      target: '/v1beta/models/g:generateContent?key=[redacted]',
      headers: [
        { name: 'host', value: '127.0.0.1:8787', redacted: false },
        { name: 'content-type', value: 'application/json', redacted: false },
        { name: 'x-api-key', value: `sk-a…(redacted, ${KEY.length} chars)`, redacted: true },
        // The providers' keys go by value too, in any header.
        { name: 'x-trace', value: 'carries [redacted] by accident', redacted: true },
        { name: 'user-agent', value: 'claude-cli/2.0.0', redacted: false },
      ],
      omitted: 0,
    });
    const stored = db
      .prepare<[], { kind: string; payload: Buffer }>('SELECT kind, payload FROM captures')
      .all()
      .map((r) => `${r.kind}:${brotliDecompressSync(r.payload).toString('utf8')}`)
      .join('\n');
    expect(stored).toMatch(/^request-headers:/);
    expect(stored).not.toMatch(/provider-secret-value|0123456789abcdef|AIzaSy/);
    expect(w.pendingCaptureBytes).toBe(0);
    w.close();
  });

  it('are due once old even while the request still waits, and forgotten once written and finished', () => {
    let now = 1_000;
    const buf = new CaptureBuffer(
      () => settings,
      1024 * 1024,
      () => now,
    );
    buf.requestHeaders('a'.repeat(32), 'POST', '/v1/messages', headers);
    expect(buf.pendingBytes).toBeGreaterThan(0);
    expect(buf.chunks(false)).toEqual([]);
    now += CHUNK_AGE_MS;
    const due = buf.chunks(false);
    expect(due.map((c) => c.kind)).toEqual(['request-headers']);
    buf.written(due);
    expect(buf.pendingBytes).toBe(0);
    expect(buf.openRequests).toBe(1);
    buf.finished('a'.repeat(32));
    buf.written([]);
    expect(buf.openRequests).toBe(0);
    // No room left in memory: the headers are dropped, not queued.
    const tiny = new CaptureBuffer(
      () => settings,
      10,
      () => now,
    );
    tiny.requestHeaders('b'.repeat(32), 'POST', '/v1/messages', headers);
    expect([tiny.pendingBytes, tiny.openRequests]).toEqual([0, 0]);
  });

  it('counts headers left out by the bounds', () => {
    const w = writer();
    const s = aStart();
    w.requestStarted(s);
    const many = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`x-h${i}`, 'v']));
    w.requestHeaders(s.requestId, 'POST', '/v1/messages', many);
    w.requestFinished(aFinish(s.requestId));
    w.flush();
    const h = q.getRequest(s.requestId)!.capture.requestHeaders!;
    expect([h.headers.length, h.omitted]).toEqual([64, 6]);
    w.close();
  });

  it('are written before the request finishes, and stored in id order ahead of the body and frames', () => {
    settings.captureRequestBodies = true;
    const w = writer();
    const s = aStart();
    w.requestStarted(s);
    w.requestHeaders(s.requestId, 'POST', '/v1/messages', headers);
    w.requestBody(s.requestId, Buffer.from('{"model":"m"}'));
    sendFrame(w, s.requestId, 5, 'ping', '{}');
    w.requestFinished(aFinish(s.requestId));
    w.flush();
    const kinds = db
      .prepare<[], { kind: string }>('SELECT kind FROM captures ORDER BY id')
      .all()
      .map((r) => r.kind);
    expect(kinds).toEqual(['request-headers', 'request-body', 'response']);
    w.close();
  });

  it('follow capture retention, not the longer life of the request row', async () => {
    const w = writer();
    const s = aStart({ startedAtMs: Date.now() });
    w.requestStarted(s);
    w.requestHeaders(s.requestId, 'POST', '/v1/messages', headers);
    w.requestFinished(aFinish(s.requestId));
    w.flush();
    w.close();
    expect(q.getRequest(s.requestId)!.capture.requestHeaders).not.toBeNull();
    const captured = db.prepare<[], { t: number }>('SELECT captured_at AS t FROM captures').get()!.t;
    const result = await runRetention(
      db,
      { retentionDays: 90, captureRetentionDays: 1 },
      { nowMs: captured + 2 * 86_400_000 },
    );
    expect(result.captureChunks).toBe(1);
    // The row stays (retentionDays), its headers went with its captures.
    expect(q.getRequest(s.requestId)?.capture.requestHeaders).toBeNull();
    expect(createCapturesRepo(db).totalBytes()).toBe(0);
  });
});

describe('captures through the writer', () => {
  it('stores frames compressed: repetitive SSE takes a fraction of its size', () => {
    const w = writer();
    const delta =
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello there"}}';
    record(
      w,
      Array.from({ length: 200 }, (_, i) => frame(i, delta)),
    );
    w.flush();
    expect(createCapturesRepo(db).totalBytes()).toBeLessThan((200 * delta.length) / 5);
    w.close();
  });

  it('keeps every frame of a request in order, with its offsets, for the inspector', () => {
    const w = writer();
    const frames = Array.from({ length: 50 }, (_, i) => frame(i));
    const id = record(w, frames);
    w.flush();
    expect(q.getRequest(id)?.capture).toEqual({
      requestHeaders: null,
      frames,
      droppedFrames: 0,
      requestBody: null,
      requestBodyTruncatedBytes: 0,
      smoothing: [],
      droppedSmoothing: 0,
    });
    w.close();
  });

  it('redacts the providers’ keys and anything shaped like a credential before writing', () => {
    const w = writer();
    settings.captureRequestBodies = true;
    const id = record(
      w,
      [frame(1, '{"error":"bad key sk-ant-api03-abcdefghijkl for provider-secret-value"}')],
      '{"auth":"Bearer abcdefghijklmnop","key":"AIzaSyA1234567890abcdefghij"}',
    );
    w.flush();
    const c = q.getRequest(id)!.capture;
    expect(c.frames[0]!.data).toBe('{"error":"bad key [redacted] for [redacted]"}');
    expect(c.requestBody).toBe('{"auth":"Bearer [redacted]","key":"[redacted]"}');
    const stored = db
      .prepare<[], { payload: Buffer }>('SELECT payload FROM captures')
      .all()
      .map((r) => brotliDecompressSync(r.payload).toString('utf8'))
      .join('\n');
    expect(stored).toContain('[redacted]');
    expect(stored).not.toMatch(/provider-secret-value|abcdefghijkl|AIzaSy/);
    w.close();
  });

  it('keeps request bodies only when asked, and cuts them at the per-request cap', () => {
    const w = writer();
    const off = record(w, [], '{"prompt":"x"}');
    settings.captureRequestBodies = true;
    settings.captureMaxBytesPerRequest = 10;
    const on = record(w, [], '0123456789abcdef');
    w.flush();
    expect(q.getRequest(off)?.capture.requestBody).toBeNull();
    expect(q.getRequest(on)?.capture).toMatchObject({
      requestBody: '0123456789',
      requestBodyTruncatedBytes: 6,
    });
    w.close();
  });

  it('stops at captureMaxBytesPerRequest and counts what it dropped', () => {
    const w = writer();
    // As SSE, the frames weigh 38 and 51 bytes by turns: three fit in 130, the fourth does not, and once a
    // cap is hit nothing later is kept (a later small chunk would be a torn stream).
    settings.captureMaxBytesPerRequest = 130;
    const frames = Array.from({ length: 10 }, (_, i) => frame(i, 'x'.repeat(30)));
    const id = record(w, frames);
    w.flush();
    const c = q.getRequest(id)!.capture;
    expect(c.frames).toEqual(frames.slice(0, 3));
    expect(c.droppedFrames).toBe(7);
    w.close();
  });

  it('keeps nothing when capturing is off', () => {
    const w = writer();
    settings.captureFrames = false;
    const id = record(w, [frame(1)]);
    w.flush();
    expect(q.getRequest(id)?.capture.frames).toEqual([]);
    expect(createCapturesRepo(db).totalBytes()).toBe(0);
    w.close();
  });

  it('drops the oldest requests’ captures first when captureMaxTotalBytes is exceeded, whole requests at a time', () => {
    const w = writer();
    settings.captureMaxTotalBytes = 5_000;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      ids.push(
        record(
          w,
          // Random text: it does not compress, so each request stores about 1 kB.
          Array.from({ length: 4 }, (_, j) => frame(j, randomBytes(190).toString('base64'))),
        ),
      );
      w.flush();
    }
    const repo = createCapturesRepo(db);
    expect(repo.totalBytes()).toBeLessThanOrEqual(5_000);
    const kept = ids.map((id) => q.getRequest(id)!.capture.frames.length);
    // Oldest gone entirely, newest whole; never a request with only part of its frames.
    expect(kept.every((n) => n === 0 || n === 4)).toBe(true);
    expect(kept.at(-1)).toBe(4);
    expect(kept.indexOf(4)).toBeGreaterThan(0);
    expect(kept.slice(kept.indexOf(4)).every((n) => n === 4)).toBe(true);
    // The running total matches the table, triggers and all.
    const sum = db.prepare<[], { n: number }>('SELECT coalesce(sum(bytes), 0) AS n FROM captures').get()!.n;
    expect(repo.totalBytes()).toBe(sum);
    w.close();
  });

  it('writes a long stream in chunks while it runs, and skips frames of a request it never recorded', () => {
    const w = writer();
    const s = aStart();
    w.requestStarted(s);
    const big = 'z'.repeat(20_000);
    for (let i = 0; i < 10; i++) sendFrame(w, s.requestId, i, null, big); // 200 kB: past the 64 kB chunk size
    sendFrame(w, 'f'.repeat(32), 1, null, 'orphan');
    w.flush();
    const chunks = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM captures').get()!.n;
    expect(chunks).toBe(1);
    for (let i = 10; i < 12; i++) sendFrame(w, s.requestId, i, null, big);
    w.requestFinished(aFinish(s.requestId));
    w.flush();
    expect(q.getRequest(s.requestId)!.capture.frames.map((f) => f.offsetMs)).toEqual(
      Array.from({ length: 12 }, (_, i) => i),
    );
    expect(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM captures').get()!.n).toBe(2);
    expect(w.pendingCaptureBytes).toBe(0);
    w.close();
  });
});

describe('raw response bytes', () => {
  const seg = (parts: [number, string][], attempt = 1, mode: 'sse' | 'json' | 'json-array' = 'sse') => ({
    attempt,
    mode,
    parts: parts.map(([offsetMs, text]) => ({ offsetMs, bytes: Buffer.from(text) })),
  });
  const text = (s: { parts: { bytes: Uint8Array }[] }): string[] =>
    s.parts.map((p) => Buffer.from(p.bytes).toString('utf8'));
  const noSpans = (): [number, number][] => [];

  it('round-trip: segments, parts and their arrival offsets, multi-byte text split anywhere', () => {
    const euro = Buffer.from('data: {"t":"€"}\n\n');
    const segments = [
      seg([[3, 'data: {"a":1}\n\n']], 1),
      {
        attempt: 2,
        mode: 'sse' as const,
        parts: [
          { offsetMs: 10, bytes: euro.subarray(0, 13) }, // inside the euro sign
          { offsetMs: 12, bytes: euro.subarray(13) },
        ],
      },
    ];
    const back = decodeResponse(encodeResponse(segments, noSpans))!;
    expect(back.map((s) => [s.attempt, s.mode, s.parts.map((p) => p.offsetMs)])).toEqual([
      [1, 'sse', [3]],
      [2, 'sse', [10, 12]],
    ]);
    expect(Buffer.concat(back[1]!.parts.map((p) => p.bytes)).equals(euro)).toBe(true);
    expect(framesOfSegment(back[1]!)).toEqual([{ offsetMs: 12, event: null, data: '{"t":"€"}' }]);
    expect(decodeResponse(Buffer.from('not json\n'))).toBeNull();
    expect(decodeResponse(Buffer.from('[{"a":1,"m":"sse","p":[[0,99]]}]\nshort'))).toBeNull();
  });

  it('redacts a secret split across two chunks, and the parts keep their places', () => {
    const key = 'sk-ant-api03-abcdefghijklmnop';
    const s = seg([
      [1, 'data: {"a":"before"}\n\n'],
      [2, `data: {"echo":"${key.slice(0, 10)}`],
      [3, `${key.slice(10)}"}\n\n`],
      [4, 'data: {"z":"after"}\n\n'],
    ]);
    const stored = encodeResponse([s], (b) => byteSecretSpans(b, [key]));
    expect(stored.includes(Buffer.from(key.slice(0, 10)))).toBe(false);
    const back = decodeResponse(stored)![0]!;
    expect(text(back)).toEqual([
      'data: {"a":"before"}\n\n',
      'data: {"echo":"[redacted]',
      '"}\n\n',
      'data: {"z":"after"}\n\n',
    ]);
    expect(framesOfSegment(back).map((f) => [f.offsetMs, f.data])).toEqual([
      [1, '{"a":"before"}'],
      [3, '{"echo":"[redacted]"}'],
      [4, '{"z":"after"}'],
    ]);
  });

  it('frames JSON-array streams and whole JSON bodies', () => {
    expect(
      framesOfSegment(
        seg(
          [
            [5, '[{"a":1}'],
            [9, ',{"b":2}]'],
          ],
          1,
          'json-array',
        ),
      ),
    ).toEqual([
      { offsetMs: 5, event: null, data: '{"a":1}' },
      { offsetMs: 9, event: null, data: '{"b":2}' },
    ]);
    expect(
      framesOfSegment(
        seg(
          [
            [5, '{"a":'],
            [9, '1}'],
          ],
          1,
          'json',
        ),
      ),
    ).toEqual([{ offsetMs: 9, event: null, data: '{"a":1}' }]);
  });

  it('the detail shows the last attempt’s response, not the bytes of one that failed before it', () => {
    const w = writer();
    const s = aStart();
    w.requestStarted(s);
    w.responseBytes(s.requestId, 1, 'sse', 5, Buffer.from('data: {"partial":'), 0); // cut mid-frame
    w.responseBytes(s.requestId, 2, 'sse', 9, Buffer.from('data: {"ok":1}\n\n'), 1);
    w.requestFinished(aFinish(s.requestId));
    w.flush();
    expect(q.getRequest(s.requestId)!.capture.frames).toEqual([
      { offsetMs: 9, event: null, data: '{"ok":1}' },
    ]);
    w.close();
  });
});

describe('smoothing marks', () => {
  /** `n` split deltas 40 ms apart, each of `pieces` pieces 7 ms apart, the first `lag` ms after arrival. */
  const marksOf = (n: number, pieces = 3, lag = 1): SmoothingMark[] =>
    Array.from({ length: n }, (_, i) => ({
      upstreamOffsetMs: 100 + i * 40,
      deliveredOffsetsMs: Array.from({ length: pieces }, (_, k) => 100 + i * 40 + lag + k * 7),
    }));

  /** One request through the writer with these marks, returning its id. */
  function smoothedRequest(w: UsageWriter, marks: readonly SmoothingMark[]): string {
    const s = aStart();
    w.requestStarted(s);
    for (const m of marks) w.smoothed(s.requestId, m.upstreamOffsetMs, m.deliveredOffsetsMs);
    w.requestFinished(aFinish(s.requestId));
    return s.requestId;
  }

  it('codec: round-trips marks delta-encoded, a few bytes each, and reads a damaged payload up to the damage', () => {
    const marks: SmoothingMark[] = [
      { upstreamOffsetMs: 0, deliveredOffsetsMs: [0, 0, 3] },
      { upstreamOffsetMs: 12_345, deliveredOffsetsMs: [12_350, 12_400] },
      { upstreamOffsetMs: 12_345, deliveredOffsetsMs: [] },
      { upstreamOffsetMs: 12_346, deliveredOffsetsMs: [12_340] }, // not expected, but kept as it came
    ];
    const payload = encodeSmoothing(marks);
    expect(payload).toBe('0 0 0 3\n12345 5 50\n0\n1 -6');
    expect(decodeSmoothing(payload)).toEqual(marks);
    expect(decodeSmoothing(encodeSmoothing([]))).toEqual([]);
    expect(decodeSmoothing('5 1 2\n7 x\n3 1')).toEqual([{ upstreamOffsetMs: 5, deliveredOffsetsMs: [6, 8] }]);
    const long = marksOf(1_000, 4);
    expect(encodeSmoothing(long).length).toBeLessThan(1_000 * 12);
  });

  it('round-trip through the writer and the store: in order, with their offsets, and the chunk sizes as stored', () => {
    const w = writer();
    const marks = marksOf(50);
    const id = smoothedRequest(w, marks);
    w.flush();
    const capture = q.getRequest(id)!.capture;
    expect(capture.smoothing).toEqual(marks);
    expect(capture.droppedSmoothing).toBe(0);
    const row = db
      .prepare<[], { kind: string; frames: number; bytes: number }>(
        `SELECT kind, frames, bytes FROM captures WHERE kind = 'smoothing'`,
      )
      .get()!;
    expect(row.frames).toBe(50);
    expect(row.bytes).toBeLessThan(200); // regular pacing compresses to almost nothing
    expect(w.pendingCaptureBytes).toBe(0);
    w.close();
  });

  it('a running stream is written in chunks whose marks read back as one list', () => {
    const w = writer();
    const s = aStart();
    w.requestStarted(s);
    const marks = marksOf(30);
    for (const m of marks.slice(0, 10)) w.smoothed(s.requestId, m.upstreamOffsetMs, m.deliveredOffsetsMs);
    w.flush(); // forced: the first ten go out before the request ends
    for (const m of marks.slice(10)) w.smoothed(s.requestId, m.upstreamOffsetMs, m.deliveredOffsetsMs);
    w.requestFinished(aFinish(s.requestId));
    w.flush();
    const n = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM captures WHERE kind = 'smoothing'`);
    expect(n.get()!.n).toBe(2);
    expect(q.getRequest(s.requestId)!.capture.smoothing).toEqual(marks);
    w.close();
  });

  it('keeps at most MAX_SMOOTHED_PER_REQUEST split deltas per request and counts the rest', () => {
    const w = writer();
    const marks = marksOf(MAX_SMOOTHED_PER_REQUEST + 25, 2);
    const id = smoothedRequest(w, marks);
    w.flush();
    const capture = q.getRequest(id)!.capture;
    expect(capture.smoothing).toHaveLength(MAX_SMOOTHED_PER_REQUEST);
    expect(capture.smoothing).toEqual(marks.slice(0, MAX_SMOOTHED_PER_REQUEST));
    expect(capture.droppedSmoothing).toBe(25);
    w.close();
  });

  it('bounds the delivered pieces too, keeping the stream’s start: after one is dropped the rest are', () => {
    const buffer = new CaptureBuffer(() => settings, 1 << 30);
    const id = 'a'.repeat(32);
    const half = MAX_SMOOTHED_PIECES_PER_REQUEST / 2;
    buffer.smoothed(id, 0, new Array<number>(half).fill(1));
    buffer.smoothed(id, 1, new Array<number>(half + 1).fill(2)); // one piece too many
    buffer.smoothed(id, 2, [3, 4]); // would fit, but follows a gap
    const [chunk] = buffer.chunks(true);
    expect(chunk).toMatchObject({ kind: 'smoothing', dropped: 2 });
    expect(chunk?.kind === 'smoothing' && chunk.marks.map((m) => m.upstreamOffsetMs)).toEqual([0]);
    buffer.written(buffer.chunks(true));
    expect(buffer.pendingBytes).toBe(0);
  });

  it('holds them against the memory bound, and forgets them once written', () => {
    const buffer = new CaptureBuffer(() => settings, 1_000);
    const id = 'b'.repeat(32);
    for (let i = 0; i < 100; i++) buffer.smoothed(id, i, [i, i + 1, i + 2]);
    expect(buffer.pendingBytes).toBeLessThanOrEqual(1_000);
    const chunks = buffer.chunks(true);
    const chunk = chunks.find((c) => c.kind === 'smoothing');
    expect(chunk?.kind === 'smoothing' && chunk.marks.length + chunk.dropped).toBe(100);
    buffer.finished(id);
    buffer.written(chunks);
    expect(buffer.pendingBytes).toBe(0);
    expect(buffer.openRequests).toBe(0);
  });

  it('keeps nothing when captureFrames is off', () => {
    const w = writer();
    settings.captureFrames = false;
    const id = smoothedRequest(w, marksOf(5));
    w.flush();
    expect(q.getRequest(id)!.capture.smoothing).toEqual([]);
    expect(createCapturesRepo(db).totalBytes()).toBe(0);
    w.close();
  });

  it('go with the request’s other captures: capture retention and the total cap', () => {
    const w = writer();
    const older = smoothedRequest(w, marksOf(20));
    w.flush();
    const newer = record(w, [frame(1, randomBytes(600).toString('base64'))]);
    w.flush();
    const repo = createCapturesRepo(db);
    const marksBytes = db
      .prepare<[], { n: number }>(`SELECT bytes AS n FROM captures WHERE kind = 'smoothing'`)
      .get()!.n;
    repo.enforceTotal(repo.totalBytes() - marksBytes); // room for all but the oldest request's chunk
    expect(q.getRequest(older)!.capture.smoothing).toEqual([]);
    expect(q.getRequest(newer)!.capture.frames).toHaveLength(1);
    const again = smoothedRequest(w, marksOf(3));
    w.flush();
    expect(repo.deleteOlderThan(Number.MAX_SAFE_INTEGER, 1_000)).toBeGreaterThan(0);
    expect(q.getRequest(again)!.capture.smoothing).toEqual([]);
    w.close();
  });
});

describe('stored before Brotli', () => {
  it('reads a DEFLATE row of frames (codec 0) as it was written by schema 2', () => {
    const w = writer();
    const s = aStart();
    w.requestStarted(s);
    w.requestFinished(aFinish(s.requestId));
    w.flush();
    const frames = [frame(1), frame(2)];
    const payload = deflateRawSync(Buffer.from(encodeFrames(frames)));
    db.prepare(
      `INSERT INTO captures (request_id, kind, captured_at, frames, dropped, bytes, codec, payload)
       VALUES (?, 'frames', ?, 2, 0, ?, 0, ?)`,
    ).run(s.requestId, Date.now(), payload.length, payload);
    expect(q.getRequest(s.requestId)!.capture.frames).toEqual(frames);
    w.close();
  });
});

describe('an open stream is written in whole frames', () => {
  const key = 'provider-secret-value';

  it('holds back the unfinished frame, so a secret split across chunks and writes is still caught', () => {
    const w = writer();
    const s = aStart();
    w.requestStarted(s);
    const send = (offsetMs: number, text: string): void =>
      w.responseBytes(s.requestId, 1, 'sse', offsetMs, Buffer.from(text), 0);
    send(1, 'data: {"a":1}\r\n\r\ndata: {"echo":"provider-se');
    w.flush(); // an open stream: only the first frame is written
    const rows = (): string[] =>
      db
        .prepare<[], { payload: Buffer }>(`SELECT payload FROM captures WHERE kind = 'response' ORDER BY id`)
        .all()
        .map((r) => brotliDecompressSync(r.payload).toString('latin1'));
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toContain('{"a":1}');
    expect(rows()[0]).not.toContain('provider-se');
    send(2, 'cret-value"}\n');
    send(3, '\ndata: {"z":2}\n\n');
    w.flush();
    expect(rows()).toHaveLength(2);
    w.requestFinished(aFinish(s.requestId));
    w.flush();
    const all = rows().join('');
    expect(all).not.toContain('provider-se');
    expect(all).not.toContain(key);
    expect(q.getRequest(s.requestId)!.capture.frames.map((f) => [f.offsetMs, f.data])).toEqual([
      [1, '{"a":1}'],
      [3, '{"echo":"[redacted]"}'],
      [3, '{"z":2}'],
    ]);
    w.close();
  });

  it('finds a frame end that straddles two chunks (LF | LF, CR | CR, CRLF | CRLF)', () => {
    for (const [a, b] of [
      ['data: 1\n', '\ndata: 2'],
      ['data: 1\r', '\rdata: 2'],
      ['data: 1\r\n\r', '\ndata: 2'],
      ['data: 1\r\n', '\r\ndata: 2'],
    ] as const) {
      const w = writer();
      const s = aStart();
      w.requestStarted(s);
      w.responseBytes(s.requestId, 1, 'sse', 1, Buffer.from(a), 0);
      w.responseBytes(s.requestId, 1, 'sse', 2, Buffer.from(b), 1);
      w.flush();
      const stored = db
        .prepare<[string], { payload: Buffer }>(
          `SELECT payload FROM captures WHERE request_id = ? AND kind = 'response'`,
        )
        .all(s.requestId)
        .map((r) => brotliDecompressSync(r.payload).toString('latin1'));
      expect(stored.join('').endsWith(`${a}${b}`.replace(/data: 2$/, '')), JSON.stringify([a, b])).toBe(true);
      w.requestFinished(aFinish(s.requestId));
      w.flush();
      expect(q.getRequest(s.requestId)!.capture.frames.map((f) => f.data)).toEqual(['1']);
      w.close();
    }
  });
});
