import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';

/*
 * The store's work runs beside the relay, not on its thread: with the database locked by another
 * program (every write attempt then waits out its busy timeout), a relayed stream's chunks still
 * arrive at the pace the provider sent them. On the relay's thread, the first write attempt alone
 * would have held a chunk back for the whole wait.
 */

const delta = (i: number): string =>
  `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"t${i}"}}\n\n`;
const SSE = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-up","content":[],"stop_reason":null,"usage":{"input_tokens":21,"output_tokens":1}}}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  ...Array.from({ length: 80 }, (_, i) => delta(i)),
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
];
const PACE_MS = 10;

let upstream: FakeUpstream;
let sluice: TestSluice | undefined;

beforeAll(async () => {
  upstream = await new FakeUpstream(() => ({ chunks: SSE, delayMs: PACE_MS })).start();
});
afterAll(async () => {
  await upstream.close();
});
afterEach(async () => {
  await sluice?.close();
  sluice = undefined;
});

/** Streams one request; returns the gaps between the chunks as they reached the client, ms. */
async function streamGaps(url: string): Promise<{ body: string; gaps: number[] }> {
  const res = await fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'client' },
    body: JSON.stringify({
      model: 'claude-x',
      max_tokens: 10,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    }),
  });
  expect(res.status).toBe(200);
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body!.getReader();
  const decoder = new TextDecoder();
  const gaps: number[] = [];
  let body = '';
  let last: number | null = null;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const now = performance.now();
    if (last !== null) gaps.push(now - last);
    last = now;
    body += decoder.decode(value, { stream: true });
  }
  return { body, gaps };
}

describe('the store off the relay’s thread', () => {
  it('keeps a stream’s chunks at the provider’s pace while the database is locked', async () => {
    const log: string[] = [];
    sluice = await startSluice(
      {
        providers: [
          { id: 'claude', kind: 'anthropic', baseUrl: upstream.url, apiKey: 'sk-ant-provider-key' },
        ],
      },
      { log: (l) => log.push(l) },
    );
    await streamGaps(sluice.url); // warm: the worker is up, the first request's costs are paid
    sluice.app.flushUsage();
    const other = new BetterSqlite3(sluice.app.dbFile);
    other.exec('BEGIN EXCLUSIVE');
    let result: { body: string; gaps: number[] };
    try {
      result = await streamGaps(sluice.url);
      // The writer did run into the lock meanwhile (so the wait was real), off this thread.
      await vi.waitFor(() => expect(log.some((l) => l.includes('SQLITE_BUSY'))).toBe(true), {
        timeout: 5_000,
      });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(result.body).toBe(SSE.join(''));
    // Each write attempt waits 250 ms for the lock; none of that reaches the client.
    expect(Math.max(...result.gaps)).toBeLessThan(100);
    await vi.waitFor(
      () => {
        sluice!.app.flushUsage();
        expect(sluice!.app.queries.listRequests()).toHaveLength(2);
      },
      { timeout: 10_000 },
    );
  });
});
