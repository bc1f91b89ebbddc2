import type { FakeReply, RecordedRequest } from '../../support/fake-upstream';
import { body, json, pieces, roughTokens, sse, stream, type UpstreamMode } from './upstream-kit';

/** Anthropic Messages as api.anthropic.com speaks it: models, count_tokens, JSON and streamed messages. */
export function anthropic(req: RecordedRequest, mode: UpstreamMode, text: string): FakeReply {
  const path = req.url.split('?')[0] ?? '';
  const b = body(req);
  const model = typeof b.model === 'string' ? b.model : 'claude-unknown';
  const error = (status: number, type: string, message: string): FakeReply =>
    json(req, status, { type: 'error', error: { type, message }, request_id: 'req_fake' });
  if (req.method === 'GET' && path === '/v1/models') {
    return json(req, 200, {
      data: [
        {
          type: 'model',
          id: 'claude-opus-5-5',
          display_name: 'Claude (fake)',
          created_at: '2026-01-01T00:00:00Z',
        },
      ],
      has_more: false,
      first_id: 'claude-opus-5-5',
      last_id: 'claude-opus-5-5',
    });
  }
  if (req.method !== 'POST' || !path.startsWith('/v1/messages')) {
    return error(404, 'not_found_error', `fake upstream: no route ${req.method} ${path}`);
  }
  if (mode === 'overloaded') return error(529, 'overloaded_error', 'Overloaded');
  if (path === '/v1/messages/count_tokens') return json(req, 200, { input_tokens: roughTokens(req) });
  if (b.stream !== true) {
    if (mode === 'stream-error') return error(500, 'api_error', 'Internal server error');
    return json(req, 200, {
      id: 'msg_fake_json',
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: roughTokens(req), output_tokens: 20 },
    });
  }
  if (mode === 'stream-error') {
    return stream([
      sse('error', {
        type: 'error',
        error: { details: null, type: 'overloaded_error', message: 'Overloaded' },
      }),
    ]);
  }
  const usage = {
    input_tokens: roughTokens(req),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 1,
    service_tier: 'standard',
  };
  return stream([
    sse('message_start', {
      type: 'message_start',
      message: {
        model,
        id: 'msg_fake_stream',
        type: 'message',
        role: 'assistant',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage,
      },
    }),
    sse('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    }),
    sse('ping', { type: 'ping' }),
    ...pieces(text, 3).map((t) =>
      sse('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: t },
      }),
    ),
    sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
    sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { ...usage, output_tokens: 20 },
    }),
    sse('message_stop', { type: 'message_stop' }),
  ]);
}
