import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeUpstream, type FakeReply } from '../support/fake-upstream';
import { post } from '../support/fault-upstream';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * The edges of translation that no recorded stream shows: state a foreign provider cannot hold, a
 * token count no foreign provider answers, and a foreign provider's refusal with the headers clients
 * act on (issue #16).
 */

describe('translation at its edges', () => {
  let chat: FakeUpstream;
  let next: FakeReply;
  let sluice: TestSluice;

  beforeAll(async () => {
    chat = await new FakeUpstream(() => next).start();
    sluice = await startSluice({
      providers: [
        {
          id: 'deepseek',
          kind: 'openai',
          baseUrl: `${chat.url}/v1`,
          apiKey: 'sk-provider-key-0123456789',
          formats: ['chat'],
          models: { '*': 'deepseek-chat' },
        },
      ],
      settings: { retryBaseDelayMs: 1, retryMaxDelayMs: 2 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await chat.close();
  });
  beforeEach(() => {
    sluice.app.gateway.health.reset();
    next = { status: 500, chunks: ['unexpected'] };
  });

  it('refuses previous_response_id for a Chat-only provider with a 400 that says why, and sends nothing', async () => {
    const before = chat.requests.length;
    const res = await post(
      sluice.url,
      '/v1/responses',
      JSON.stringify({ model: 'gpt-5', input: 'and then?', previous_response_id: 'resp_123', stream: true }),
      { 'content-type': 'application/json', authorization: 'Bearer sk-client' },
    );
    expect(res.status).toBe(400);
    const body = JSON.parse(res.text) as { error: { message: string; code: string } };
    expect(body.error.message).toMatch(/previous_response_id/);
    expect(body.error.message).toMatch(/deepseek speaks openai-chat/);
    expect(body.error.code).toBe('untranslatable');
    expect(chat.requests.length).toBe(before);
    const row = await sluice.row((r) => r.requestId === res.headers['x-sluice-request-id']);
    expect(row).toMatchObject({ status: 'failed', httpStatus: 400 });
    expect(row.error).toMatch(/^untranslatable: previous_response_id/);
  });

  it('refuses store: true the same way, and serves store: false', async () => {
    const send = (store: boolean) =>
      post(sluice.url, '/v1/responses', JSON.stringify({ model: 'gpt-5', input: 'hi', store }), {
        'content-type': 'application/json',
      });
    expect((await send(true)).status).toBe(400);
    next = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      chunks: [
        JSON.stringify({
          id: 'c1',
          object: 'chat.completion',
          model: 'deepseek-chat',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
        }),
      ],
    };
    const ok = await send(false);
    expect(ok.status).toBe(200);
    const answer = JSON.parse(ok.text) as { output: { content?: { text?: string }[] }[] };
    expect(JSON.stringify(answer.output)).toContain('Hello.');
  });

  it('answers count_tokens itself when only a provider of another format serves the model, recorded as estimated', async () => {
    const before = chat.requests.length;
    const res = await post(
      sluice.url,
      '/v1/messages/count_tokens',
      JSON.stringify({
        model: 'claude-sonnet-4-5',
        system: 'You are terse.',
        messages: [{ role: 'user', content: 'Count the tokens of this sentence, please.' }],
      }),
      { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    );
    expect(res.status).toBe(200);
    expect(res.headers['x-sluice-estimate']).toBe('true');
    const { input_tokens } = JSON.parse(res.text) as { input_tokens: number };
    expect(input_tokens).toBeGreaterThan(5);
    expect(input_tokens).toBeLessThan(40);
    expect(chat.requests.length).toBe(before);
    const row = await sluice.row((r) => r.requestId === res.headers['x-sluice-request-id']);
    expect(row).toMatchObject({
      status: 'completed',
      usageProvenance: 'estimated',
      inputTokens: input_tokens,
    });
  });

  it("a foreign provider's 429 reaches an Anthropic client as its own rate-limit error, with Retry-After and the provider's words", async () => {
    next = {
      status: 429,
      headers: {
        'content-type': 'application/json',
        'retry-after': '7',
        'x-ratelimit-remaining-requests': '0',
      },
      chunks: [
        JSON.stringify({
          error: { message: 'Rate limit reached for deepseek-chat', type: 'rate_limit_error' },
        }),
      ],
    };
    const res = await post(
      sluice.url,
      '/v1/messages',
      JSON.stringify({ model: 'claude-x', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }),
      { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    );
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['x-ratelimit-remaining-requests']).toBe('0');
    const body = JSON.parse(res.text) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(body.error.message).toBe('Rate limit reached for deepseek-chat');
  });
});

describe('a Gemini client streaming without alt=sse through a provider of another format', () => {
  let chat: FakeUpstream;
  let sluice: TestSluice;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'deepseek-chat', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

  beforeAll(async () => {
    chat = await new FakeUpstream(() => ({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      chunks: [
        chunk({ role: 'assistant', content: 'Hel' }),
        chunk({ content: 'lo.' }),
        chunk({}, 'stop'),
        `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } })}\n\n`,
        'data: [DONE]\n\n',
      ],
    })).start();
    sluice = await startSluice({
      providers: [
        {
          id: 'ds',
          kind: 'openai',
          baseUrl: `${chat.url}/v1`,
          apiKey: 'sk-ds-0123456789',
          models: { '*': 'deepseek-chat' },
        },
      ],
    });
  });
  afterAll(async () => {
    await sluice.close();
    await chat.close();
  });

  it('gets one JSON array, element by element, with the text, the finish reason and the usage', async () => {
    const res = await post(
      sluice.url,
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
      JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Say hello.' }] }] }),
      { 'content-type': 'application/json' },
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const elements = JSON.parse(res.text) as {
      candidates?: { content?: { parts?: { text?: string }[] }; finishReason?: string }[];
      usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number };
    }[];
    expect(Array.isArray(elements)).toBe(true);
    const text = elements
      .flatMap((e) => e.candidates?.[0]?.content?.parts ?? [])
      .map((p) => p.text ?? '')
      .join('');
    expect(text).toBe('Hello.');
    expect(elements.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(elements.at(-1)?.usageMetadata).toMatchObject({ promptTokenCount: 9, candidatesTokenCount: 2 });
    // The Chat provider was asked for a stream on its own path.
    expect(chat.requests.at(-1)?.url).toBe('/v1/chat/completions');
  });
});
