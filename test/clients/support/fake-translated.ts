import type { FakeReply, RecordedRequest } from '../../support/fake-upstream';
import type { NormalizedUsage } from '../../../src/shared/usage';
import { body, json, pieces, sse, stream } from './upstream-kit';

/*
 * Upstreams of another format than the CLI speaks, for the translation cases: a Chat Completions
 * provider (DeepSeek-like: Chat only) that can answer a turn with a tool call, and an Anthropic
 * Messages provider. Each refuses with a 400, in its own error shape, what its real counterpart
 * refuses among the things a translation writes (roles and their order, tool calls and results,
 * limits, thinking), so a malformed translation fails the CLI instead of passing a lenient fake.
 * Usage numbers are fixed and distinct per answer, so a test can tell which answer a usage row was
 * recorded from and check that Sluice normalised it.
 */

/** A Chat `usage` object and what Sluice must record for it (prompt_tokens include the cached ones). */
export interface ChatUsage {
  wire: {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
    prompt_tokens_details: { cached_tokens: number };
  };
  recorded: Pick<NormalizedUsage, 'inputTokens' | 'cacheReadTokens' | 'outputTokens'>;
}

function chatUsage(prompt: number, cached: number, completion: number): ChatUsage {
  return {
    wire: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: cached },
    },
    recorded: { inputTokens: prompt - cached, cacheReadTokens: cached, outputTokens: completion },
  };
}

/** The usage of a Chat answer that is a tool call, and of one that is text. */
export const CHAT_USAGE = { toolCall: chatUsage(1100, 100, 25), text: chatUsage(1400, 400, 42) } as const;

/** One tool call the Chat fake makes, DeepSeek-style id, when the request offers a tool of that name. */
export interface ChatToolCall {
  id: string;
  name: string;
  /** The arguments as JSON text, computed when the request comes (e.g. a path known only then). */
  arguments: () => string;
}

/** A Chat message of a request, as the fake reads it. */
export interface ChatMessage {
  role?: string;
  content?: unknown;
  tool_call_id?: string;
  tool_calls?: { id?: string; type?: string; function?: { name?: string; arguments?: string } }[];
}

/** The messages of a Chat request body. */
export function chatMessages(req: RecordedRequest): ChatMessage[] {
  const m = body(req).messages;
  return Array.isArray(m) ? (m as ChatMessage[]) : [];
}

/** The text of a Chat message's content: a string, or the text of its parts. */
export function chatText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) => (typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : ''))
    .join('');
}

/**
 * What a strict Chat-only vendor (DeepSeek, Kimi…) refuses with a 400, checked the way it checks:
 * system messages only before the conversation, every `tool` message answering a call of the
 * assistant message before it, every call answered, function tools with valid names and object schemas.
 */
export function chatRequestProblems(b: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof b.model !== 'string') problems.push('model is required');
  const messages = Array.isArray(b.messages) ? (b.messages as ChatMessage[]) : [];
  if (messages.length === 0) problems.push('messages must not be empty');
  let conversationStarted = false;
  let open: Set<string> | null = null;
  for (const [i, m] of messages.entries()) {
    if (m.role === 'system') {
      if (conversationStarted)
        problems.push(`messages[${i}]: a system message after the conversation started`);
      continue;
    }
    conversationStarted = true;
    if (m.role === 'tool') {
      if (open === null || m.tool_call_id === undefined || !open.has(m.tool_call_id))
        problems.push(
          `messages[${i}]: tool message answers no pending tool call (${String(m.tool_call_id)})`,
        );
      else open.delete(m.tool_call_id);
      continue;
    }
    if (open !== null && open.size > 0)
      problems.push(`messages[${i}]: tool calls ${[...open].join(', ')} were not answered`);
    open = null;
    if (m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
      open = new Set();
      for (const t of m.tool_calls) {
        if (typeof t.id !== 'string' || t.type !== 'function' || typeof t.function?.name !== 'string')
          problems.push(`messages[${i}]: malformed tool call ${JSON.stringify(t)}`);
        else open.add(t.id);
      }
    } else if (m.role !== 'user' && m.role !== 'assistant')
      problems.push(`messages[${i}]: unknown role ${String(m.role)}`);
  }
  if (open !== null && open.size > 0) problems.push(`tool calls ${[...open].join(', ')} were not answered`);
  if (b.tools !== undefined) {
    const tools = Array.isArray(b.tools)
      ? (b.tools as { type?: unknown; function?: { name?: unknown; parameters?: unknown } }[])
      : [];
    for (const [i, t] of tools.entries()) {
      const name = t.function?.name;
      if (t.type !== 'function' || typeof name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(name))
        problems.push(`tools[${i}]: not a function tool with a valid name`);
      const params = t.function?.parameters as { type?: unknown } | undefined;
      if (params !== undefined && params.type !== 'object')
        problems.push(`tools[${i}]: parameters must be an object schema`);
    }
  }
  return problems;
}

