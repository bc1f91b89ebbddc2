import Anthropic from '@anthropic-ai/sdk';
import Anthropic0 from 'anthropic-sdk-0';
import { describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../../../src/formats/anthropic';
import { decodeFrames, fakeFetch, jsonResponse, sseResponse, thrown } from './harness';

const params = { model: 'claude-test', max_tokens: 16, messages: [{ role: 'user' as const, content: 'hi' }] };

const frame = (type: string, payload: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

const partialStream =
  frame('message_start', {
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-test',
      content: [],
      stop_reason: null,
      usage: { input_tokens: 5, output_tokens: 1 },
    },
  }) +
  frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
  frame('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hel' } });

interface Sdk {
  name: string;
  apiError: new (...args: never[]) => unknown;
  create(respond: () => Response): Promise<unknown>;
  stream(respond: () => Response): Promise<AsyncIterable<{ type: string }>>;
}

/** Both SDK generations Claude clients ship with: the current one and the 0.x line. */
const sdks: Sdk[] = [
  {
    name: '@anthropic-ai/sdk',
    apiError: Anthropic.APIError,
    create: (respond) => sdk1(respond).messages.create(params),
    stream: (respond) => sdk1(respond).messages.create({ ...params, stream: true }),
  },
  {
    name: '@anthropic-ai/sdk 0.x',
    apiError: Anthropic0.APIError,
    create: (respond) => sdk0(respond).messages.create(params),
    stream: (respond) => sdk0(respond).messages.create({ ...params, stream: true }),
  },
];

function sdk1(respond: () => Response): Anthropic {
  return new Anthropic({ apiKey: 'test', maxRetries: 0, fetch: fakeFetch(respond) });
}

function sdk0(respond: () => Response): Anthropic0 {
  return new Anthropic0({ apiKey: 'test', maxRetries: 0, fetch: fakeFetch(respond) });
}

describe('anthropicAdapter.observeJson on a non-streaming Message', () => {
  it('reads text, thinking, tool use, stop reason, usage, model and id', () => {
    const observer = anthropicAdapter.createObserver();
    const kind = observer.observeJson({
      id: 'msg_9',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
        { type: 'text', text: 'Calling.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 12,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 700,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
        output_tokens: 40,
      },
    });
    const f = observer.facts;
    expect(kind).toBe('terminal');
    expect([f.text, f.thinking]).toEqual(['Calling.', 'Hmm.']);
    expect(f.toolCalls).toEqual([
      { index: 2, id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ]);
    expect([f.finishReason, f.terminal, f.completed, f.error]).toEqual(['tool_use', true, true, null]);
    expect([f.model, f.responseId, f.contentEvents]).toEqual(['claude-sonnet-4-5', 'msg_9', 1]);
    expect(f.usage).toEqual({
      inputTokens: 12,
      cacheReadTokens: 700,
      cacheWriteTokens: 300,
      cacheWrite5mTokens: 100,
      cacheWrite1hTokens: 200,
      outputTokens: 40,
      reasoningTokens: null,
    });
  });

  it('reads its own error body as an error', () => {
    const observer = anthropicAdapter.createObserver();
    expect(
      observer.observeJson(JSON.parse(anthropicAdapter.errorBody(529, 'upstream_status', 'Overloaded'))),
    ).toBe('error');
    expect(observer.facts.error).toEqual({ type: 'overloaded_error', message: 'Overloaded', status: null });
  });
});

describe('anthropicAdapter stream classification', () => {
  it('answers ping, content_block_stop and message_stop without parsing, and lays message_delta usage over message_start', () => {
    const observer = anthropicAdapter.createObserver();
    expect(
      observer.observeEvent(
        'message_start',
        JSON.stringify({
          type: 'message_start',
          message: { id: 'm', usage: { input_tokens: 9, cache_read_input_tokens: 4, output_tokens: 1 } },
        }),
      ),
    ).toBe('other');
    expect(observer.observeEvent('ping', 'junk')).toBe('other');
    expect(
      observer.observeEvent('content_block_delta', '{"index":0,"delta":{"type":"text_delta","text":"x"}}'),
    ).toBe('content');
    expect(observer.observeEvent('content_block_stop', 'junk')).toBe('other');
    expect(
      observer.observeEvent(
        'message_delta',
        '{"delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7,"input_tokens":null}}',
      ),
    ).toBe('other');
    expect(observer.observeEvent('message_stop', 'junk')).toBe('terminal');
    const f = observer.facts;
    expect(f.rawUsage).toEqual({ input_tokens: 9, cache_read_input_tokens: 4, output_tokens: 7 });
    expect([f.usage.inputTokens, f.usage.cacheReadTokens, f.usage.outputTokens]).toEqual([9, 4, 7]);
    expect([f.finishReason, f.completed, f.events]).toEqual(['end_turn', true, 6]);
  });
});

describe('anthropicAdapter errors as the Anthropic SDKs see them', () => {
  it('errorBody: the documented shape, with the type named after the status', () => {
    const types = [400, 401, 403, 404, 413, 429, 500, 502, 504, 529].map(
      (s) =>
        (JSON.parse(anthropicAdapter.errorBody(s, 'internal', 'm')) as { error: { type: string } }).error
          .type,
    );
    expect(types).toEqual([
      'invalid_request_error',
      'authentication_error',
      'permission_error',
      'not_found_error',
      'request_too_large',
      'rate_limit_error',
      'api_error',
      'api_error',
      'timeout_error',
      'overloaded_error',
    ]);
    expect(JSON.parse(anthropicAdapter.errorBody(404, 'not_found', 'No route'))).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'No route' },
    });
  });

  it('errorEvent: one `error` event that decodes to the error', () => {
    const events = decodeFrames(anthropicAdapter.errorEvent(529, 'upstream_stream', 'Overloaded'));
    expect(events).toHaveLength(1);
    expect(events[0]!.event).toBe('error');
    expect(JSON.parse(events[0]!.data)).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    const observer = anthropicAdapter.createObserver();
    expect(observer.observeEvent(events[0]!.event, events[0]!.data)).toBe('error');
    expect(observer.facts.error).toEqual({ type: 'overloaded_error', message: 'Overloaded', status: null });
  });

  for (const sdk of sdks) {
    it(`errorBody: ${sdk.name} raises the status's error class`, async () => {
      const body = anthropicAdapter.errorBody(529, 'upstream_status', 'Overloaded');
      const err = await thrown(() => sdk.create(() => jsonResponse(529, body)));
      expect(err).toBeInstanceOf(sdk.apiError);
      expect(err).toMatchObject({
        status: 529,
        error: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      });
    });

    it(`errorEvent: ${sdk.name} throws mid-stream with the error type, after the text`, async () => {
      const body = partialStream + anthropicAdapter.errorEvent(502, 'upstream_stream', 'Upstream cut');
      const stream = await sdk.stream(() => sseResponse(body));
      const types: string[] = [];
      const err = await thrown(async () => {
        for await (const event of stream) types.push(event.type);
      });
      expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
      expect(err).toBeInstanceOf(sdk.apiError);
      expect(err).toMatchObject({
        type: 'api_error',
        error: { type: 'error', error: { type: 'api_error', message: 'Upstream cut' } },
      });
      expect((err as Error).message).toContain('Upstream cut');
    });
  }
});
