import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings';
import type { CapturedFrame } from '../../../src/shared/usage-query';
import { decodeFrames, encodeFrames } from '../../../src/main/store/capture-codec';
import { createCapturesRepo } from '../../../src/main/store/captures-repo';
import { closeDatabase, openDatabase, type Database } from '../../../src/main/store/db';
import { createUsageQueries, type UsageQueries } from '../../../src/main/store/usage-queries';
import { UsageWriter, type CaptureSettings } from '../../../src/main/store/usage-writer';
import { aFinish, aStart } from './fixtures';
import { useTempDir } from './temp-dir';

const tempDir = useTempDir();
let db: Database;
let q: UsageQueries;
let settings: CaptureSettings;

beforeEach(() => {
  db = openDatabase(join(tempDir(), 'usage.db'));
  q = createUsageQueries(db);
  settings = { ...DEFAULT_SETTINGS };
});
afterEach(() => closeDatabase(db));

function writer(): UsageWriter {
  return new UsageWriter(db, { capture: () => settings, secrets: () => ['provider-secret-value'] });
}

/** One request through the writer with `frames`, returning its id. */
function record(w: UsageWriter, frames: readonly CapturedFrame[], body?: string): string {
  const s = aStart();
  w.requestStarted(s);
  if (body !== undefined) w.requestBody(s.requestId, Buffer.from(body));
  for (const f of frames) w.frame(s.requestId, f.offsetMs, f.event, f.data);
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
      frames,
      droppedFrames: 0,
      requestBody: null,
      requestBodyTruncatedBytes: 0,
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
      .map((r) => inflateRawSync(r.payload).toString('utf8'))
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
    settings.captureMaxBytesPerRequest = 100;
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
    for (let i = 0; i < 10; i++) w.frame(s.requestId, i, null, big); // 200 kB: past the 64 kB chunk size
    w.frame('f'.repeat(32), 1, null, 'orphan');
    w.flush();
    const chunks = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM captures').get()!.n;
    expect(chunks).toBe(1);
    for (let i = 10; i < 12; i++) w.frame(s.requestId, i, null, big);
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
