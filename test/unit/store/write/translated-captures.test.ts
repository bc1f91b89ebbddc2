import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../../src/shared/settings';
import { framesOfSegment } from '../../../../src/main/proxy/capture-frames';
import { CaptureBuffer } from '../../../../src/main/store/write/capture-buffer';
import { closeDatabase, openDatabase, type Database } from '../../../../src/main/store/schema/db';
import { createUsageQueries, type UsageQueries } from '../../../../src/main/store/read/usage-queries';
import { UsageWriter, type CaptureSettings } from '../../../../src/main/store/write/usage-writer';
import { aFinish, aStart } from '../fixtures';
import { useTempDir } from '../temp-dir';

/*
 * A translated attempt's two other sides: the body the provider was sent (kept like the client's body,
 * only with captureRequestBodies) and the answer as re-encoded for the client (kept like the response,
 * on its own allowance). Both redacted, both bounded.
 */

const SECRET = 'provider-secret-value';
const tempDir = useTempDir();
let db: Database;
let q: UsageQueries;
let settings: CaptureSettings;

beforeEach(() => {
  db = openDatabase(join(tempDir(), 'usage.db'));
  q = createUsageQueries(db, framesOfSegment);
  settings = { ...DEFAULT_SETTINGS, captureRequestBodies: true };
});
afterEach(() => closeDatabase(db));

function writer(): UsageWriter {
  return new UsageWriter(db, { capture: () => settings, secrets: () => [SECRET] });
}

const chatChunk = (text: string): string =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text } }] })}\n\n`;
const anthropicDelta = (text: string): string =>
  `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })}\n\n`;

describe('translated captures through the writer', () => {
  it('round-trips both sides, redacted, beside the client body and the provider frames', () => {
    const w = writer();
    const s = aStart();
    w.requestStarted(s);
    w.requestBody(s.requestId, Buffer.from('{"model":"claude","max_tokens":5}'));
    w.upstreamRequestBody(s.requestId, 1, Buffer.from(`{"model":"x","note":"${SECRET}"}`));
    w.responseBytes(s.requestId, 1, 'sse', 10, Buffer.from(chatChunk(`hi ${SECRET}`)), 1);
    w.clientBytes(s.requestId, 1, 'sse', 11, Buffer.from(anthropicDelta(`hi ${SECRET}`)), 1);
    w.requestFinished(aFinish(s.requestId));
    w.flush();
    const c = q.getRequest(s.requestId)!.capture;
    expect(c.requestBody).toBe('{"model":"claude","max_tokens":5}');
    expect(c.upstreamRequest).toEqual({
      attempt: 1,
      body: '{"model":"x","note":"[redacted]"}',
      truncatedBytes: 0,
    });
    expect(c.frames).toHaveLength(1);
    expect(c.frames[0]!.data).toContain('hi [redacted]');
    expect(c.clientFrames).toHaveLength(1);
    expect(c.clientFrames![0]).toMatchObject({ offsetMs: 11, event: 'content_block_delta' });
    expect(c.clientFrames![0]!.data).toContain('hi [redacted]');
    expect(JSON.stringify(c)).not.toContain(SECRET);
    w.close();
  });

  it('keeps the latest attempt’s provider body, and none once a relayed attempt answered', () => {
    const w = writer();
    const s = aStart();
    w.requestStarted(s);
    w.upstreamRequestBody(s.requestId, 1, Buffer.from('{"attempt":1}'));
    w.flush();
    w.upstreamRequestBody(s.requestId, 2, Buffer.from('{"attempt":2}'));
    w.responseBytes(s.requestId, 2, 'sse', 5, Buffer.from(chatChunk('a')), 1);
    w.requestFinished(aFinish(s.requestId));
    w.flush();
    expect(q.getRequest(s.requestId)!.capture.upstreamRequest?.body).toBe('{"attempt":2}');

    const r = aStart();
    w.requestStarted(r);
    w.upstreamRequestBody(r.requestId, 1, Buffer.from('{"attempt":1}'));
    w.clientBytes(r.requestId, 1, 'sse', 1, Buffer.from(anthropicDelta('a')), 1);
    w.responseBytes(r.requestId, 2, 'sse', 5, Buffer.from(anthropicDelta('b')), 1);
    w.requestFinished(aFinish(r.requestId));
    w.flush();
    const c = q.getRequest(r.requestId)!.capture;
    expect(c.upstreamRequest ?? null).toBeNull();
    expect(c.clientFrames).toBeUndefined();
    w.close();
  });

  it('keeps no provider body without captureRequestBodies, and no client bytes without captureFrames', () => {
    settings.captureRequestBodies = false;
    settings.captureFrames = false;
    const w = writer();
    const s = aStart();
    w.requestStarted(s);
    w.upstreamRequestBody(s.requestId, 1, Buffer.from('{"model":"x"}'));
    w.clientBytes(s.requestId, 1, 'sse', 1, Buffer.from(anthropicDelta('a')), 1);
    w.requestFinished(aFinish(s.requestId));
    w.flush();
    const c = q.getRequest(s.requestId)!.capture;
    expect(c.upstreamRequest ?? null).toBeNull();
    expect(c.clientFrames).toBeUndefined();
    w.close();
  });
});

describe('translated captures in the buffer', () => {
  const limits = { captureFrames: true, captureRequestBodies: true, captureMaxBytesPerRequest: 100 };

  it('cuts the provider body at the per-request bound and counts the cut', () => {
    const b = new CaptureBuffer(() => limits, 1_000_000);
    b.upstreamRequestBody('r', 1, Buffer.alloc(150, 'a'));
    const [chunk] = b.chunks(true);
    expect(chunk).toMatchObject({ kind: 'upstream-request', attempt: 1, cutBytes: 50 });
    expect(chunk?.kind === 'upstream-request' && chunk.body.length).toBe(100);
    expect(b.pendingBytes).toBe(100);
    b.written(b.chunks(true));
    expect(b.pendingBytes).toBe(0);
  });

  it('bounds the client side on its own allowance: past the cap the rest is counted, not kept', () => {
    const b = new CaptureBuffer(() => limits, 1_000_000);
    b.responseBytes('r', 1, 'sse', 0, Buffer.alloc(90, 'p'), 1);
    b.clientBytes('r', 1, 'sse', 0, Buffer.alloc(60, 'c'), 1);
    b.clientBytes('r', 1, 'sse', 1, Buffer.alloc(60, 'c'), 2);
    b.clientBytes('r', 1, 'sse', 2, Buffer.alloc(10, 'c'), 3);
    b.finished('r');
    const chunks = b.chunks(true);
    const client = chunks.find((c) => c.kind === 'client-response');
    expect(client).toMatchObject({ frames: 1, dropped: 5, bytes: 60 });
    expect(b.pendingBytes).toBe(150);
    b.written(chunks);
    expect(b.pendingBytes).toBe(0);
    expect(b.openRequests).toBe(0);
  });

  it('holds nothing past the total in memory', () => {
    const b = new CaptureBuffer(() => limits, 50);
    b.clientBytes('r', 1, 'sse', 0, Buffer.alloc(60, 'c'), 1);
    b.upstreamRequestBody('r', 1, Buffer.alloc(80, 'a'));
    expect(b.pendingBytes).toBe(50);
    const chunks = b.chunks(true);
    expect(chunks.find((c) => c.kind === 'client-response')).toMatchObject({ bytes: 0, dropped: 1 });
  });
});
