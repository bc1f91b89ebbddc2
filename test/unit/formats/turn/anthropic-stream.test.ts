import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { anthropicTurnCodec } from '../../../../src/formats/anthropic/turn';
import type { TurnEvent } from '../../../../src/formats/turn/types';
import { EMPTY_USAGE, type NormalizedUsage } from '../../../../src/shared/usage';
import { fixtures } from '../../../support/fixtures';
import {
  anthropicGrammar,
  anthropicSdkMessage,
  decodeStream,
  observe,
  sseEvents,
  turnRequest,
} from './turn-harness';

const usage = (over: Partial<NormalizedUsage>): NormalizedUsage => ({ ...EMPTY_USAGE, ...over });

function encode(events: TurnEvent[]): string {
  const encoder = anthropicTurnCodec.createStreamEncoder(turnRequest());
  return encoder.push(events) + encoder.end();
}

function payloads(body: string): Record<string, unknown>[] {
  return sseEvents(body).map((e) => JSON.parse(e.data) as Record<string, unknown>);
}

describe('Anthropic stream decoder', () => {
  it('reads every recorded stream into the facts its observer sees', () => {
    for (const fx of fixtures('anthropic')) {
      const facts = observe('anthropic', fx.sse);
      const events = decodeStream(anthropicTurnCodec, fx.sse);
      const text = events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
      const thinking = events.flatMap((e) => (e.type === 'thinking' ? [e.text] : [])).join('');
      expect(text, fx.name).toBe(facts.text);
      expect(thinking, fx.name).toBe(facts.thinking);
      const finish = events.find((e) => e.type === 'finish');
      if (facts.finishReason !== null) expect(finish, fx.name).toBeDefined();
      const lastUsage = events.flatMap((e) => (e.type === 'usage' ? [e.usage] : [])).at(-1);
      if (lastUsage !== undefined) expect(lastUsage, fx.name).toEqual(facts.usage);
    }
  });

  it('keeps the thinking signature with its vendor, and ping says nothing', () => {
    const fx = fixtures('anthropic').find((f) => f.name === 'claude-haiku-4.5-thinking-signature')!;
    const events = decodeStream(anthropicTurnCodec, fx.sse);
    const sig = events.find((e) => e.type === 'thinking_signature');
    expect(sig).toMatchObject({ signature: { vendor: 'anthropic' } });
    expect(anthropicTurnCodec.createStreamDecoder().event('ping', '{"type": "ping"}')).toEqual([]);
  });

  it('reads an error event with its status and message word for word', () => {
    const decoder = anthropicTurnCodec.createStreamDecoder();
    expect(
      decoder.event('error', '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'),
    ).toEqual([{ type: 'error', status: 529, errorType: 'overloaded_error', message: 'Overloaded' }]);
  });
});

