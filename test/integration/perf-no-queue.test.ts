import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { LiveEvent } from '../../src/shared/live-events';
import { LiveTable } from '../../src/renderer/src/features/live/live-table';
import { FakeUpstream } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';

/*
 * Issue #17 §1: no hidden queue. Hundreds of streams held open at once all start at once, and when a
 * request does wait for a socket (a low `upstreamConnections`), the operator log and the live view say so.
 */

const chatChunk = (content: string, finish: string | null = null): string =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]}\n\n`;
const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });

/** Opens a stream; `first` resolves at its first body byte, `done` with the whole body. */
function open(url: string, agent: http.Agent): { first: Promise<void>; done: Promise<string> } {
  let onFirst!: () => void;
  const first = new Promise<void>((resolve) => (onFirst = resolve));
  const done = new Promise<string>((resolve, reject) => {
    const req = http.request(
      `${url}/v1/chat/completions`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (parts.length === 0) onFirst();
          parts.push(c);
        });
        res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  return { first, done };
}

/** Resolves with how many of `firsts` resolved within `ms`. */
async function countWithin(firsts: Promise<void>[], ms: number): Promise<number> {
  let n = 0;
  const counted = firsts.map((f) =>
    f.then(() => {
      n++;
    }),
  );
  await Promise.race([Promise.all(counted), new Promise((r) => setTimeout(r, ms))]);
  return n;
}

describe('no hidden queue (issue #17 §1)', () => {
  let upstream: FakeUpstream | null = null;
  let sluice: TestSluice | null = null;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  afterEach(async () => {
    await sluice?.close();
    await upstream?.close();
    sluice = null;
    upstream = null;
  });

  /** An upstream whose streams send one content frame, then hold until `release()`. */
  async function holding(): Promise<{ release: () => void; url: string }> {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    upstream = await new FakeUpstream(() => ({
      chunks: [chatChunk('Hi'), () => released.then(() => chatChunk('', 'stop') + 'data: [DONE]\n\n')],
    })).start();
    return { release, url: upstream.url };
  }

  it('320 streams held open at once all get their first byte before any ends', async () => {
    const STREAMS = 320; // above the old cap of 256 sockets per origin
    const up = await holding();
    sluice = await startSluice({
      providers: [{ id: 'p', kind: 'openai', baseUrl: `${up.url}/v1`, apiKey: 'sk-1' }],
      settings: { captureFrames: false },
    });
    const streams = Array.from({ length: STREAMS }, () => open(sluice!.url, agent));
    // Every stream's first byte arrives while all of them are still held open upstream.
    const started = await countWithin(
      streams.map((s) => s.first),
      15_000,
    );
    up.release();
    const bodies = await Promise.all(streams.map((s) => s.done));
    expect(started).toBe(STREAMS);
    expect(upstream!.requests).toHaveLength(STREAMS);
    for (const b of bodies) expect(b).toContain('data: [DONE]');
  }, 30_000);

  it('a request that waits for a socket says so in the log and the live view, then is served', async () => {
    const up = await holding();
    const lines: string[] = [];
    sluice = await startSluice(
      {
        providers: [{ id: 'slow-pool', kind: 'openai', baseUrl: `${up.url}/v1`, apiKey: 'sk-1' }],
        settings: { upstreamConnections: 2, captureFrames: false },
      },
      { log: (line) => lines.push(line) },
    );
    const events: LiveEvent[] = [];
    const unsubscribe = sluice.app.live.subscribe((batch) => events.push(...batch));
    const held = [open(sluice.url, agent), open(sluice.url, agent)];
    await Promise.all(held.map((s) => s.first));
    const third = open(sluice.url, agent);
    await expect.poll(() => events.some((e) => e.type === 'attempt-waiting')).toBe(true);
    const waiting = events.filter((e) => e.type === 'attempt-waiting');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ attempt: 1, provider: 'slow-pool', connections: 2 });
    expect(lines.filter((l) => l.includes('wait for a connection'))).toEqual([
      expect.stringContaining('requests to slow-pool wait for a connection: all 2 sockets'),
    ]);
    // The Live screen's row for it shows the wait, and nothing else does.
    const table = new LiveTable();
    table.applyEvents(events);
    const waitingId = waiting[0]!.requestId;
    expect(table.row(waitingId)).toMatchObject({ status: 'waiting', connectionWait: 'slow-pool' });
    const others = table.snapshot().rows.filter((r) => r.id !== waitingId);
    expect(others.map((r) => r.connectionWait ?? null)).toEqual([null, null]);

    up.release();
    for (const s of [...held, third]) expect(await s.done).toContain('data: [DONE]');
    await expect.poll(() => events.filter((e) => e.type === 'request-finished').length).toBe(3);
    unsubscribe();
    const after = new LiveTable();
    after.applyEvents(events);
    expect(after.row(waitingId)).toMatchObject({ status: 'done', connectionWait: null });
  }, 20_000);
});
