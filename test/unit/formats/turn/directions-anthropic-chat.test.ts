import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { adapterFor, type StreamFacts } from '../../../../src/formats';
import { anthropicTurnCodec } from '../../../../src/formats/anthropic/turn';
import { openAiChatTurnCodec } from '../../../../src/formats/openai-chat/turn';
import { fixtures } from '../../../support/fixtures';
import {
  anthropicGrammar,
  anthropicSdkMessage,
  chatChunks,
  decodeStream,
  encodeStream,
  observe,
  openAiSdkCompletion,
  turnRequest,
} from './turn-harness';

/**
 * Golden tests per direction: every recorded stream of one format decoded to TurnEvents, encoded into
 * the other format, then read back by that format's own observer and by its official SDK's stream
 * reader; the facts (text, reasoning, tool calls, usage in the target's convention, stop reason,
 * error message) must survive.
 */

const CHAT_FINISH: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};
const ANTHROPIC_STOP: Record<string, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

describe('Anthropic upstream → Chat client, every recorded Anthropic stream', () => {
  for (const fx of fixtures('anthropic')) {
    it(fx.name, async () => {
      const src = observe('anthropic', fx.sse);
      const events = decodeStream(anthropicTurnCodec, fx.sse);
      const out = encodeStream(openAiChatTurnCodec, turnRequest({ includeUsage: true }), events);
      const chunks = chatChunks(out);
      if (src.error === null) expect(chunks.at(-1)).toBe('[DONE]');
      const got = observe('openai-chat', out);

      expect(got.text).toBe(src.text);
      expect(got.thinking).toBe(src.thinking);
      expect(got.toolCalls.map((c) => [c.id, c.name, c.arguments])).toEqual(
        src.toolCalls.map((c) => [c.id, c.name, c.arguments]),
      );
      if (src.error !== null) {
        expect(got.error?.message).toBe(src.error.message);
        expect(got.completed).toBe(false);
        await expect(openAiSdkCompletion(out)).rejects.toThrow(src.error.message);
        return;
      }
      expect(got.finishReason).toBe(CHAT_FINISH[src.finishReason ?? 'end_turn']);
      // Chat's convention: prompt_tokens counts the cache reads and writes too.
      const u = src.usage;
      const prompt = (u.inputTokens ?? 0) + (u.cacheReadTokens ?? 0) + (u.cacheWriteTokens ?? 0);
      expect(got.rawUsage).toMatchObject({ prompt_tokens: prompt, completion_tokens: u.outputTokens });
      expect(got.usage.cacheReadTokens).toBe(u.cacheReadTokens);
      expect(got.usage.outputTokens).toBe(u.outputTokens);
      expect(got.usage.reasoningTokens).toBe(u.reasoningTokens);

      const { completion } = await openAiSdkCompletion(out);
      const message = completion.choices[0]!.message;
      expect(message.content ?? '').toBe(src.text);
      expect(
        (message.tool_calls ?? []).map((c) => (c.type === 'function' ? [c.id, c.function.name] : [])),
      ).toEqual(src.toolCalls.map((c) => [c.id, c.name]));
      expect(completion.choices[0]!.finish_reason).toBe(CHAT_FINISH[src.finishReason ?? 'end_turn']);
      expect(completion.usage?.prompt_tokens).toBe(prompt);
    });
  }
});

describe('Chat upstream → Anthropic client, every recorded Chat stream', () => {
  for (const fx of fixtures('openai_chat')) {
    it(fx.name, async () => {
      const src = observe('openai-chat', fx.sse);
      const events = decodeStream(openAiChatTurnCodec, fx.sse);
      const request = turnRequest();
      const out = encodeStream(anthropicTurnCodec, request, events);
      expect(encodeStream(anthropicTurnCodec, request, events, 1000)).toBe(out);
      anthropicGrammar(out);
      const got = observe('anthropic', out);

      expect(got.text).toBe(src.text + src.refusal);
      expect(got.thinking).toBe(src.thinking);
      expect(got.toolCalls.map((c) => [c.id, c.name, c.arguments])).toEqual(
        src.toolCalls.map((c) => [c.id, c.name, c.arguments]),
      );
      if (src.error !== null) {
        expect(got.error?.message).toBe(src.error.message);
        expect(got.completed).toBe(false);
        const err = await anthropicSdkMessage(out).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(Anthropic.APIError);
        expect((err as Error).message).toContain(src.error.message);
        return;
      }
      expect(got.completed).toBe(true);
      expect(got.finishReason).toBe(ANTHROPIC_STOP[src.finishReason ?? 'stop']);
      // Anthropic's convention: input_tokens without the cached ones, which have their own field.
      expect(got.usage.inputTokens).toBe(src.usage.inputTokens ?? 0);
      expect(got.usage.cacheReadTokens).toBe(src.usage.cacheReadTokens ?? 0);
      expect(got.usage.outputTokens).toBe(src.usage.outputTokens ?? 0);

      const message = await anthropicSdkMessage(out);
      const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
      expect(text).toBe(src.text + src.refusal);
      const calls = message.content.flatMap((b) => (b.type === 'tool_use' ? [b] : []));
      expect(calls.map((c) => [c.id, c.name, c.input])).toEqual(
        src.toolCalls.map((c) => [
          c.id,
          c.name,
          JSON.parse(c.arguments.length > 0 ? c.arguments : '{}') as unknown,
        ]),
      );
      expect(message.stop_reason).toBe(ANTHROPIC_STOP[src.finishReason ?? 'stop']);
      expect(message.usage.input_tokens).toBe(src.usage.inputTokens ?? 0);
      expect(message.usage.output_tokens).toBe(src.usage.outputTokens ?? 0);
    });
  }
});

