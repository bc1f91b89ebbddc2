import { describe, expect, it } from 'vitest';
import {
  ANTHROPIC_TOOL_ID,
  fitToolId,
  OPENAI_TOOL_ID,
  restoreToolId,
} from '../../../../src/formats/turn/ids';
import {
  normalizeAnthropicUsage,
  normalizeOpenAiChatUsage,
  toAnthropicUsage,
  toOpenAiChatUsage,
} from '../../../../src/formats/turn/usage';
import { stopFromChat, stopToAnthropic, withToolStop } from '../../../../src/formats/turn/stop-reasons';

describe('tool-call ids', () => {
  const cases = [
    'call_abc123',
    'toolu_01825dXWLSoJwCst1qTsiWdb',
    'functions.get_weather:0',
    'sx_looks_like_ours',
    'é-unicode-id',
    `toolu_vrtx_${'Z'.repeat(40)}`,
    'x'.repeat(200),
  ];
  for (const limit of [OPENAI_TOOL_ID, ANTHROPIC_TOOL_ID]) {
    it(`fit within ${limit.maxLength} characters, deterministically, and restore where reversible`, () => {
      for (const id of cases) {
        const fitted = fitToolId(id, limit);
        expect(fitted.length, id).toBeLessThanOrEqual(limit.maxLength);
        expect(fitted, id).toMatch(limit.pattern);
        expect(fitToolId(id, limit), id).toBe(fitted);
        if (!fitted.startsWith('sh_')) expect(restoreToolId(fitted), id).toBe(id);
      }
    });
  }

  it('keeps ids that already fit unchanged, and hashes distinct long ids apart', () => {
    expect(fitToolId('call_abc123', OPENAI_TOOL_ID)).toBe('call_abc123');
    expect(restoreToolId('call_abc123')).toBe('call_abc123');
    expect(fitToolId('a'.repeat(100), OPENAI_TOOL_ID)).not.toBe(
      fitToolId(`${'a'.repeat(99)}b`, OPENAI_TOOL_ID),
    );
  });
});

describe('usage conventions', () => {
  it('Anthropic → Chat counts cache reads and writes inside prompt_tokens, and reads back the same', () => {
    const n = normalizeAnthropicUsage({
      input_tokens: 10,
      cache_read_input_tokens: 900,
      cache_creation_input_tokens: 90,
      output_tokens: 5,
    });
    const chat = toOpenAiChatUsage(n);
    expect(chat).toEqual({
      prompt_tokens: 1000,
      completion_tokens: 5,
      total_tokens: 1005,
      prompt_tokens_details: { cached_tokens: 900 },
    });
    expect(toAnthropicUsage(n)).toMatchObject({
      input_tokens: 10,
      cache_read_input_tokens: 900,
      cache_creation_input_tokens: 90,
    });
  });

  it('Chat → Anthropic takes the cached tokens out of input_tokens', () => {
    const n = normalizeOpenAiChatUsage({
      prompt_tokens: 1000,
      completion_tokens: 50,
      prompt_tokens_details: { cached_tokens: 800 },
      completion_tokens_details: { reasoning_tokens: 20 },
    });
    expect(toAnthropicUsage(n)).toEqual({
      input_tokens: 200,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 800,
      output_tokens: 50,
      output_tokens_details: { thinking_tokens: 20 },
    });
  });
});

describe('stop reasons', () => {
  it('maps length, content_filter and tool calls, and a tool call always ends as a tool stop', () => {
    expect(stopFromChat('length')).toBe('max_tokens');
    expect(stopFromChat('content_filter')).toBe('refusal');
    expect(stopFromChat('tool_calls')).toBe('tool_use');
    expect(stopToAnthropic(withToolStop('end_turn', true))).toBe('tool_use');
    expect(withToolStop(null, false)).toBe('end_turn');
  });
});
