import http from 'node:http';
import type { ApiFormat } from '../../src/shared/api-format';
import { createFrameSplitter, parseFrame } from '../../src/main/proxy/sse-frames';

/**
 * Streams for the smoothing tests: one per wire format, each with one big text delta between
 * events that must pass unchanged (tool input, thinking, usage, terminal, unknown), and readers that
 * take what came over the wire apart again.
 */

type Json = Record<string, unknown>;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Grapheme cluster start offsets of `text`. */
export const clusterStarts = (text: string): number[] => [...segmenter.segment(text)].map((s) => s.index);

const POOL = ['a', 'b', ' ', 'é', 'e\u0301', '東', '🗼', '👨‍👩‍👧‍👦', '🇯🇵', '👍🏽', '1️⃣', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', 'z', '.', '\n'];

/** A text of exactly `n` grapheme clusters, many of them multi-code-point. */
export function graphemeText(n: number): string {
  return Array.from({ length: n }, (_, i) => POOL[(i * 7) % POOL.length]!).join('');
}

/** `n` ASCII letters. */
export const letters = (n: number): string =>
  'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil(n / 26)).slice(0, n);

const ev = (event: string | null, body: unknown): string =>
  `${event === null ? '' : `event: ${event}\n`}data: ${JSON.stringify(body)}\n\n`;

const chatChunk = (choice: Json | null, extra: Json = {}): string =>
  ev(null, {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-test',
    choices: choice === null ? [] : [{ index: 0, logprobs: null, finish_reason: null, ...choice }],
    usage: null,
    ...extra,
  });

/** Frames of one stream, with the one frame that carries the big text delta marked. */
export interface Scenario {
  frames: string[];
  /** Index in `frames` of the text delta that smoothing should split. */
  textAt: number;
}

/** OpenAI Chat: role + text + finish_reason + usage all in one chunk, around a tool call. */
function chatScenario(text: string): Scenario {
  const frames = [
    chatChunk({ delta: { role: 'assistant', content: text } }),
    chatChunk({
      delta: {
        tool_calls: [
          {
            index: 0,
            id: 'call_1',
            type: 'function',
            function: {
              name: 'get_weather',
              arguments: '{"city": "Paris, Île-de-France, the long way round"}',
            },
          },
        ],
      },
    }),
    chatChunk({ delta: { reasoning_content: `thinking ${letters(60)}` } }),
    chatChunk({ delta: {}, finish_reason: 'tool_calls' }),
    chatChunk(null, { usage: { prompt_tokens: 12, completion_tokens: 340, total_tokens: 352 } }),
    ev('sluice-unknown', { note: letters(80) }),
    'data: [DONE]\n\n',
  ];
  return { frames, textAt: 0 };
}

function responsesScenario(text: string): Scenario {
  const item = 'msg_1';
  const completed = {
    id: 'resp_1',
    object: 'response',
    created_at: 1,
    status: 'completed',
    model: 'gpt-test',
    output: [
      {
        type: 'message',
        id: item,
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [] }],
      },
      {
        type: 'function_call',
        id: 'fc_1',
        call_id: 'call_1',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
        status: 'completed',
      },
    ],
    usage: {
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 300,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 310,
    },
  };
  const inProgress = { ...completed, status: 'in_progress', output: [], usage: null };
  let seq = 0;
  const e = (type: string, body: Json): string => ev(type, { type, sequence_number: seq++, ...body });
  const frames = [
    e('response.created', { response: inProgress }),
    e('response.in_progress', { response: inProgress }),
    e('response.output_item.added', {
      output_index: 0,
      item: { type: 'message', id: item, status: 'in_progress', role: 'assistant', content: [] },
    }),
    e('response.content_part.added', {
      item_id: item,
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
    e('response.output_text.delta', {
      item_id: item,
      output_index: 0,
      content_index: 0,
      delta: text,
      logprobs: [],
    }),
    e('response.output_text.done', { item_id: item, output_index: 0, content_index: 0, text, logprobs: [] }),
    e('response.content_part.done', {
      item_id: item,
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text, annotations: [] },
    }),
    e('response.output_item.done', { output_index: 0, item: completed.output[0] }),
    e('response.output_item.added', {
      output_index: 1,
      item: { ...completed.output[1], arguments: '', status: 'in_progress' },
    }),
    e('response.function_call_arguments.delta', {
      item_id: 'fc_1',
      output_index: 1,
      delta: '{"city":"Paris"}',
    }),
    e('response.function_call_arguments.done', {
      item_id: 'fc_1',
      output_index: 1,
      arguments: '{"city":"Paris"}',
    }),
    e('response.output_item.done', { output_index: 1, item: completed.output[1] }),
    e('response.completed', { response: completed }),
  ];
  return { frames, textAt: 4 };
}

function anthropicScenario(text: string): Scenario {
  const frames = [
    ev('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-test',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 1 },
      },
    }),
    ev('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'thinking', thinking: '', signature: '' },
    }),
    ev('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'thinking_delta', thinking: `Let me think. ${letters(70)}` },
    }),
    ev('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'signature_delta', signature: 'c2lnbmF0dXJl'.repeat(8) },
    }),
    ev('content_block_stop', { type: 'content_block_stop', index: 0 }),
    ev('content_block_start', {
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'text', text: '' },
    }),
    ev('ping', { type: 'ping' }),
    ev('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text } }),
    ev('content_block_stop', { type: 'content_block_stop', index: 1 }),
    ev('content_block_start', {
      type: 'content_block_start',
      index: 2,
      content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} },
    }),
    ev('content_block_delta', {
      type: 'content_block_delta',
      index: 2,
      delta: {
        type: 'input_json_delta',
        partial_json: '{"city": "Paris, Île-de-France, the long way round"}',
      },
    }),
    ev('content_block_stop', { type: 'content_block_stop', index: 2 }),
    ev('sluice_unknown', { type: 'sluice_unknown', note: letters(80) }),
    ev('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 321 },
    }),
    ev('message_stop', { type: 'message_stop' }),
  ];
  return { frames, textAt: 7 };
}