describe('Chat → Anthropic → Chat keeps a stream', () => {
  for (const fx of fixtures('openai_chat')) {
    it(fx.name, () => {
      const src = observe('openai-chat', fx.sse);
      const viaAnthropic = encodeStream(
        anthropicTurnCodec,
        turnRequest(),
        decodeStream(openAiChatTurnCodec, fx.sse),
      );
      const back = encodeStream(
        openAiChatTurnCodec,
        turnRequest({ includeUsage: true }),
        decodeStream(anthropicTurnCodec, viaAnthropic),
      );
      const got = observe('openai-chat', back);
      expect(got.text).toBe(src.text);
      expect(got.thinking).toBe(src.thinking);
      expect(got.toolCalls.map((c) => [c.id, c.name, c.arguments])).toEqual(
        src.toolCalls.map((c) => [c.id, c.name, c.arguments]),
      );
      expect(got.error?.message ?? null).toBe(src.error?.message ?? null);
      if (src.error === null && src.usage.outputTokens !== null) {
        expect(got.usage).toMatchObject({
          inputTokens: src.usage.inputTokens,
          cacheReadTokens: src.usage.cacheReadTokens,
          outputTokens: src.usage.outputTokens,
        });
      }
    });
  }
});

describe('Anthropic → Chat → Anthropic keeps a stream', () => {
  for (const fx of fixtures('anthropic')) {
    it(fx.name, () => {
      const src = observe('anthropic', fx.sse);
      const viaChat = encodeStream(
        openAiChatTurnCodec,
        turnRequest({ includeUsage: true }),
        decodeStream(anthropicTurnCodec, fx.sse),
      );
      const back = encodeStream(
        anthropicTurnCodec,
        turnRequest(),
        decodeStream(openAiChatTurnCodec, viaChat),
      );
      anthropicGrammar(back);
      const got = observe('anthropic', back);
      expect(got.text).toBe(src.text);
      expect(got.thinking).toBe(src.thinking);
      expect(got.toolCalls.map((c) => [c.id, c.name, c.arguments])).toEqual(
        src.toolCalls.map((c) => [c.id, c.name, c.arguments]),
      );
      expect(got.error?.message ?? null).toBe(src.error?.message ?? null);
    });
  }
});

describe('non-stream responses, both ways', () => {
  const anthropicMessage = {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content: [
      { type: 'thinking', thinking: 'Check the weather.', signature: 'sig-abc' },
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: {
      input_tokens: 12,
      cache_creation_input_tokens: 300,
      cache_read_input_tokens: 700,
      output_tokens: 40,
    },
  };

  it('an Anthropic Message becomes a chat.completion in Chat’s usage convention', () => {
    const turn = anthropicTurnCodec.decodeResponse(anthropicMessage);
    const body = openAiChatTurnCodec.encodeResponse(
      turn,
      turnRequest(),
    ) as unknown as OpenAI.Chat.ChatCompletion;
    const choice = body.choices[0]!;
    expect(choice.message.content).toBe('Let me look.');
    expect((choice.message as unknown as Record<string, unknown>).reasoning_content).toBe(
      'Check the weather.',
    );
    expect(choice.message.tool_calls).toEqual([
      { id: 'toolu_01A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(choice.finish_reason).toBe('tool_calls');
    expect(body.usage).toEqual({
      prompt_tokens: 1012,
      completion_tokens: 40,
      total_tokens: 1052,
      prompt_tokens_details: { cached_tokens: 700 },
    });
    const observer = observeJson('openai-chat', body);
    expect(observer.usage.cacheReadTokens).toBe(700);
  });

  it('a chat.completion becomes an Anthropic Message; a call after text still stops as tool_use', () => {
    const completion = {
      id: 'chatcmpl-9',
      object: 'chat.completion',
      created: 1,
      model: 'deepseek-chat',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Sure.',
            reasoning_content: 'The user wants files.',
            tool_calls: [
              { id: 'functions.ls:0', type: 'function', function: { name: 'ls', arguments: '{"p":"."}' } },
            ],
          },
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 1000,
        completion_tokens: 50,
        total_tokens: 1050,
        prompt_tokens_details: { cached_tokens: 800 },
        completion_tokens_details: { reasoning_tokens: 20 },
      },
    };
    const turn = openAiChatTurnCodec.decodeResponse(completion);
    const message = anthropicTurnCodec.encodeResponse(turn, turnRequest()) as unknown as Anthropic.Message;
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use']);
    const call = message.content[2] as Anthropic.ToolUseBlock;
    expect(call.id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(call.input).toEqual({ p: '.' });
    expect(message.usage).toMatchObject({
      input_tokens: 200,
      cache_read_input_tokens: 800,
      output_tokens: 50,
    });
    // The fitted id maps back exactly when the client sends it again.
    const next = anthropicTurnCodec.decodeRequest(
      {
        model: 'm',
        max_tokens: 10,
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: 'ls', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: 'a.txt' }] },
        ],
      },
      null,
    );
    expect(next.messages[0]!.parts[0]).toMatchObject({ type: 'tool_call', id: 'functions.ls:0' });
    expect(next.messages[1]!.parts[0]).toMatchObject({ type: 'tool_result', callId: 'functions.ls:0' });
  });
});

/** What a format's observer learns from a whole (non-streaming) body. */
function observeJson(format: 'openai-chat' | 'anthropic', body: unknown): StreamFacts {
  const observer = adapterFor(format).createObserver();
  observer.observeJson(body);
  return observer.facts;
}