function offersTool(req: RecordedRequest, name: string): boolean {
  const tools = body(req).tools;
  return (
    Array.isArray(tools) &&
    tools.some((t) => (t as { function?: { name?: unknown } }).function?.name === name)
  );
}

/** The output ceiling of the Chat-only vendor the fake stands for (DeepSeek's deepseek-chat: 8K). */
export const CHAT_MAX_TOKENS = 8192;

/**
 * OpenAI Chat Completions as a Chat-only vendor speaks it, under a base URL ending in /v1. With
 * `toolCall`, a request that offers that tool and does not end with a tool result is answered with
 * the call (finish_reason `tool_calls`); every other request is answered with `text(req)`. Like
 * DeepSeek it refuses a `max_tokens` above its ceiling, which a provider's `maxOutputTokens` avoids.
 */
export function chatUpstream(
  text: (req: RecordedRequest) => string,
  toolCall?: ChatToolCall,
): (req: RecordedRequest) => FakeReply {
  return (req) => {
    const path = req.url.split('?')[0] ?? '';
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return json(req, 404, {
        error: {
          message: `fake Chat upstream: no route ${req.method} ${path}`,
          type: 'invalid_request_error',
          param: null,
          code: 'unknown_url',
        },
      });
    }
    const b = body(req);
    const problems = chatRequestProblems(b);
    const max = b.max_tokens ?? b.max_completion_tokens;
    if (max !== undefined && (typeof max !== 'number' || max < 1 || max > CHAT_MAX_TOKENS))
      problems.push(`Invalid max_tokens value, the valid range of max_tokens is [1, ${CHAT_MAX_TOKENS}]`);
    if (problems.length > 0) {
      return json(req, 400, {
        error: {
          message: problems.join('; '),
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_request',
        },
      });
    }
    const model = typeof b.model === 'string' ? b.model : 'chat-unknown';
    const last = chatMessages(req).at(-1);
    const call =
      toolCall !== undefined && last?.role !== 'tool' && offersTool(req, toolCall.name) ? toolCall : null;
    const usage = call === null ? CHAT_USAGE.text : CHAT_USAGE.toolCall;
    const answer = call === null ? text(req) : '';
    const args = call === null ? '' : call.arguments();
    const base = { id: 'chatcmpl-fake-0001', created: 1767225600, model, system_fingerprint: 'fp_fake' };
    if (b.stream !== true) {
      return json(req, 200, {
        ...base,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message:
              call === null
                ? { role: 'assistant', content: answer }
                : {
                    role: 'assistant',
                    content: null,
                    tool_calls: [
                      { id: call.id, type: 'function', function: { name: call.name, arguments: args } },
                    ],
                  },
            logprobs: null,
            finish_reason: call === null ? 'stop' : 'tool_calls',
          },
        ],
        usage: usage.wire,
      });
    }
    const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
      sse(null, {
        ...base,
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      });
    const frames = [chunk({ role: 'assistant', content: '' }, null)];
    if (call === null) {
      frames.push(...pieces(answer, 3).map((t) => chunk({ content: t }, null)));
    } else {
      // The call's name and id first, then its arguments in pieces, as vendors stream them.
      frames.push(
        chunk(
          {
            tool_calls: [
              { index: 0, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
            ],
          },
          null,
        ),
        ...[args.slice(0, 10), args.slice(10)].map((a) =>
          chunk({ tool_calls: [{ index: 0, function: { arguments: a } }] }, null),
        ),
      );
    }
    frames.push(chunk({}, call === null ? 'stop' : 'tool_calls'));
    const opts = b.stream_options as { include_usage?: unknown } | undefined;
    if (opts?.include_usage === true) {
      frames.push(sse(null, { ...base, object: 'chat.completion.chunk', choices: [], usage: usage.wire }));
    }
    frames.push('data: [DONE]\n\n');
    return stream(frames);
  };
}

/** An Anthropic `usage` as a stream reports it (input at message_start, output at message_delta), and what Sluice must record. */
export const MESSAGES_USAGE = {
  wire: { input_tokens: 321, cache_creation_input_tokens: 5, cache_read_input_tokens: 40, output_tokens: 17 },
  recorded: { inputTokens: 321, cacheReadTokens: 40, cacheWriteTokens: 5, outputTokens: 17 },
} as const;

/** The usage of a whole (non-streamed) Anthropic answer. */
export const MESSAGES_WHOLE_USAGE = {
  wire: { input_tokens: 90, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 12 },
  recorded: { inputTokens: 90, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 12 },
} as const;

interface AnthropicBlock {
  type?: string;
  id?: string;
  tool_use_id?: string;
}