describe('Anthropic stream encoder grammar', () => {
  it('opens blocks before deltas, one at a time, thinking before text, never an empty text block', () => {
    const body = encode([
      { type: 'start', id: 'x1', model: 'deepseek-chat', usage: null },
      { type: 'text', index: 1, text: '' },
      { type: 'thinking', index: 0, text: 'plan' },
      { type: 'text', index: 1, text: 'Hello' },
      { type: 'thinking', index: 0, text: 'late thought' },
      { type: 'text', index: 1, text: ' world' },
      { type: 'finish', reason: 'end_turn', stopSequence: null },
    ]);
    expect(anthropicGrammar(body)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(body).not.toContain('late thought');
    const facts = observe('anthropic', body);
    expect(facts.text).toBe('Hello world');
    expect(facts.thinking).toBe('plan');
  });

  it('ends a turn with a tool call as tool_use even when the upstream said stop after text', async () => {
    const body = encode([
      { type: 'start', id: 'x', model: 'm', usage: null },
      { type: 'text', index: 1, text: 'Let me check.' },
      {
        type: 'tool_call_start',
        index: 2,
        id: 'functions.get_weather:0',
        name: 'get_weather',
        signature: null,
      },
      { type: 'tool_call_delta', index: 2, arguments: '{"city":' },
      { type: 'tool_call_delta', index: 2, arguments: '"Paris"}' },
      { type: 'tool_call_start', index: 3, id: 'call_2', name: 'get_time', signature: null },
      { type: 'finish', reason: 'end_turn', stopSequence: null },
    ]);
    anthropicGrammar(body);
    const message = await anthropicSdkMessage(body);
    expect(message.stop_reason).toBe('tool_use');
    const calls = message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect(calls.map((c) => [c.name, c.input])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_time', {}],
    ]);
    expect(calls[0]!.id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(calls[1]!.id).toBe('call_2');
  });

  it('puts early usage in message_start and the cumulative usage in message_delta', () => {
    const body = encode([
      { type: 'start', id: 'x', model: 'm', usage: null },
      { type: 'usage', usage: usage({ inputTokens: 100, cacheReadTokens: 900 }) },
      { type: 'text', index: 1, text: 'hi' },
      { type: 'finish', reason: 'max_tokens', stopSequence: null },
      {
        type: 'usage',
        usage: usage({ inputTokens: 100, cacheReadTokens: 900, outputTokens: 7, reasoningTokens: 3 }),
      },
    ]);
    const all = payloads(body);
    expect((all[0]!.message as Record<string, unknown>).usage).toMatchObject({
      input_tokens: 100,
      cache_read_input_tokens: 900,
    });
    const delta = all.find((p) => p.type === 'message_delta')!;
    expect(delta).toMatchObject({
      delta: { stop_reason: 'max_tokens', stop_sequence: null },
      usage: { input_tokens: 100, cache_read_input_tokens: 900, output_tokens: 7 },
    });
  });

  it('keeps a stop sequence, and maps a context-window stop', () => {
    const stop = payloads(
      encode([
        { type: 'text', index: 0, text: 'a' },
        { type: 'finish', reason: 'stop_sequence', stopSequence: 'END' },
      ]),
    ).find((p) => p.type === 'message_delta');
    expect(stop!.delta).toEqual({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
    const ctx = payloads(
      encode([{ type: 'finish', reason: 'context_window_exceeded', stopSequence: null }]),
    ).find((p) => p.type === 'message_delta');
    expect(ctx!.delta).toMatchObject({ stop_reason: 'model_context_window_exceeded' });
  });

  it('turns an error into event: error with the message as it was, and writes nothing after it', async () => {
    const encoder = anthropicTurnCodec.createStreamEncoder(turnRequest());
    const body =
      encoder.push([
        { type: 'start', id: 'x', model: 'm', usage: null },
        { type: 'text', index: 1, text: 'partial' },
        {
          type: 'error',
          status: 429,
          errorType: 'rate_limit_exceeded',
          message: 'Rate limit reached for model x',
        },
        { type: 'text', index: 1, text: 'never' },
      ]) + encoder.end();
    expect(body).not.toContain('never');
    expect(body).not.toContain('message_stop');
    const last = sseEvents(body).at(-1)!;
    expect(last.event).toBe('error');
    expect(JSON.parse(last.data)).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Rate limit reached for model x' },
    });
    await expect(anthropicSdkMessage(body)).rejects.toThrow('Rate limit reached for model x');
  });

  it('an empty upstream still makes a whole message, and end() writes once', () => {
    const encoder = anthropicTurnCodec.createStreamEncoder(turnRequest());
    const body = encoder.end();
    expect(anthropicGrammar(body)).toEqual(['message_start', 'message_delta', 'message_stop']);
    expect(encoder.end()).toBe('');
  });

  it('carries another vendor’s reasoning token behind its vendor name and reads it back', () => {
    const body = encode([
      { type: 'thinking', index: 0, text: 'hmm' },
      { type: 'thinking_signature', index: 0, signature: { vendor: 'gemini', value: 'CiQB' } },
      { type: 'redacted_thinking', index: 1, data: { vendor: 'openai', value: 'gAAAA' } },
      { type: 'text', index: 2, text: 'ok' },
    ]);
    anthropicGrammar(body);
    const events = decodeStream(anthropicTurnCodec, body);
    expect(events).toContainEqual({
      type: 'thinking_signature',
      index: 0,
      signature: { vendor: 'gemini', value: 'CiQB' },
    });
    expect(events).toContainEqual({
      type: 'redacted_thinking',
      index: 1,
      data: { vendor: 'openai', value: 'gAAAA' },
    });
    // The client sends the blocks back: they return to their vendor, and Anthropic is never sent them.
    const turn = anthropicTurnCodec.decodeRequest(
      {
        model: 'm',
        max_tokens: 100,
        messages: [
          { role: 'user', content: 'q' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'hmm', signature: 'sluice.gemini.CiQB' },
              { type: 'text', text: 'ok' },
            ],
          },
        ],
      },
      null,
    );
    expect(turn.messages[1]!.parts[0]).toMatchObject({ signature: { vendor: 'gemini', value: 'CiQB' } });
    const back = anthropicTurnCodec.encodeRequest(turn, { maxOutputTokens: null, replayReasoning: true });
    expect(JSON.stringify(back)).not.toContain('CiQB');
  });
});