function geminiScenario(text: string): Scenario {
  const usage = {
    promptTokenCount: 10,
    candidatesTokenCount: 300,
    thoughtsTokenCount: 20,
    totalTokenCount: 330,
  };
  const chunk = (parts: Json[], extra: Json = {}, cand: Json = {}): string =>
    ev(null, {
      candidates: [{ content: { parts, role: 'model' }, index: 0, ...cand }],
      usageMetadata: usage,
      modelVersion: 'gemini-test',
      responseId: 'r1',
      ...extra,
    });
  const frames = [
    chunk([{ text: `Thinking about it ${letters(60)}`, thought: true }]),
    chunk([
      { functionCall: { name: 'get_weather', args: { city: 'Paris, Île-de-France, the long way round' } } },
    ]),
    chunk(
      [{ text }],
      {},
      {
        finishReason: 'STOP',
        safetyRatings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' }],
      },
    ),
  ];
  return { frames, textAt: 2 };
}

/** The scenario of `format` around `text`. */
export function scenario(format: ApiFormat, text: string): Scenario {
  switch (format) {
    case 'openai-chat':
      return chatScenario(text);
    case 'openai-responses':
      return responsesScenario(text);
    case 'anthropic':
      return anthropicScenario(text);
    case 'gemini':
      return geminiScenario(text);
  }
}

/** Path and JSON body a raw client sends for a streamed call in `format`. */
export function requestFor(format: ApiFormat, model = 'gpt-test'): { path: string; body: string } {
  switch (format) {
    case 'openai-chat':
      return {
        path: '/v1/chat/completions',
        body: JSON.stringify({
          model,
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'hi' }],
        }),
      };
    case 'openai-responses':
      return { path: '/v1/responses', body: JSON.stringify({ model, stream: true, input: 'hi' }) };
    case 'anthropic':
      return {
        path: '/v1/messages',
        body: JSON.stringify({
          model,
          stream: true,
          max_tokens: 100,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      };
    case 'gemini':
      return {
        path: `/v1beta/models/${model}:streamGenerateContent?alt=sse`,
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      };
  }
}

/** The text a frame carries if it is a pure text delta of `format`, else null. */
export function textOf(format: ApiFormat, frame: string): string | null {
  const { event, data } = parseFrame(frame);
  if (data === null) return null;
  let json: Json;
  try {
    json = JSON.parse(data) as Json;
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  switch (format) {
    case 'openai-chat': {
      const delta = (json.choices as Json[] | undefined)?.[0]?.delta as Json | undefined;
      return delta && Object.keys(delta).every((k) => k === 'content' || k === 'role')
        ? str(delta.content)
        : null;
    }
    case 'openai-responses':
      return json.type === 'response.output_text.delta' ? str(json.delta) : null;
    case 'anthropic': {
      const delta = json.delta as Json | undefined;
      return event === 'content_block_delta' && delta?.type === 'text_delta' ? str(delta.text) : null;
    }
    case 'gemini': {
      const parts = ((json.candidates as Json[] | undefined)?.[0]?.content as Json | undefined)?.parts as
        Json[] | undefined;
      return parts?.length === 1 && Object.keys(parts[0]!).join() === 'text' ? str(parts[0]!.text) : null;
    }
  }
}

/** Whole frames of a body (and an unterminated tail as a last frame). */
export function framesOf(body: Buffer | string): string[] {
  const s = createFrameSplitter(Number.MAX_SAFE_INTEGER);
  const out = s.push(Buffer.from(body)).map((f) => f.bytes.toString('utf8'));
  const rest = s.end();
  if (rest !== null) out.push(rest.bytes.toString('utf8'));
  return out;
}

/** Rewrites every line ending of an SSE text (LF, CRLF or CR) to `eol`. */
export const reframe = (sse: string, eol: string): string => sse.replace(/\r\n|\r|\n/g, eol);

/** A raw HTTP exchange with Sluice: status, headers, body bytes and each received chunk with its arrival time. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  chunks: { bytes: Buffer; at: number }[];
}

/** POSTs with node:http and collects the exact bytes, chunk by chunk. */
export function post(
  url: string,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${path}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'smoothing-test/1', ...headers },
      },
      (res) => {
        const chunks: RawResponse['chunks'] = [];
        res.on('data', (c: Buffer) => chunks.push({ bytes: c, at: performance.now() }));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks.map((c) => c.bytes)),
            chunks,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Everything a format's wire says once smoothing is undone: non-text frames, and the text. */
export function unsmoothed(
  format: ApiFormat,
  body: Buffer | string,
): { others: string[]; text: string; textEvents: string[] } {
  const others: string[] = [];
  const textEvents: string[] = [];
  for (const f of framesOf(body)) {
    const t = textOf(format, f);
    if (t === null) others.push(f);
    else textEvents.push(t);
  }
  return { others, text: textEvents.join(''), textEvents };
}
