import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/shared/live-events';
import { FakeUpstream } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';

const frames = [
  'data: {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"}}],"modelVersion":"gemini-x"}\r\n\r\n',
  'data: {"candidates":[{"content":{"parts":[{"text":" there"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":2,"totalTokenCount":10}}\r\n\r\n',
];

describe('live events', () => {
  let down: FakeUpstream;
  let up: FakeUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    down = await new FakeUpstream(() => ({ status: 500, chunks: ['boom'] })).start();
    up = await new FakeUpstream(() => ({ chunks: frames, delayMs: 30 })).start();
    sluice = await startSluice({
      providers: [
        { id: 'g-down', kind: 'gemini', baseUrl: down.url, priority: 1 },
        { id: 'g-up', kind: 'gemini', baseUrl: up.url, priority: 2 },
      ],
      settings: { liveFramesPerRequest: 1 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await down.close();
    await up.close();
  });

  it('tells the UI about every stage of a request, with frames bounded per request', async () => {
    const events: LiveEvent[] = [];
    const unsubscribe = sluice.app.live.subscribe((batch) => events.push(...batch));
    const res = await fetch(`${sluice.url}/v1beta/models/gemini-x:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(await res.text()).toBe(frames.join(''));
    const id = res.headers.get('x-sluice-request-id')!;
    await expect.poll(() => events.some((e) => e.type === 'request-finished')).toBe(true);
    unsubscribe();
    const mine = events.filter((e) => e.requestId === id);
    expect(mine.map((e) => e.type)).toEqual([
      'request-started',
      'attempt-started',
      'attempt-failed',
      'attempt-started',
      'sse-event',
      'committed',
      'frames-dropped',
      'request-finished',
    ]);
    const failed = mine.find((e) => e.type === 'attempt-failed');
    expect(failed).toMatchObject({
      provider: 'g-down',
      status: 500,
      reason: 'http_status 500',
      bodyHead: 'boom',
    });
    const frame = mine.find((e) => e.type === 'sse-event');
    expect(frame).toMatchObject({ event: null, data: expect.stringContaining('"Hi"') });
    expect(frame?.type === 'sse-event' && frame.offsetMs).toBeGreaterThanOrEqual(0);
    expect(mine.find((e) => e.type === 'frames-dropped')).toMatchObject({ count: 1 });
    expect(mine.at(-1)).toMatchObject({
      type: 'request-finished',
      outcome: 'completed',
      usage: { inputTokens: 8, outputTokens: 2 },
    });
  });
});
