import type { ApiFormat } from '../../src/shared/api-format';

/**
 * The four wire formats as tests speak them: a client request, and the upstream's streams — complete,
 * cut short, failing — byte for byte, plus readers for the errors Sluice renders in each format.
 */

/** Everything a test needs to speak one wire format, client side and upstream side. */
export interface FormatKit {
  format: ApiFormat;
  kind: 'openai' | 'anthropic' | 'gemini';
  /** The provider `baseUrl` for an upstream at `url`, in the vendor's own convention. */
  baseUrl(url: string): string;
  /** Sluice path for a streaming request for `model`. */
  path(model: string): string;
  body(model: string): string;
  headers: Record<string, string>;
  /** A complete stream: one text event with `text`, usage, and the format's terminal event. */
  stream(text: string): string;
  /** Events before any content: no content, no terminal (Anthropic/Gemini ones carry input usage). */
  preamble(): string;
  /** The preamble plus one content event with `text`; no terminal event. */
  head(text: string): string;
  /** An error event inside a 200 stream, as the vendor sends it. */
  errorEvent(message: string): string;
  /** A whole 200 JSON body that is one error object. */
  jsonError(message: string): string;
  /** Usage of `stream()` as Sluice records it. */
  usage: { inputTokens: number; outputTokens: number };
  /** Input tokens visible in `head()`, or null when the format reports usage only at the end. */
  headInputTokens: number | null;
}

