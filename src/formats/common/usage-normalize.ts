import type { NormalizedUsage } from '../../shared/usage';
import { asArray, asNumber, asObject, type JsonObject } from './json-read';

/**
 * Provider usage objects → NormalizedUsage. The rule every format follows: `inputTokens` is the
 * uncached input, `cacheReadTokens` / `cacheWriteTokens` the cached parts, `outputTokens` everything
 * billed as output (reasoning included), `reasoningTokens` the reasoning share of it. A field the
 * provider did not report is null, never 0.
 */

function num(obj: JsonObject | null, key: string): number | null {
  return obj === null ? null : asNumber(obj[key]);
}

/** a − b, where an unreported b counts as 0 and an unreported a stays unreported. */
function minus(a: number | null, b: number | null): number | null {
  return a === null ? null : a - (b ?? 0);
}

/** a + b, null only when neither was reported. */
function plus(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : a + b;
}

/**
 * OpenAI Chat: `prompt_tokens` includes the cached tokens, so they are taken out.
 * DeepSeek-style `prompt_cache_hit_tokens` stands in for `cached_tokens` when that is absent.
 */
export function normalizeOpenAiChatUsage(usage: JsonObject): NormalizedUsage {
  const cached =
    num(asObject(usage.prompt_tokens_details), 'cached_tokens') ?? num(usage, 'prompt_cache_hit_tokens');
  return {
    inputTokens: minus(num(usage, 'prompt_tokens'), cached),
    cacheReadTokens: cached,
    cacheWriteTokens: null,
    cacheWrite5mTokens: null,
    cacheWrite1hTokens: null,
    outputTokens: num(usage, 'completion_tokens'),
    reasoningTokens: num(asObject(usage.completion_tokens_details), 'reasoning_tokens'),
  };
}

/** OpenAI Responses: `input_tokens` includes `input_tokens_details.cached_tokens`. */
export function normalizeResponsesUsage(usage: JsonObject): NormalizedUsage {
  const cached = num(asObject(usage.input_tokens_details), 'cached_tokens');
  return {
    inputTokens: minus(num(usage, 'input_tokens'), cached),
    cacheReadTokens: cached,
    cacheWriteTokens: null,
    cacheWrite5mTokens: null,
    cacheWrite1hTokens: null,
    outputTokens: num(usage, 'output_tokens'),
    reasoningTokens: num(asObject(usage.output_tokens_details), 'reasoning_tokens'),
  };
}

/** The token fields of one Anthropic usage object (top level or one `iterations` entry). */
function anthropicTokens(usage: JsonObject): NormalizedUsage {
  const creation = asObject(usage.cache_creation);
  return {
    inputTokens: num(usage, 'input_tokens'),
    cacheReadTokens: num(usage, 'cache_read_input_tokens'),
    cacheWriteTokens: num(usage, 'cache_creation_input_tokens'),
    cacheWrite5mTokens: num(creation, 'ephemeral_5m_input_tokens'),
    cacheWrite1hTokens: num(creation, 'ephemeral_1h_input_tokens'),
    outputTokens: num(usage, 'output_tokens'),
    reasoningTokens: null,
  };
}

/**
 * Anthropic: `input_tokens` already excludes cache reads and writes. With server-side compaction the
 * top-level numbers cover only the final sampling pass and `usage.iterations` lists every pass
 * (the compaction pass included), so the billed total is the sum over `iterations`.
 */
export function normalizeAnthropicUsage(usage: JsonObject): NormalizedUsage {
  const reasoningTokens = num(asObject(usage.output_tokens_details), 'thinking_tokens');
  const iterations = asArray(usage.iterations);
  if (iterations === null || iterations.length === 0) return { ...anthropicTokens(usage), reasoningTokens };
  let sum: NormalizedUsage | null = null;
  for (const entry of iterations) {
    const obj = asObject(entry);
    if (obj === null) continue;
    const t = anthropicTokens(obj);
    sum =
      sum === null
        ? t
        : {
            inputTokens: plus(sum.inputTokens, t.inputTokens),
            cacheReadTokens: plus(sum.cacheReadTokens, t.cacheReadTokens),
            cacheWriteTokens: plus(sum.cacheWriteTokens, t.cacheWriteTokens),
            cacheWrite5mTokens: plus(sum.cacheWrite5mTokens, t.cacheWrite5mTokens),
            cacheWrite1hTokens: plus(sum.cacheWrite1hTokens, t.cacheWrite1hTokens),
            outputTokens: plus(sum.outputTokens, t.outputTokens),
            reasoningTokens: null,
          };
  }
  return sum === null ? { ...anthropicTokens(usage), reasoningTokens } : { ...sum, reasoningTokens };
}

/**
 * Gemini: `promptTokenCount` includes `cachedContentTokenCount`; `toolUsePromptTokenCount` (input
 * read by server-side tools) and `thoughtsTokenCount` are reported beside the prompt and candidates
 * and billed as input and output. So input = prompt + tool-use prompt − cached and
 * output = candidates + thoughts, which makes input + cache read + output = `totalTokenCount`.
 */
export function normalizeGeminiUsage(usage: JsonObject): NormalizedUsage {
  const cached = num(usage, 'cachedContentTokenCount');
  const thoughts = num(usage, 'thoughtsTokenCount');
  return {
    inputTokens: minus(plus(num(usage, 'promptTokenCount'), num(usage, 'toolUsePromptTokenCount')), cached),
    cacheReadTokens: cached,
    cacheWriteTokens: null,
    cacheWrite5mTokens: null,
    cacheWrite1hTokens: null,
    outputTokens: plus(num(usage, 'candidatesTokenCount'), thoughts),
    reasoningTokens: thoughts,
  };
}
