import { CONTENT_FRAME, contentFrame, REQUEST_BODY, tailFrames } from './sse-script';

/**
 * The two wire formats the bench relays without translation: OpenAI Chat (`POST /v1/chat/completions`)
 * and Anthropic Messages (`POST /v1/messages`). The fake upstream answers each path with its own
 * format's stream, so nginx, the passthrough and Sluice all relay the same bytes for either.
 */
export type Wire = 'chat' | 'anthropic';

export const WIRES: readonly Wire[] = ['chat', 'anthropic'];

/** How a stream of one format is made: fixed frames before and after the repeated content delta. */
export interface Script {
  path: string;
  /** The request body every client of this format sends. */
  body: string;
  headers: Record<string, string>;
  head: readonly Buffer[];
  /** The content delta carrying `text` (default `"hello "`). */
  content: (text?: string) => Buffer;
  /** How a stream of `contentFrames` deltas ends. */
  tail: (contentFrames: number) => Buffer[];
}

function sse(event: string, data: unknown): Buffer {
  return Buffer.from(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

const ANTHROPIC_CONTENT = new Map<string, Buffer>();

/** Anthropic's content_block_delta carrying `text`, one Buffer per distinct text. */
function anthropicContent(text = 'hello '): Buffer {
  let b = ANTHROPIC_CONTENT.get(text);
  if (b === undefined) {
    b = sse('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text },
    });
    ANTHROPIC_CONTENT.set(text, b);
  }
  return b;
}

/**
 * The Anthropic twin of `REQUEST_BODY`: served natively by the bench's Anthropic provider, and by
 * translation through its Chat provider, whose `models: {"*": "m"}` maps the model to `m`.
 */
const ANTHROPIC_BODY = JSON.stringify({
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'Say hello.' }],
  stream: true,
});

export const SCRIPTS: Record<Wire, Script> = {
  chat: {
    path: '/v1/chat/completions',
    body: REQUEST_BODY,
    headers: { authorization: 'Bearer sk-bench' },
    head: [],
    content: (text) => (text === undefined ? CONTENT_FRAME : contentFrame(text)),
    tail: tailFrames,
  },
  anthropic: {
    path: '/v1/messages',
    body: ANTHROPIC_BODY,
    headers: { 'x-api-key': 'sk-bench', 'anthropic-version': '2023-06-01' },
    head: [
      sse('message_start', {
        type: 'message_start',
        message: {
          id: 'msg_bench',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 12, output_tokens: 1 },
        },
      }),
      sse('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      }),
    ],
    content: anthropicContent,
    tail: (k) => [
      sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
      sse('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: k },
      }),
      sse('message_stop', { type: 'message_stop' }),
    ],
  },
};

/** Frames around the content deltas: a stream of `events` frames carries `events − fixedFrames` deltas. */
export function fixedFrames(wire: Wire): number {
  const s = SCRIPTS[wire];
  return s.head.length + s.tail(0).length;
}

/** A whole stream of `count` frames in `wire`'s format (head, deltas, tail). */
export function streamFrames(wire: Wire, count: number, text?: string): Buffer[] {
  const s = SCRIPTS[wire];
  const deltas = count - fixedFrames(wire);
  if (!Number.isInteger(count) || deltas < 1)
    throw new Error(`a ${wire} stream needs more than ${count} frames`);
  const content = s.content(text);
  return [...s.head, ...Array.from({ length: deltas }, () => content), ...s.tail(deltas)];
}

/** Which format a request path asks for; null for any other path. */
export function wireOfPath(path: string | undefined): Wire | null {
  if (path === SCRIPTS.chat.path) return 'chat';
  if (path === SCRIPTS.anthropic.path) return 'anthropic';
  return null;
}
