import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { openAiChatAdapter } from '../../../src/formats/openai-chat';
import { decodeFrames, fakeFetch, jsonResponse, sseResponse, thrown } from './harness';

const client = (respond: () => Response): OpenAI =>
  new OpenAI({ apiKey: 'test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: fakeFetch(respond) });

const params = { model: 'gpt-test', messages: [{ role: 'user' as const, content: 'hi' }] };

const contentChunk = `data: ${JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-test',
  choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }],
})}\n\n`;

describe('openAiChatAdapter.observeJson on a non-streaming chat.completion', () => {
  it('reads text, reasoning, tool calls, finish reason, usage, model and id', () => {
    const observer = openAiChatAdapter.createObserver();
    const kind = observer.observeJson({
      id: 'chatcmpl-9',
      object: 'chat.completion',
      model: 'gpt-4.1-2025-04-14',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Sure.',
            reasoning_content: 'Think.',
            tool_calls: [
              { id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
              { id: 'call_b', type: 'function', function: { name: 'g', arguments: '{}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
        { index: 1, message: { role: 'assistant', content: 'ignored: not choice 0' }, finish_reason: 'stop' },
      ],
      usage: {
        prompt_tokens: 100,
        completion_tokens: 20,
        total_tokens: 120,
        prompt_tokens_details: { cached_tokens: 64 },
        completion_tokens_details: { reasoning_tokens: 5 },
      },
    });
    const f = observer.facts;
    expect(kind).toBe('content');
    expect(f.text).toBe('Sure.');
    expect(f.thinking).toBe('Think.');
    expect(f.toolCalls).toEqual([
      { index: 0, id: 'call_a', name: 'f', arguments: '{"x":1}' },
      { index: 1, id: 'call_b', name: 'g', arguments: '{}' },
    ]);
    expect(f.finishReason).toBe('tool_calls');
    expect([f.terminal, f.completed, f.error]).toEqual([true, true, null]);
    expect(f.model).toBe('gpt-4.1-2025-04-14');
    expect(f.responseId).toBe('chatcmpl-9');
    expect(f.usage).toEqual({
      inputTokens: 36,
      cacheReadTokens: 64,
      cacheWriteTokens: null,
      cacheWrite5mTokens: null,
      cacheWrite1hTokens: null,
      outputTokens: 20,
      reasoningTokens: 5,
    });
    expect([f.events, f.contentEvents]).toEqual([1, 1]);
  });

  it('reads its own error body as an error', () => {
    const observer = openAiChatAdapter.createObserver();
    const body = openAiChatAdapter.errorBody(429, 'upstream_status', 'Slow down');
    expect(observer.observeJson(JSON.parse(body))).toBe('error');
    expect(observer.facts.error).toEqual({ type: 'rate_limit_error', message: 'Slow down', status: null });
    expect(observer.facts.completed).toBe(false);
  });
});

describe('openAiChatAdapter stream classification', () => {
  it('skips [DONE] as terminal and treats "error": null as no error', () => {
    const observer = openAiChatAdapter.createObserver();
    expect(
      observer.observeEvent(
        undefined,
        '{"id":"x","error":null,"choices":[{"index":0,"delta":{"content":"a"}}]}',
      ),
    ).toBe('content');
    expect(
      observer.observeEvent(undefined, '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}'),
    ).toBe('terminal');
    expect(observer.observeEvent(undefined, '[DONE]')).toBe('terminal');
    expect(observer.facts.error).toBeNull();
    expect(observer.facts.completed).toBe(true);
  });

  it('turns an error after the finish reason into an incomplete response', () => {
    const observer = openAiChatAdapter.createObserver();
    observer.observeEvent(
      undefined,
      '{"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"length"}]}',
    );
    expect(observer.facts.completed).toBe(true);
    expect(observer.observeEvent(undefined, '{"error":{"code":400,"message":"Token limit reached"}}')).toBe(
      'error',
    );
    expect(observer.facts.completed).toBe(false);
    expect(observer.facts.error).toEqual({ type: null, message: 'Token limit reached', status: 400 });
  });

  it('treats a non-JSON `event: error` as an error', () => {
    const observer = openAiChatAdapter.createObserver();
    expect(observer.observeEvent('error', 'upstream exploded')).toBe('error');
    expect(observer.facts.error?.message).toBe('upstream exploded');
  });
});

describe('openAiChatAdapter errors as the openai SDK sees them', () => {
  it('errorBody: the JSON shape the API uses', () => {
    expect(JSON.parse(openAiChatAdapter.errorBody(503, 'no_provider', 'No provider'))).toEqual({
      error: { message: 'No provider', type: 'server_error', param: null, code: 'no_provider' },
    });
    const type = (status: number): string =>
      (JSON.parse(openAiChatAdapter.errorBody(status, 'internal', 'x')) as { error: { type: string } }).error
        .type;
    expect([400, 401, 403, 404, 429, 500, 502].map(type)).toEqual([
      'invalid_request_error',
      'authentication_error',
      'permission_error',
      'invalid_request_error',
      'rate_limit_error',
      'server_error',
      'server_error',
    ]);
  });

  it('errorBody: the SDK raises a typed APIError carrying message, type and code', async () => {
    const body = openAiChatAdapter.errorBody(429, 'upstream_status', 'Too many requests');
    const err = await thrown(() => client(() => jsonResponse(429, body)).chat.completions.create(params));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect([e.status, e.type, e.code]).toEqual([429, 'rate_limit_error', 'upstream_status']);
    expect(e.message).toContain('Too many requests');
  });

  it('errorEvent: one complete frame that decodes to the error', () => {
    const frame = openAiChatAdapter.errorEvent(502, 'upstream_stream', 'Upstream cut');
    expect(frame.endsWith('\n\n')).toBe(true);
    const events = decodeFrames(frame);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.data)).toEqual({
      error: { message: 'Upstream cut', type: 'server_error', param: null, code: 'upstream_stream' },
    });
    const observer = openAiChatAdapter.createObserver();
    expect(observer.observeEvent(events[0]!.event, events[0]!.data)).toBe('error');
    expect(observer.facts.error?.message).toBe('Upstream cut');
  });

  it('errorEvent: the SDK throws APIError mid-stream, after the content before it', async () => {
    const frame = openAiChatAdapter.errorEvent(502, 'upstream_stream', 'Upstream cut');
    const stream = await client(() => sseResponse(contentChunk + frame)).chat.completions.create({
      ...params,
      stream: true,
    });
    const seen: string[] = [];
    const err = await thrown(async () => {
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
    });
    expect(seen).toEqual(['Hel']);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const e = err as InstanceType<typeof OpenAI.APIError>;
    expect(e.message).toContain('Upstream cut');
    expect(e.code).toBe('upstream_stream');
  });
});