/**
 * What api.anthropic.com refuses with a 400, for the parts a translation writes: max_tokens, the
 * thinking budget (≥ 1024, below max_tokens) and the sampling it excludes, roles, every tool_result
 * answering a tool_use of the assistant turn just before, tools with object input schemas.
 */
export function messagesRequestProblems(b: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof b.model !== 'string') problems.push('model: Field required');
  const max = b.max_tokens;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1)
    problems.push('max_tokens: Field required');
  const thinking = b.thinking as { type?: unknown; budget_tokens?: unknown } | undefined;
  if (thinking?.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number' || budget < 1024)
      problems.push('thinking.budget_tokens: must be at least 1024');
    else if (typeof max === 'number' && budget >= max)
      problems.push('max_tokens must be greater than thinking.budget_tokens');
    if (b.temperature !== undefined && b.temperature !== 1)
      problems.push('temperature may only be set to 1 when thinking is enabled');
    if (b.top_k !== undefined) problems.push('top_k is not supported when thinking is enabled');
  }
  if (b.system !== undefined && typeof b.system !== 'string' && !Array.isArray(b.system))
    problems.push('system: must be a string or a list of text blocks');
  const messages = Array.isArray(b.messages) ? (b.messages as { role?: unknown; content?: unknown }[]) : [];
  if (messages.length === 0) problems.push('messages: at least one message is required');
  let toolUses = new Set<string>();
  for (const [i, m] of messages.entries()) {
    if (m.role !== 'user' && m.role !== 'assistant') problems.push(`messages.${i}.role: unknown role`);
    const blocks: AnthropicBlock[] = Array.isArray(m.content)
      ? (m.content as AnthropicBlock[])
      : typeof m.content === 'string'
        ? []
        : [{ type: 'invalid' }];
    if (typeof m.content === 'string' && m.content.length === 0 && i < messages.length - 1)
      problems.push(`messages.${i}: content must be non-empty`);
    for (const block of blocks) {
      if (block.type === 'tool_result' && (m.role !== 'user' || !toolUses.has(block.tool_use_id ?? '')))
        problems.push(
          `messages.${i}: unexpected tool_use_id ${String(block.tool_use_id)} in tool_result blocks`,
        );
    }
    if (m.role === 'assistant')
      toolUses = new Set(blocks.filter((x) => x.type === 'tool_use').map((x) => x.id ?? ''));
    else toolUses = new Set();
  }
  if (messages[0] !== undefined && messages[0].role !== 'user')
    problems.push('messages.0.role: must be user');
  if (b.tools !== undefined) {
    const tools = Array.isArray(b.tools)
      ? (b.tools as { name?: unknown; input_schema?: { type?: unknown } }[])
      : [];
    for (const [i, t] of tools.entries()) {
      if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(t.name))
        problems.push(`tools.${i}.name: invalid`);
      if (t.input_schema?.type !== 'object') problems.push(`tools.${i}.input_schema.type: must be object`);
    }
  }
  return problems;
}

/**
 * Anthropic Messages as api.anthropic.com speaks it, for clients of another format: `streamed` is the
 * text of a streamed answer, `whole` the text of a non-streamed one (Gemini CLI's model router asks,
 * in its prompt, for a JSON verdict without streaming).
 */
export function messagesUpstream(streamed: string, whole: string): (req: RecordedRequest) => FakeReply {
  return (req) => {
    const path = req.url.split('?')[0] ?? '';
    if (req.method !== 'POST' || path !== '/v1/messages') {
      return json(req, 404, {
        type: 'error',
        error: {
          type: 'not_found_error',
          message: `fake Anthropic upstream: no route ${req.method} ${path}`,
        },
      });
    }
    const b = body(req);
    const problems = messagesRequestProblems(b);
    if (problems.length > 0) {
      return json(req, 400, {
        type: 'error',
        error: { type: 'invalid_request_error', message: problems.join('; ') },
      });
    }
    const model = typeof b.model === 'string' ? b.model : 'claude-unknown';
    if (b.stream !== true) {
      return json(req, 200, {
        id: 'msg_fake_whole',
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: whole }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: MESSAGES_WHOLE_USAGE.wire,
      });
    }
    return stream([
      sse('message_start', {
        type: 'message_start',
        message: {
          model,
          id: 'msg_fake_translated',
          type: 'message',
          role: 'assistant',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...MESSAGES_USAGE.wire, output_tokens: 1 },
        },
      }),
      sse('content_block_start', {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      }),
      sse('ping', { type: 'ping' }),
      ...pieces(streamed, 3).map((t) =>
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
        // Cumulative, as the API reports it today: input and cache counts again beside the output.
        usage: MESSAGES_USAGE.wire,
      }),
      sse('message_stop', { type: 'message_stop' }),
    ]);
  };
}
