import { describe, expect, it } from 'vitest';
import { openAiChatTurnCodec } from '../../../../src/formats/openai-chat/turn';
import type { TurnEvent } from '../../../../src/formats/turn/types';
import { EMPTY_USAGE } from '../../../../src/shared/usage';
import { fixtures } from '../../../support/fixtures';
import { chatChunks, decodeStream, observe, openAiSdkCompletion, turnRequest } from './turn-harness';

const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });

function decode(datas: string[], event?: string): TurnEvent[] {
  const decoder = openAiChatTurnCodec.createStreamDecoder();
  return [...datas.flatMap((d) => decoder.event(event, d)), ...decoder.end()];
}

describe('Chat stream decoder', () => {
  it('reads every recorded stream into the facts its observer sees', () => {
    for (const fx of fixtures('openai_chat')) {
      const facts = observe('openai-chat', fx.sse);
      const events = decodeStream(openAiChatTurnCodec, fx.sse);
      const text = events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
      expect(text, fx.name).toBe(facts.text + facts.refusal);
      expect(events.flatMap((e) => (e.type === 'thinking' ? [e.text] : [])).join(''), fx.name).toBe(
        facts.thinking,
      );
      const starts = events.filter((e) => e.type === 'tool_call_start');
      expect(
        starts.map((s) => s.id),
        fx.name,
      ).toEqual(facts.toolCalls.map((c) => c.id));
      const errors = events.filter((e) => e.type === 'error');
      expect(
        errors.map((e) => e.message),
        fx.name,
      ).toEqual(facts.error === null ? [] : [facts.error.message]);
    }
  });

  it('reads several tool calls in one chunk, and text with tool calls in one chunk', () => {
    const events = decode([
      chunk({
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
        ],
      }),
      chunk({
        tool_calls: [
          { index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '{}' } },
          { index: 2, id: 'call_c', type: 'function', function: { name: 'c', arguments: '{"y":' } },
        ],
      }),
      chunk({ tool_calls: [{ index: 2, function: { arguments: '2}' } }] }, 'tool_calls'),
      '[DONE]',
    ]);
    expect(events.filter((e) => e.type !== 'start')).toEqual([
      { type: 'text', index: 1, text: 'Checking.' },
      { type: 'tool_call_start', index: 2, id: 'call_a', name: 'a', signature: null },
      { type: 'tool_call_delta', index: 2, arguments: '{"x":1}' },
      { type: 'tool_call_start', index: 3, id: 'call_b', name: 'b', signature: null },
      { type: 'tool_call_delta', index: 3, arguments: '{}' },
      { type: 'tool_call_start', index: 4, id: 'call_c', name: 'c', signature: null },
      { type: 'tool_call_delta', index: 4, arguments: '{"y":' },
      { type: 'tool_call_delta', index: 4, arguments: '2}' },
      { type: 'finish', reason: 'tool_use', stopSequence: null },
    ]);
  });

  it('starts a call once even when every fragment repeats its id, and keeps arguments sent before the name', () => {
    const events = decode([
      chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'f', arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { arguments: '' } }] }, 'tool_calls'),
    ]);
    expect(events.filter((e) => e.type === 'tool_call_start')).toHaveLength(1);
    expect(events.flatMap((e) => (e.type === 'tool_call_delta' ? [e.arguments] : [])).join('')).toBe(
      '{"a":1}',
    );
  });

  it('reads reasoning_content and reasoning (one of them), a usage-only chunk and an error chunk', () => {
    const events = decode([
      chunk({ reasoning_content: 'think', reasoning: 'think' }),
      chunk({ reasoning: ' more' }),
      JSON.stringify({
        id: 'chatcmpl-1',
        choices: [],
        usage: { prompt_tokens: 100, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 60 } },
      }),
      JSON.stringify({ error: { message: 'Provider returned error', code: 502 } }),
    ]);
    expect(
      events.filter((e) => e.type === 'thinking').map((e) => (e.type === 'thinking' ? e.text : '')),
    ).toEqual(['think', ' more']);
    expect(events.find((e) => e.type === 'usage')).toEqual({
      type: 'usage',
      usage: { ...EMPTY_USAGE, inputTokens: 40, cacheReadTokens: 60, outputTokens: 10 },
    });
    expect(events.at(-1)).toEqual({
      type: 'error',
      status: 502,
      errorType: null,
      message: 'Provider returned error',
    });
  });
});

