import type { FakeReply, RecordedRequest } from '../../support/fake-upstream';
import { body, json, pieces, roughTokens, sse, stream, type UpstreamMode } from './upstream-kit';

/** OpenAI Responses as api.openai.com speaks it: models, JSON and streamed responses. */
export function openai(req: RecordedRequest, mode: UpstreamMode, text: string): FakeReply {
  const path = req.url.split('?')[0] ?? '';
  const b = body(req);
  const model = typeof b.model === 'string' ? b.model : 'gpt-unknown';
  const error = (status: number, type: string, code: string, message: string): FakeReply =>
    json(req, status, { error: { message, type, param: null, code } });
  if (req.method === 'GET' && path === '/v1/models') {
    return json(req, 200, {
      object: 'list',
      data: [{ id: 'gpt-5', object: 'model', created: 1754425777, owned_by: 'system' }],
    });
  }
  if (req.method !== 'POST' || path !== '/v1/responses') {
    return error(
      404,
      'invalid_request_error',
      'unknown_url',
      `fake upstream: no route ${req.method} ${path}`,
    );
  }
  if (mode === 'overloaded') {
    return error(
      503,
      'server_error',
      'server_is_overloaded',
      'The server is overloaded. Please retry later.',
    );
  }
  const id = 'resp_fake_0001';
  const itemId = 'msg_fake_0001';
  const base = {
    id,
    object: 'response',
    created_at: 1767225600,
    status: 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: null,
    model,
    output: [] as unknown[],
    parallel_tool_calls: true,
    previous_response_id: null,
    store: false,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    usage: null as unknown,
  };
  const part = { type: 'output_text', text, annotations: [] };
  const item = { type: 'message', id: itemId, status: 'completed', role: 'assistant', content: [part] };
  const usage = {
    input_tokens: roughTokens(req),
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 20,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: roughTokens(req) + 20,
  };
  const completed = { ...base, status: 'completed', output: [item], usage };
  if (b.stream !== true) {
    if (mode === 'stream-error')
      return error(500, 'server_error', 'server_error', 'The server had an error.');
    return json(req, 200, completed);
  }
  let seq = 0;
  const ev = (type: string, fields: Record<string, unknown>): string =>
    sse(type, { type, sequence_number: seq++, ...fields });
  if (mode === 'stream-error') {
    return stream([
      ev('response.created', { response: base }),
      ev('response.failed', {
        response: {
          ...base,
          status: 'failed',
          error: { code: 'server_error', message: 'The model is overloaded. Please retry.' },
        },
      }),
    ]);
  }
  return stream([
    ev('response.created', { response: base }),
    ev('response.in_progress', { response: base }),
    ev('response.output_item.added', {
      output_index: 0,
      item: { type: 'message', id: itemId, status: 'in_progress', role: 'assistant', content: [] },
    }),
    ev('response.content_part.added', {
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
    ...pieces(text, 3).map((delta) =>
      ev('response.output_text.delta', {
        item_id: itemId,
        output_index: 0,
        content_index: 0,
        delta,
        logprobs: [],
      }),
    ),
    ev('response.output_text.done', {
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      text,
      logprobs: [],
    }),
    ev('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part }),
    ev('response.output_item.done', { output_index: 0, item }),
    ev('response.completed', { response: completed }),
  ]);
}
