import type { ApiFormat } from '../../../src/shared/api-format';
import type { NormalizedUsage } from '../../../src/shared/usage';
import type { StreamError, ToolCallFacts } from '../../../src/formats';

/**
 * Test helper for fixtures.test.ts: reads a fixture's `expected` block (field names differ per
 * format, see test/fixtures/README.md) as the StreamFacts fields an observer must produce.
 */

export type Json = Record<string, unknown>;
export type Summary = Record<
  'input' | 'output' | 'total' | 'cache_read' | 'cache_creation' | 'reasoning',
  number | null
>;

function num(obj: unknown, ...path: string[]): number | null {
  let cur: unknown = obj;
  for (const key of path) cur = cur !== null && typeof cur === 'object' ? (cur as Json)[key] : undefined;
  return typeof cur === 'number' ? cur : null;
}

/** The README's usage_summary table, applied to the observed raw usage. */
export function summarize(format: ApiFormat, u: Json): Summary {
  switch (format) {
    case 'openai-chat':
      return {
        input: num(u, 'prompt_tokens'),
        output: num(u, 'completion_tokens'),
        total: num(u, 'total_tokens'),
        cache_read: num(u, 'prompt_tokens_details', 'cached_tokens'),
        cache_creation: null,
        reasoning: num(u, 'completion_tokens_details', 'reasoning_tokens'),
      };
    case 'openai-responses':
      return {
        input: num(u, 'input_tokens'),
        output: num(u, 'output_tokens'),
        total: num(u, 'total_tokens'),
        cache_read: num(u, 'input_tokens_details', 'cached_tokens'),
        cache_creation: null,
        reasoning: num(u, 'output_tokens_details', 'reasoning_tokens'),
      };
    case 'anthropic':
      return {
        input: num(u, 'input_tokens'),
        output: num(u, 'output_tokens'),
        total: null,
        cache_read: num(u, 'cache_read_input_tokens'),
        cache_creation: num(u, 'cache_creation_input_tokens'),
        reasoning: num(u, 'output_tokens_details', 'thinking_tokens'),
      };
    case 'gemini':
      return {
        input: num(u, 'promptTokenCount'),
        output: num(u, 'candidatesTokenCount'),
        total: num(u, 'totalTokenCount'),
        cache_read: num(u, 'cachedContentTokenCount'),
        cache_creation: null,
        reasoning: num(u, 'thoughtsTokenCount'),
      };
  }
}

/** What NormalizedUsage must be, derived independently from the summary (see usage-normalize.ts for the rules). */
export function expectedNormalized(format: ApiFormat, s: Summary, raw: Json): NormalizedUsage {
  const base = { cacheWriteTokens: null, cacheWrite5mTokens: null, cacheWrite1hTokens: null };
  switch (format) {
    case 'openai-chat':
    case 'openai-responses':
      return {
        ...base,
        inputTokens: s.input === null ? null : s.input - (s.cache_read ?? 0),
        cacheReadTokens: s.cache_read,
        outputTokens: s.output,
        reasoningTokens: s.reasoning,
      };
    case 'anthropic':
      return {
        inputTokens: s.input,
        cacheReadTokens: s.cache_read,
        cacheWriteTokens: s.cache_creation,
        cacheWrite5mTokens: num(raw, 'cache_creation', 'ephemeral_5m_input_tokens'),
        cacheWrite1hTokens: num(raw, 'cache_creation', 'ephemeral_1h_input_tokens'),
        outputTokens: s.output,
        reasoningTokens: s.reasoning,
      };
    case 'gemini': {
      const prompt = (s.input ?? 0) + (num(raw, 'toolUsePromptTokenCount') ?? 0);
      return {
        ...base,
        inputTokens: prompt - (s.cache_read ?? 0),
        cacheReadTokens: s.cache_read,
        outputTokens: s.output === null && s.reasoning === null ? null : (s.output ?? 0) + (s.reasoning ?? 0),
        reasoningTokens: s.reasoning,
      };
    }
  }
}

export interface Expected {
  text: string;
  thinking: string;
  toolCalls: Omit<ToolCallFacts, 'index'>[];
  finishReason: string | null;
  terminal: boolean;
  completed: boolean;
  error: StreamError | null;
  rawUsage: Json | null;
  model: string | null;
  responseId: string | null;
}

/** Maps one fixture's `expected` (named per format, see fixtures README) onto StreamFacts' fields. */
export function expectedFacts(format: ApiFormat, e: Json, sse: Json): Expected {
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const obj = (v: unknown): Json | null => (v !== null && typeof v === 'object' ? (v as Json) : null);
  const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
  const common = { text: str(e.text) ?? '', rawUsage: obj(e.usage), completed: e.completed === true };
  switch (format) {
    case 'openai-chat': {
      const err = obj(e.error);
      return {
        ...common,
        thinking: str(e.reasoning_content) ?? '',
        toolCalls: list(e.tool_calls).map((t) => ({
          id: str(t.id),
          name: str(t.name),
          arguments: str(t.arguments) ?? '',
        })),
        finishReason: str(e.finish_reason),
        terminal: e.finish_reason !== null || e.done_marker === true,
        error: err && {
          type: str(err.type),
          message: str(err.message) ?? '',
          status: typeof err.code === 'number' ? err.code : null,
        },
        model: str(e.model),
        responseId: str(e.id),
      };
    }
    case 'openai-responses': {
      const event = obj(e.error_event);
      const failed = obj(e.error);
      return {
        ...common,
        thinking: str(e.reasoning_summary) ?? '',
        toolCalls: list(e.function_calls).map((t) => ({
          id: str(t.call_id),
          name: str(t.name),
          arguments: str(t.arguments) ?? '',
        })),
        finishReason: str(e.status),
        terminal: e.terminal_event !== null,
        // The observer keeps the first error: the `error` event when there is one, else response.error.
        error: event
          ? { type: str(event.type), message: str(event.message) ?? '', status: null }
          : failed && { type: str(failed.code), message: str(failed.message) ?? '', status: null },
        model: str(e.model),
        responseId: str(e.response_id),
      };
    }
    case 'anthropic': {
      const err = obj(e.error);
      return {
        ...common,
        thinking: str(e.thinking) ?? '',
        toolCalls: list(e.tool_calls).map((t) => ({
          id: str(t.id),
          name: str(t.name),
          arguments: str(t.arguments) ?? '',
        })),
        finishReason: str(e.stop_reason),
        terminal: num(sse, 'event_names', 'message_stop') !== null,
        error: err && { type: str(err.type), message: str(err.message) ?? '', status: null },
        model: str(e.model),
        responseId: str(e.message_id),
      };
    }
    case 'gemini': {
      // An unframed error (bare JSON after the events) reaches the observer through the stray lines.
      const err = obj(e.error) ?? obj(e.unframed_error);
      return {
        ...common,
        thinking: str(e.thought_text) ?? '',
        toolCalls: list(e.function_calls).map((t) => ({
          id: str(t.id),
          name: str(t.name),
          arguments: str(t.args_json) ?? '',
        })),
        finishReason: str(e.finish_reason) ?? str(e.block_reason),
        terminal: e.finish_reason !== null || e.block_reason !== null,
        error: err && { type: str(err.status), message: str(err.message) ?? '', status: num(err, 'code') },
        model: str(e.model_version),
        responseId: str(e.response_id),
      };
    }
  }
}