describe('Chat stream encoder grammar', () => {
  const events: TurnEvent[] = [
    {
      type: 'start',
      id: 'msg_01',
      model: 'claude-x',
      usage: { ...EMPTY_USAGE, inputTokens: 10, cacheReadTokens: 90 },
    },
    { type: 'thinking', index: 0, text: 'plan' },
    { type: 'thinking_signature', index: 0, signature: { vendor: 'anthropic', value: 'sig' } },
    { type: 'block_end', index: 0 },
    { type: 'text', index: 1, text: 'Calling.' },
    { type: 'tool_call_start', index: 2, id: 'toolu_01', name: 'a', signature: null },
    { type: 'tool_call_delta', index: 2, arguments: '{"x":' },
    { type: 'tool_call_delta', index: 2, arguments: '1}' },
    { type: 'tool_call_start', index: 3, id: 'toolu_02', name: 'b', signature: null },
    {
      type: 'usage',
      usage: { ...EMPTY_USAGE, inputTokens: 10, cacheReadTokens: 90, cacheWriteTokens: 5, outputTokens: 30 },
    },
    { type: 'finish', reason: 'end_turn', stopSequence: null },
  ];

  function encode(includeUsage: boolean): string {
    const encoder = openAiChatTurnCodec.createStreamEncoder(turnRequest({ includeUsage }));
    return encoder.push(events) + encoder.end();
  }

  it('role chunk, deltas, tool calls with id and name on the first fragment, one tool_calls finish, usage, [DONE]', () => {
    const chunks = chatChunks(encode(true));
    const deltas = chunks.flatMap((c) =>
      typeof c === 'string'
        ? [c]
        : [(c.choices as Record<string, unknown>[])[0]?.delta ?? { usage: c.usage }],
    );
    expect(deltas).toEqual([
      { role: 'assistant', content: '' },
      { reasoning_content: 'plan' },
      { content: 'Calling.' },
      {
        tool_calls: [{ index: 0, id: 'toolu_01', type: 'function', function: { name: 'a', arguments: '' } }],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '1}' } }] },
      {
        tool_calls: [{ index: 1, id: 'toolu_02', type: 'function', function: { name: 'b', arguments: '' } }],
      },
      {},
      {
        usage: {
          prompt_tokens: 105,
          completion_tokens: 30,
          total_tokens: 135,
          prompt_tokens_details: { cached_tokens: 90 },
        },
      },
      '[DONE]',
    ]);
    const finish = chunks[7] as { choices: { finish_reason: string }[] };
    expect(finish.choices[0]!.finish_reason).toBe('tool_calls');
    expect((chunks[8] as { choices: unknown[] }).choices).toEqual([]);
    expect(JSON.stringify(chunks)).not.toContain('"sig"');
  });

  it('sends no usage chunk when the client did not ask for it', () => {
    const chunks = chatChunks(encode(false));
    expect(chunks.at(-1)).toBe('[DONE]');
    expect(chunks.some((c) => typeof c !== 'string' && c.usage !== undefined)).toBe(false);
  });

  it('is read by the openai SDK stream helper', async () => {
    const { completion } = await openAiSdkCompletion(encode(true));
    const message = completion.choices[0]!.message;
    expect(message.content).toBe('Calling.');
    expect(
      message.tool_calls?.map((c) =>
        c.type === 'function' ? [c.id, c.function.name, c.function.arguments] : [],
      ),
    ).toEqual([
      ['toolu_01', 'a', '{"x":1}'],
      ['toolu_02', 'b', ''],
    ]);
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(completion.usage?.prompt_tokens).toBe(105);
  });

  it('turns an error into an error chunk with the message word for word, and stops', async () => {
    const encoder = openAiChatTurnCodec.createStreamEncoder(turnRequest());
    const body =
      encoder.push([
        { type: 'text', index: 0, text: 'Here' },
        { type: 'error', status: 529, errorType: 'overloaded_error', message: 'Overloaded' },
        { type: 'text', index: 0, text: 'never' },
      ]) + encoder.end();
    const chunks = chatChunks(body);
    expect(chunks.at(-1)).toEqual({
      error: { message: 'Overloaded', type: 'overloaded_error', param: null, code: null },
    });
    expect(body).not.toContain('never');
    await expect(openAiSdkCompletion(body)).rejects.toThrow('Overloaded');
  });

  it('fits a foreign tool id to 40 characters', () => {
    const encoder = openAiChatTurnCodec.createStreamEncoder(turnRequest());
    const long = `toolu_${'a'.repeat(58)}`;
    const body =
      encoder.push([{ type: 'tool_call_start', index: 0, id: long, name: 'f', signature: null }]) +
      encoder.end();
    const id = observe('openai-chat', body).toolCalls[0]!.id!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    expect(id).not.toBe(long);
  });
});
