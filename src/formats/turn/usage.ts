import type { NormalizedUsage } from '../../shared/usage';

/**
 * NormalizedUsage → each vendor's usage object, in that vendor's convention. Normalised
 * `inputTokens` never includes cached tokens (Anthropic's convention); OpenAI (Chat, Responses) and
 * Gemini count every input token, cached or written to a cache, inside their prompt/input total, so
 * those encoders add the cache reads and writes back in. Reading the other way is
 * `common/usage-normalize.ts` (re-exported here), so a number survives a round trip.
 */

export {
  normalizeAnthropicUsage,
  normalizeGeminiUsage,
  normalizeOpenAiChatUsage,
  normalizeResponsesUsage,
} from '../common/usage-normalize';

/** Every input token, cached or not (OpenAI's and Gemini's input total). */
export function totalInput(u: NormalizedUsage): number {
  return (u.inputTokens ?? 0) + (u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0);
}

/** Anthropic `usage`: `input_tokens` excludes cache reads and writes, which have their own fields. */
export function toAnthropicUsage(u: NormalizedUsage): Record<string, unknown> {
  const out: Record<string, unknown> = {
    input_tokens: u.inputTokens ?? 0,
    cache_creation_input_tokens: u.cacheWriteTokens ?? 0,
    cache_read_input_tokens: u.cacheReadTokens ?? 0,
    output_tokens: u.outputTokens ?? 0,
  };
  if (u.cacheWrite5mTokens !== null || u.cacheWrite1hTokens !== null) {
    out.cache_creation = {
      ephemeral_5m_input_tokens: u.cacheWrite5mTokens ?? 0,
      ephemeral_1h_input_tokens: u.cacheWrite1hTokens ?? 0,
    };
  }
  if (u.reasoningTokens !== null) out.output_tokens_details = { thinking_tokens: u.reasoningTokens };
  return out;
}

/** Chat Completions `usage`: `prompt_tokens` includes the cached tokens (`prompt_tokens_details.cached_tokens`). */
export function toOpenAiChatUsage(u: NormalizedUsage): Record<string, unknown> {
  const prompt = totalInput(u);
  const completion = u.outputTokens ?? 0;
  const out: Record<string, unknown> = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (u.cacheReadTokens !== null) out.prompt_tokens_details = { cached_tokens: u.cacheReadTokens };
  if (u.reasoningTokens !== null) out.completion_tokens_details = { reasoning_tokens: u.reasoningTokens };
  return out;
}

/** Responses `usage`: `input_tokens` includes `input_tokens_details.cached_tokens`. */
export function toResponsesUsage(u: NormalizedUsage): Record<string, unknown> {
  const input = totalInput(u);
  const output = u.outputTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: u.cacheReadTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: input + output,
  };
}

/** Gemini `usageMetadata`: `promptTokenCount` includes `cachedContentTokenCount`; thoughts are beside candidates. */
export function toGeminiUsage(u: NormalizedUsage): Record<string, unknown> {
  const prompt = totalInput(u);
  const thoughts = u.reasoningTokens ?? 0;
  const candidates = Math.max(0, (u.outputTokens ?? 0) - thoughts);
  const out: Record<string, unknown> = {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + thoughts,
  };
  if (u.cacheReadTokens !== null) out.cachedContentTokenCount = u.cacheReadTokens;
  if (u.reasoningTokens !== null) out.thoughtsTokenCount = thoughts;
  return out;
}

/** Cumulative usage: a later report's known numbers replace earlier ones, unknown ones keep theirs. */
export function layUsage(prev: NormalizedUsage | null, next: NormalizedUsage): NormalizedUsage {
  if (prev === null) return next;
  return {
    inputTokens: next.inputTokens ?? prev.inputTokens,
    cacheReadTokens: next.cacheReadTokens ?? prev.cacheReadTokens,
    cacheWriteTokens: next.cacheWriteTokens ?? prev.cacheWriteTokens,
    cacheWrite5mTokens: next.cacheWrite5mTokens ?? prev.cacheWrite5mTokens,
    cacheWrite1hTokens: next.cacheWrite1hTokens ?? prev.cacheWrite1hTokens,
    outputTokens: next.outputTokens ?? prev.outputTokens,
    reasoningTokens: next.reasoningTokens ?? prev.reasoningTokens,
  };
}
