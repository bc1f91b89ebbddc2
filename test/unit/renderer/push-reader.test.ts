import { describe, expect, it } from 'vitest';
import { readPushes } from '../../../src/renderer/src/lib/push-reader';
import type { ParsedPush } from '../../../src/renderer/src/lib/sse-read';

/** A body that arrives in the given byte pieces, as a network read hands them over. */
function bodyOf(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const p of pieces) c.enqueue(p);
      c.close();
    },
  });
}

/** Cuts `bytes` every `n` bytes (so events, JSON and multi-byte characters straddle pieces). */
function cut(bytes: Uint8Array, n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += n) out.push(bytes.subarray(i, i + n));
  return out;
}

// Node has no Worker: this is the page's own-thread path, the one a browser takes when it cannot
// transfer the stream (the worker path runs in real Chromium in test/e2e/live.test.ts).
describe('readPushes', () => {
  it('hands on each event with its JSON parsed, across any cut, skips what is not JSON, and sets the retry', async () => {
    const batch = [{ type: 'sse-event', requestId: 'r1', data: 'héllo — ✓ {"x":1}\n' }];
    const text =
      'retry: 1500\n\n' +
      `event: live\ndata: ${JSON.stringify(batch)}\n\n` +
      'event: status\ndata: not json\n\n' +
      `event: status\ndata: ${JSON.stringify({ inFlight: 2 })}\n\n`;
    const bytes = new TextEncoder().encode(text);
    for (const n of [1, 3, 7, bytes.length]) {
      const pushes: ParsedPush[] = [];
      const retries: number[] = [];
      await readPushes(
        bodyOf(cut(bytes, n)),
        (p) => pushes.push(p),
        (ms) => retries.push(ms),
      );
      expect(pushes).toEqual([
        { name: 'live', payload: batch },
        { name: 'status', payload: { inFlight: 2 } },
      ]);
      expect(retries).toEqual([1500]);
    }
  });

  it('rejects when the stream breaks, so the caller reconnects', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('event: status\ndata: {}\n\n'));
        c.error(new Error('connection reset'));
      },
    });
    const pushes: ParsedPush[] = [];
    await expect(
      readPushes(
        body,
        (p) => pushes.push(p),
        () => undefined,
      ),
    ).rejects.toThrow('connection reset');
  });
});