const frame = (event: string | null, data: unknown): string =>
  `${event === null ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

const chatChunk = (delta: Record<string, unknown>, finish: string | null = null, extra = {}): string =>
  frame(null, {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-test',
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  });

export const chatKit: FormatKit = {
  format: 'openai-chat',
  kind: 'openai',
  baseUrl: (url) => `${url}/v1`,
  path: () => '/v1/chat/completions',
  body: (model) =>
    JSON.stringify({
      model,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    }),
  headers: { authorization: 'Bearer sk-client' },
  preamble: () => chatChunk({ role: 'assistant', content: '' }),
  head: (text) => chatKit.preamble() + chatChunk({ content: text }),
  stream: (text) =>
    chatKit.head(text) +
    chatChunk({}, 'stop') +
    frame(null, {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'gpt-test',
      choices: [],
      usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 },
    }) +
    'data: [DONE]\n\n',
  errorEvent: (message) => frame(null, { error: { message, type: 'server_error', param: null, code: null } }),
  jsonError: (message) =>
    JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } }),
  usage: { inputTokens: 11, outputTokens: 3 },
  headInputTokens: null,
};

const response = (status: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'resp_1',
  object: 'response',
  created_at: 1,
  status,
  model: 'gpt-test',
  output: [],
  error: null,
  usage: null,
  ...extra,
});

export const responsesKit: FormatKit = {
  format: 'openai-responses',
  kind: 'openai',
  baseUrl: (url) => `${url}/v1`,
  path: () => '/v1/responses',
  body: (model) => JSON.stringify({ model, input: 'hi', stream: true }),
  headers: { authorization: 'Bearer sk-client' },
  preamble: () =>
    frame('response.created', {
      type: 'response.created',
      sequence_number: 0,
      response: response('in_progress'),
    }) +
    frame('response.in_progress', {
      type: 'response.in_progress',
      sequence_number: 1,
      response: response('in_progress'),
    }),
  head: (text) =>
    responsesKit.preamble() +
    frame('response.output_text.delta', {
      type: 'response.output_text.delta',
      sequence_number: 2,
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: text,
    }),
  stream: (text) =>
    responsesKit.head(text) +
    frame('response.completed', {
      type: 'response.completed',
      sequence_number: 3,
      response: response('completed', {
        output: [
          {
            id: 'msg_1',
            type: 'message',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text, annotations: [] }],
          },
        ],
        usage: { input_tokens: 11, output_tokens: 3, total_tokens: 14 },
      }),
    }),
  errorEvent: (message) =>
    frame('error', { type: 'error', sequence_number: 2, code: 'server_error', message, param: null }),
  jsonError: (message) =>
    JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } }),
  usage: { inputTokens: 11, outputTokens: 3 },
  headInputTokens: null,
};

export const anthropicKit: FormatKit = {
  format: 'anthropic',
  kind: 'anthropic',
  baseUrl: (url) => url,
  path: () => '/v1/messages',
  body: (model) =>
    JSON.stringify({ model, max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  headers: { 'x-api-key': 'sk-ant-client', 'anthropic-version': '2023-06-01' },
  preamble: () =>
    frame('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-test',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 11, output_tokens: 1 },
      },
    }) +
    frame('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    }) +
    frame('ping', { type: 'ping' }),
  head: (text) =>
    anthropicKit.preamble() +
    frame('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text },
    }),
  stream: (text) =>
    anthropicKit.head(text) +
    frame('content_block_stop', { type: 'content_block_stop', index: 0 }) +
    frame('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 3 },
    }) +
    frame('message_stop', { type: 'message_stop' }),
  errorEvent: (message) => frame('error', { type: 'error', error: { type: 'overloaded_error', message } }),
  jsonError: (message) => JSON.stringify({ type: 'error', error: { type: 'api_error', message } }),
  usage: { inputTokens: 11, outputTokens: 3 },
  headInputTokens: 11,
};

const geminiChunk = (parts: unknown[] | null, usage: Record<string, number>, finish?: string): string =>
  frame(null, {
    ...(parts === null
      ? {}
      : {
          candidates: [
            {
              content: { parts, role: 'model' },
              index: 0,
              ...(finish === undefined ? {} : { finishReason: finish }),
            },
          ],
        }),
    usageMetadata: usage,
    modelVersion: 'gemini-test',
    responseId: 'r1',
  });

export const geminiKit: FormatKit = {
  format: 'gemini',
  kind: 'gemini',
  baseUrl: (url) => url,
  path: (model) => `/v1beta/models/${model}:streamGenerateContent?alt=sse`,
  body: () => JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
  headers: { 'x-goog-api-key': 'client-key' },
  preamble: () => geminiChunk(null, { promptTokenCount: 11, totalTokenCount: 11 }),
  head: (text) =>
    geminiKit.preamble() + geminiChunk([{ text }], { promptTokenCount: 11, totalTokenCount: 11 }),
  stream: (text) =>
    geminiKit.head(text) +
    geminiChunk(
      [{ text: '' }],
      { promptTokenCount: 11, candidatesTokenCount: 3, totalTokenCount: 14 },
      'STOP',
    ),
  errorEvent: (message) => frame(null, { error: { code: 503, message, status: 'UNAVAILABLE' } }),
  jsonError: (message) => JSON.stringify({ error: { code: 503, message, status: 'UNAVAILABLE' } }),
  usage: { inputTokens: 11, outputTokens: 3 },
  headInputTokens: 11,
};

export const KITS: readonly FormatKit[] = [chatKit, responsesKit, anthropicKit, geminiKit];

/** One SSE frame split into its event name and data (the data's lines joined). */
export interface Frame {
  event: string | null;
  data: string;
}

/** Splits an SSE text into frames; throws when the text does not end on a frame boundary. */
export function frames(text: string): Frame[] {
  if (text.length > 0 && !text.endsWith('\n\n'))
    throw new Error(`not whole SSE frames: ${JSON.stringify(text)}`);
  return text
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) => {
      let event: string | null = null;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      return { event, data: data.join('\n') };
    });
}

/**
 * Whether `text` is exactly one well-formed error frame in the kit's format, as its SDK recognises one:
 * Chat/Gemini `data: {"error":{…}}`, Anthropic `event: error` with `{type:"error",error:{type,message}}`,
 * Responses `event: error` with `{type:"error",message}`. Returns the message, or throws.
 */
export function errorFrameMessage(kit: FormatKit, text: string): string {
  const all = frames(text);
  if (all.length !== 1)
    throw new Error(`expected one error frame, got ${all.length}: ${JSON.stringify(text)}`);
  const f = all[0]!;
  const data = JSON.parse(f.data) as Record<string, unknown>;
  const obj = (v: unknown): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null) throw new Error(`not an error frame: ${JSON.stringify(text)}`);
    return v as Record<string, unknown>;
  };
  switch (kit.format) {
    case 'openai-chat': {
      const e = obj(data.error);
      return String(e.message);
    }
    case 'gemini': {
      const e = obj(data.error);
      if (typeof e.code !== 'number' || e.code < 400 || e.code > 599) throw new Error(`bad code in ${text}`);
      return String(e.message);
    }
    case 'anthropic': {
      if (f.event !== 'error' || data.type !== 'error') throw new Error(`not an error event: ${text}`);
      const e = obj(data.error);
      if (typeof e.type !== 'string') throw new Error(`no error type in ${text}`);
      return String(e.message);
    }
    case 'openai-responses': {
      if (f.event !== 'error' || data.type !== 'error') throw new Error(`not an error event: ${text}`);
      const nested = data.error as Record<string, unknown> | undefined;
      return String(nested?.message ?? data.message);
    }
  }
}

/** The message of a JSON error body in the kit's format (Sluice's `errorBody`), or throws. */
export function errorBodyMessage(kit: FormatKit, body: string): string {
  const data = JSON.parse(body) as {
    type?: string;
    error?: { message?: unknown; type?: unknown; code?: unknown };
  };
  if (kit.format === 'anthropic' && data.type !== 'error') throw new Error(`not an Anthropic error: ${body}`);
  if (kit.format === 'gemini' && typeof data.error?.code !== 'number')
    throw new Error(`not a Google error: ${body}`);
  if (typeof data.error?.message !== 'string') throw new Error(`no error.message in ${body}`);
  return data.error.message;
}
