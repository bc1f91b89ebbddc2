import { describe, expect, it } from 'vitest';
import { API_FORMATS } from '../../../src/shared/api-format';
import { adapterFor } from '../../../src/formats';
import {
  normalizeAnthropicUsage,
  normalizeGeminiUsage,
  normalizeOpenAiChatUsage,
  normalizeResponsesUsage,
} from '../../../src/formats/common/usage-normalize';

const none = {
  inputTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  cacheWrite5mTokens: null,
  cacheWrite1hTokens: null,
  outputTokens: null,
  reasoningTokens: null,
};

describe('normalised usage: inputTokens never includes cached tokens', () => {
  it('OpenAI Chat: prompt_tokens − cached_tokens; reasoning is part of completion_tokens', () => {
    expect(
      normalizeOpenAiChatUsage({
        prompt_tokens: 2006,
        completion_tokens: 300,
        prompt_tokens_details: { cached_tokens: 1920 },
        completion_tokens_details: { reasoning_tokens: 256 },
      }),
    ).toEqual({ ...none, inputTokens: 86, cacheReadTokens: 1920, outputTokens: 300, reasoningTokens: 256 });
    expect(normalizeOpenAiChatUsage({ prompt_tokens: 10, completion_tokens: 2 })).toEqual({
      ...none,
      inputTokens: 10,
      outputTokens: 2,
    });
    // DeepSeek reports its cache hits beside prompt_tokens.
    expect(
      normalizeOpenAiChatUsage({ prompt_tokens: 10, prompt_cache_hit_tokens: 4, completion_tokens: 1 })
        .inputTokens,
    ).toBe(6);
  });

  it('Responses: input_tokens − input_tokens_details.cached_tokens', () => {
    expect(
      normalizeResponsesUsage({
        input_tokens: 500,
        input_tokens_details: { cached_tokens: 128 },
        output_tokens: 90,
        output_tokens_details: { reasoning_tokens: 64 },
      }),
    ).toEqual({ ...none, inputTokens: 372, cacheReadTokens: 128, outputTokens: 90, reasoningTokens: 64 });
  });

  it('Anthropic: input_tokens as is; cache writes split by TTL; thinking_tokens as reasoning', () => {
    expect(
      normalizeAnthropicUsage({
        input_tokens: 4,
        cache_creation_input_tokens: 1165,
        cache_read_input_tokens: 10,
        cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 165 },
        output_tokens: 201,
        output_tokens_details: { thinking_tokens: 53 },
      }),
    ).toEqual({
      inputTokens: 4,
      cacheReadTokens: 10,
      cacheWriteTokens: 1165,
      cacheWrite5mTokens: 1000,
      cacheWrite1hTokens: 165,
      outputTokens: 201,
      reasoningTokens: 53,
    });
  });

  it('Anthropic: with compaction, the iterations are summed (the top level covers only the last pass)', () => {
    expect(
      normalizeAnthropicUsage({
        input_tokens: 181,
        cache_read_input_tokens: 0,
        output_tokens: 8,
        iterations: [
          {
            type: 'compaction',
            input_tokens: 100,
            output_tokens: 83,
            cache_read_input_tokens: 55096,
            cache_creation_input_tokens: 0,
          },
          {
            type: 'message',
            input_tokens: 181,
            output_tokens: 8,
            cache_read_input_tokens: 0,
            cache_creation_input_tokens: 5,
          },
        ],
      }),
    ).toEqual({ ...none, inputTokens: 281, cacheReadTokens: 55096, cacheWriteTokens: 5, outputTokens: 91 });
  });

  it('Gemini: prompt + tool-use prompt − cached in, candidates + thoughts out, summing to totalTokenCount', () => {
    const raw = {
      promptTokenCount: 1844,
      cachedContentTokenCount: 901,
      candidatesTokenCount: 432,
      thoughtsTokenCount: 91,
      toolUsePromptTokenCount: 1934,
      totalTokenCount: 4301,
    };
    const u = normalizeGeminiUsage(raw);
    expect(u).toEqual({
      ...none,
      inputTokens: 2877,
      cacheReadTokens: 901,
      outputTokens: 523,
      reasoningTokens: 91,
    });
    expect(u.inputTokens! + u.cacheReadTokens! + u.outputTokens!).toBe(raw.totalTokenCount);
    expect(normalizeGeminiUsage({ promptTokenCount: 9, candidatesTokenCount: 200 })).toEqual({
      ...none,
      inputTokens: 9,
      outputTokens: 200,
    });
  });

  it('reports null, never 0, for what a provider did not send', () => {
    expect(normalizeOpenAiChatUsage({})).toEqual(none);
    expect(normalizeResponsesUsage({})).toEqual(none);
    expect(normalizeAnthropicUsage({})).toEqual(none);
    expect(normalizeGeminiUsage({})).toEqual(none);
    expect(adapterFor('gemini').createObserver().facts.usage).toEqual(none);
  });
});

describe('adapterFor', () => {
  it('has an adapter for every format, naming its format', () => {
    for (const format of API_FORMATS) expect(adapterFor(format).format).toBe(format);
  });

  it('gives every response its own observer', () => {
    const adapter = adapterFor('anthropic');
    const a = adapter.createObserver();
    a.observeEvent('content_block_delta', '{"index":0,"delta":{"type":"text_delta","text":"x"}}');
    expect(adapter.createObserver().facts.text).toBe('');
  });
});
