import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';

/*
 * A translated request keeps both sides for the inspector: the Anthropic request the client sent and the
 * Chat one the provider was sent (model mapped); the Chat stream the provider answered and the Anthropic
 * SSE the client received. Credentials are redacted on every side.
 */

const PROVIDER_KEY = 'sk-chat-provider-1a2b3c4d5e6f7a8b';
const chunk = (delta: object, finish: string | null = null): string =>
  `data: ${JSON.stringify({
    id: 'c1',
    object: 'chat.completion.chunk',
    model: 'x',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
const CHAT_SSE = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: `hello ${PROVIDER_KEY}` }),
  chunk({}, 'stop'),
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'x', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } })}\n\n`,
  'data: [DONE]\n\n',
];

let upstream: FakeUpstream;
let sluice: TestSluice | undefined;

beforeAll(async () => {
  upstream = await new FakeUpstream(() => ({
    headers: { 'content-type': 'text/event-stream' },
    chunks: CHAT_SSE,
    delayMs: 5,
  })).start();
});
afterAll(async () => {
  await upstream.close();
});
afterEach(async () => {
  await sluice?.close();
  sluice = undefined;
});

function start(captureRequestBodies: boolean): Promise<TestSluice> {
  return startSluice({
    providers: [
      {
        id: 'chatty',
        kind: 'openai',
        baseUrl: upstream.url,
        apiKey: PROVIDER_KEY,
        formats: ['chat'],
        models: { '*': 'x' },
      },
    ],
    settings: { captureRequestBodies },
  });
}

async function ask(): Promise<string> {
  const res = await fetch(`${sluice!.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'client-key-not-stored' },
    body: JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 50,
      stream: true,
      messages: [{ role: 'user', content: 'say hi' }],
    }),
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).toContain('event: message_start');
  return res.headers.get('x-sluice-request-id')!;
}

describe('capture of a translated request', () => {
  it('keeps what the client sent and received and what the provider was sent and answered', async () => {
    sluice = await start(true);
    const id = await ask();
    await sluice.row((r) => r.requestId === id);
    const capture = sluice.app.queries.getRequest(id)!.capture;
    // Client sent: Anthropic.
    expect(JSON.parse(capture.requestBody!)).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 50 });
    // Provider was sent: Chat JSON with the mapped model.
    const sent = JSON.parse(capture.upstreamRequest!.body) as Record<string, unknown>;
    expect(sent.model).toBe('x');
    expect(sent.messages).toEqual([{ role: 'user', content: 'say hi' }]);
    expect(capture.upstreamRequest!.attempt).toBe(1);
    // Provider answered: Chat chunks, the key redacted.
    expect(capture.frames.map((f) => f.event)).toEqual([null, null, null, null, null]);
    expect(capture.frames[1]!.data).toContain('hello [redacted]');
    expect(capture.frames.at(-1)!.data).toBe('[DONE]');
    // Client received: Anthropic SSE.
    const events = (capture.clientFrames ?? []).map((f) => f.event);
    expect(events[0]).toBe('message_start');
    expect(events).toContain('content_block_delta');
    expect(events.at(-1)).toBe('message_stop');
    expect(JSON.stringify(capture.clientFrames)).toContain('hello [redacted]');
    expect(JSON.stringify(capture)).not.toContain(PROVIDER_KEY);
  });

  it('keeps no provider body when request bodies are not captured, and the client side still', async () => {
    sluice = await start(false);
    const id = await ask();
    await sluice.row((r) => r.requestId === id);
    const capture = sluice.app.queries.getRequest(id)!.capture;
    expect(capture.requestBody).toBeNull();
    expect(capture.upstreamRequest ?? null).toBeNull();
    expect((capture.clientFrames ?? []).length).toBeGreaterThan(0);
  });
});
