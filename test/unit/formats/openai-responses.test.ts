import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { openAiResponsesAdapter } from '../../../src/formats/openai-responses';
import { decodeFrames, fakeFetch, jsonResponse, sseResponse, thrown } from './harness';

const client = (respond: () => Response): OpenAI =>
  new OpenAI({ apiKey: 'test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: fakeFetch(respond) });

const frame = (type: string, payload: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

describe('openAiResponsesAdapter.observeJson on a non-streaming Response', () => {
  it('reads output text, reasoning summary, function calls, status, usage, model and id', () => {
    const observer = openAiResponsesAdapter.createObserver();
    const kind = observer.observeJson({
      id: 'resp_1',
      object: 'response',
      status: 'completed',
      model: 'gpt-5-2025-08-07',
      error: null,
      output: [
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Plan.' }] },
        { type: 'message', id: 'msg_1', content: [{ type: 'output_text', text: 'Done.', annotations: [] }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{"a":1}' },
      ],
      usage: {
        input_tokens: 50,
        input_tokens_details: { cached_tokens: 10 },
        output_tokens: 30,
        output_tokens_details: { reasoning_tokens: 12 },
        total_tokens: 80,
      },
    });
    const f = observer.facts;
    expect(kind).toBe('terminal');
    expect([f.text, f.thinking]).toEqual(['Done.', 'Plan.']);
    expect(f.toolCalls).toEqual([{ index: 2, id: 'call_1', name: 'f', arguments: '{"a":1}' }]);
    expect([f.finishReason, f.terminal, f.completed, f.error]).toEqual(['completed', true, true, null]);
    expect([f.model, f.responseId]).toEqual(['gpt-5-2025-08-07', 'resp_1']);
    expect(f.usage).toEqual({
      inputTokens: 40,
      cacheReadTokens: 10,
      cacheWriteTokens: null,
      cacheWrite5mTokens: null,
      cacheWrite1hTokens: null,
      outputTokens: 30,
      reasoningTokens: 12,
    });
  });

  it('reads its own error body as an error', () => {
    const observer = openAiResponsesAdapter.createObserver();
    expect(
      observer.observeJson(JSON.parse(openAiResponsesAdapter.errorBody(400, 'bad_request', 'Bad input'))),
    ).toBe('error');
    expect(observer.facts.error).toEqual({
      type: 'invalid_request_error',
      message: 'Bad input',
      status: null,
    });
  });
});

describe('openAiResponsesAdapter stream classification', () => {
  it('counts unread events without parsing them and ends on response.incomplete without completing', () => {
    const observer = openAiResponsesAdapter.createObserver();
    expect(observer.observeEvent('response.in_progress', 'not even json')).toBe('other');
    expect(observer.observeEvent('response.output_text.delta', '{"delta":"Hi"}')).toBe('content');
    const incomplete = {
      response: { id: 'r', status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    };
    expect(observer.observeEvent('response.incomplete', JSON.stringify(incomplete))).toBe('terminal');
    expect([observer.facts.terminal, observer.facts.completed, observer.facts.finishReason]).toEqual([
      true,
      false,
      'incomplete',
    ]);
    expect(observer.facts.events).toBe(3);
  });

  it('reads events by their data `type` when the stream has no event names', () => {
    const observer = openAiResponsesAdapter.createObserver();
    observer.observeEvent(undefined, '{"type":"response.output_text.delta","delta":"A"}');
    observer.observeEvent(undefined, '{"type":"response.completed","response":{"status":"completed"}}');
    expect([observer.facts.text, observer.facts.completed]).toEqual(['A', true]);
  });

  it('keeps arguments from the done event when a server sends no deltas', () => {
    const observer = openAiResponsesAdapter.createObserver();
    observer.observeEvent(
      'response.output_item.added',
      JSON.stringify({
        output_index: 0,
        item: { type: 'function_call', id: 'fc', call_id: 'c', name: 'f', arguments: '' },
      }),
    );
    observer.observeEvent(
      'response.function_call_arguments.done',
      JSON.stringify({ item_id: 'fc', output_index: 0, arguments: '{"q":2}' }),
    );
    expect(observer.facts.toolCalls).toEqual([{ index: 0, id: 'c', name: 'f', arguments: '{"q":2}' }]);
  });
});

describe('openAiResponsesAdapter errors as the openai SDK sees them', () => {
  it('errorBody: the SDK raises a typed APIError', async () => {
    const body = openAiResponsesAdapter.errorBody(400, 'bad_request', 'Bad input');
    const err = await thrown(() =>
      client(() => jsonResponse(400, body)).responses.create({ model: 'm', input: 'x' }),
    );
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect([e.type, e.code]).toEqual(['invalid_request_error', 'bad_request']);
  });

  it('errorEvent: one `error` event with the documented ResponseErrorEvent fields', () => {
    const events = decodeFrames(
      openAiResponsesAdapter.errorEvent(504, 'upstream_timeout', 'Upstream went quiet'),
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.event).toBe('error');
    expect(JSON.parse(events[0]!.data)).toEqual({
      type: 'error',
      code: 'upstream_timeout',
      message: 'Upstream went quiet',
      param: null,
      sequence_number: 0,
      // The extra `error` object is what makes the openai SDK raise instead of yielding the event.
      error: {
        message: 'Upstream went quiet',
        type: expect.any(String),
        param: null,
        code: 'upstream_timeout',
      },
    });
    const observer = openAiResponsesAdapter.createObserver();
    expect(observer.observeEvent(events[0]!.event, events[0]!.data)).toBe('error');
    expect(observer.facts.error).toEqual({
      type: 'server_error',
      message: 'Upstream went quiet',
      status: null,
    });
  });

  it('errorEvent: the SDK stream raises it as an APIError after the text', async () => {
    const body =
      frame('response.created', {
        sequence_number: 0,
        response: { id: 'r', object: 'response', status: 'in_progress', output: [] },
      }) +
      frame('response.output_text.delta', {
        sequence_number: 1,
        item_id: 'm',
        output_index: 0,
        content_index: 0,
        delta: 'Hi',
      }) +
      openAiResponsesAdapter.errorEvent(502, 'upstream_stream', 'Upstream cut');
    const stream = await client(() => sseResponse(body)).responses.create({
      model: 'm',
      input: 'x',
      stream: true,
    });
    const types: string[] = [];
    const run = async (): Promise<void> => {
      for await (const event of stream) types.push(event.type);
    };
    await expect(run()).rejects.toThrow(/Upstream cut/);
    expect(types).toEqual(['response.created', 'response.output_text.delta']);
  });
});
