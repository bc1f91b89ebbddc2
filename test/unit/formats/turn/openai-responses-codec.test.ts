import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { openAiResponsesTurnCodec as codec } from '../../../../src/formats/openai-responses/turn';
import type { TurnEvent, TurnRequest } from '../../../../src/formats/turn/types';
import { decodeFrames, fakeFetch, sseResponse } from '../harness';

const options = { maxOutputTokens: null, replayReasoning: false };

/** A Codex-like body: instructions, a developer message, tools (function + freeform), reasoning, a call history. */
const codexBody = {
  model: 'gpt-5-codex',
  instructions: 'You are Codex.',
  input: [
    {
      type: 'message',
      role: 'developer',
      content: [{ type: 'input_text', text: '<permissions>ask</permissions>' }],
    },
    {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'What is in this screenshot?' },
        { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
      ],
    },
    {
      type: 'reasoning',
      id: 'rs_1',
      summary: [{ type: 'summary_text', text: 'Look at the files.' }],
      encrypted_content: 'gAAAAABenc',
    },
    { type: 'function_call', id: 'fc_1', call_id: 'call_A', name: 'shell', arguments: '{"command":["ls"]}' },
    { type: 'function_call_output', call_id: 'call_A', output: 'a.txt\nb.txt' },
    {
      type: 'custom_tool_call',
      id: 'ctc_1',
      call_id: 'call_B',
      name: 'apply_patch',
      input: '*** Begin Patch',
    },
    { type: 'custom_tool_call_output', call_id: 'call_B', output: 'Done!' },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Patched.' }] },
  ],
  tools: [
    {
      type: 'function',
      name: 'shell',
      description: 'Runs a command',
      strict: false,
      parameters: {
        type: 'object',
        properties: { command: { type: 'array', items: { type: 'string' } } },
        required: ['command'],
        additionalProperties: false,
      },
    },
    {
      type: 'custom',
      name: 'apply_patch',
      description: 'Edit files',
      format: { type: 'grammar', syntax: 'lark', definition: 'start: x' },
    },
    { type: 'web_search' },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: false,
  reasoning: { effort: 'high', summary: 'auto' },
  store: false,
  stream: true,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: 'session-1',
};

describe('openAiResponsesTurnCodec requests', () => {
  it('decodes a Codex body: system hoisted, history, media, calls with their call_ids, reasoning as OpenAI-only', () => {
    const turn = codec.decodeRequest(codexBody, null);
    expect(turn.system).toEqual(['You are Codex.', '<permissions>ask</permissions>']);
    expect(turn.messages.map((m) => [m.role, m.parts.map((p) => p.type)])).toEqual([
      ['user', ['text', 'image']],
      ['assistant', ['thinking', 'tool_call']],
      ['user', ['tool_result']],
      ['assistant', ['tool_call']],
      ['user', ['tool_result']],
      ['assistant', ['text']],
    ]);
    expect(turn.messages[0]!.parts[1]).toEqual({
      type: 'image',
      mediaType: 'image/png',
      data: 'iVBORw0KGgo=',
      url: null,
    });
    expect(turn.messages[1]!.parts[0]).toEqual({
      type: 'thinking',
      text: 'Look at the files.',
      signature: null,
      redacted: { vendor: 'openai', value: 'gAAAAABenc' },
    });
    expect(turn.messages[1]!.parts[1]).toEqual({
      type: 'tool_call',
      id: 'call_A',
      name: 'shell',
      arguments: '{"command":["ls"]}',
      signature: null,
    });
    expect(turn.messages[2]!.parts[0]).toMatchObject({
      callId: 'call_A',
      name: 'shell',
      content: [{ type: 'text', text: 'a.txt\nb.txt' }],
    });
    expect(turn.messages[3]!.parts[0]).toMatchObject({
      id: 'call_B',
      arguments: '{"input":"*** Begin Patch"}',
    });
    expect(turn.tools.map((t) => [t.name, t.kind ?? 'function'])).toEqual([
      ['shell', 'function'],
      ['apply_patch', 'custom'],
    ]);
    expect(turn.toolChoice).toEqual({ type: 'auto' });
    expect(turn.parallelToolCalls).toBe(false);
    expect(turn.reasoning).toEqual({ budgetTokens: null, effort: 'high' });
    expect([turn.stream, turn.user, turn.previousResponseId, turn.store]).toEqual([
      true,
      'session-1',
      null,
      false,
    ]);
  });

  it('surfaces previous_response_id and store for the proxy to serve or refuse', () => {
    const turn = codec.decodeRequest(
      { model: 'm', input: 'next', previous_response_id: 'resp_9', store: true },
      null,
    );
    expect([turn.previousResponseId, turn.store]).toEqual(['resp_9', true]);
    expect(turn.messages).toEqual([{ role: 'user', parts: [{ type: 'text', text: 'next' }] }]);
  });

  it('round-trips a Codex body through the hub to an equivalent Responses body', () => {
    const body = codec.encodeRequest(codec.decodeRequest(codexBody, null), {
      ...options,
      maxOutputTokens: 4096,
    });
    expect(body).toMatchObject({
      model: 'gpt-5-codex',
      instructions: 'You are Codex.\n\n<permissions>ask</permissions>',
      tool_choice: 'auto',
      parallel_tool_calls: false,
      reasoning: { effort: 'high', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      store: false,
      stream: true,
      max_output_tokens: 4096,
    });
    expect(body.input).toEqual([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'What is in this screenshot?' },
          { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
        ],
      },
      {
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Look at the files.' }],
        encrypted_content: 'gAAAAABenc',
      },
      { type: 'function_call', call_id: 'call_A', name: 'shell', arguments: '{"command":["ls"]}' },
      { type: 'function_call_output', call_id: 'call_A', output: 'a.txt\nb.txt' },
      { type: 'custom_tool_call', call_id: 'call_B', name: 'apply_patch', input: '*** Begin Patch' },
      { type: 'custom_tool_call_output', call_id: 'call_B', output: 'Done!' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Patched.' }] },
    ]);
    expect((body.tools as { type: string; name: string }[]).map((t) => [t.type, t.name])).toEqual([
      ['function', 'shell'],
      ['custom', 'apply_patch'],
    ]);
  });

  it('encodes a foreign turn: other vendors’ reasoning dropped, tool-result images native, effort from a budget', () => {
    const turn: TurnRequest = {
      ...codec.decodeRequest({ model: 'x', input: [] }, null),
      system: ['Be brief.'],
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'Look' }] },
        {
          role: 'assistant',
          parts: [
            {
              type: 'thinking',
              text: 'hmm',
              signature: { vendor: 'anthropic', value: 'sig' },
              redacted: null,
            },
            { type: 'tool_call', id: 'toolu_1', name: 'screenshot', arguments: '{}', signature: null },
          ],
        },
        {
          role: 'user',
          parts: [
            {
              type: 'tool_result',
              callId: 'toolu_1',
              name: null,
              isError: false,
              content: [
                { type: 'text', text: 'here' },
                { type: 'image', mediaType: 'image/jpeg', data: 'AAAA', url: null },
              ],
            },
          ],
        },
      ],
      tools: [{ name: 'screenshot', description: null, parameters: { type: 'object', properties: {} } }],
      toolChoice: { type: 'tool', name: 'screenshot' },
      reasoning: { budgetTokens: 2000, effort: null },
      maxOutputTokens: 64000,
      stop: ['END'],
    };
    const body = codec.encodeRequest(turn, { ...options, maxOutputTokens: 32000 });
    expect(body.input).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Look' }] },
      { type: 'function_call', call_id: 'toolu_1', name: 'screenshot', arguments: '{}' },
      {
        type: 'function_call_output',
        call_id: 'toolu_1',
        output: [
          { type: 'input_text', text: 'here' },
          { type: 'input_image', image_url: 'data:image/jpeg;base64,AAAA', detail: 'auto' },
        ],
      },
    ]);
    expect(body).toMatchObject({
      instructions: 'Be brief.',
      tool_choice: { type: 'function', name: 'screenshot' },
      reasoning: { effort: 'low', summary: 'auto' },
      max_output_tokens: 32000,
    });
    expect(body).not.toHaveProperty('stop');
  });
});

describe('openAiResponsesTurnCodec whole responses', () => {
  const response = {
    id: 'resp_1',
    object: 'response',
    status: 'completed',
    model: 'gpt-5',
    output: [
      {
        id: 'rs_1',
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Think' }],
        encrypted_content: 'enc',
      },
      {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Calling.', annotations: [] }],
      },
      {
        id: 'fc_1',
        type: 'function_call',
        call_id: 'call_1',
        name: 'f',
        arguments: '{"a":1}',
        status: 'completed',
      },
    ],
    usage: {
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 40 },
      output_tokens: 30,
      output_tokens_details: { reasoning_tokens: 10 },
      total_tokens: 130,
    },
  };

  it('decodes: parts in order, a call makes the stop tool_use, usage normalised', () => {
    const turn = codec.decodeResponse(response);
    expect(turn.parts.map((p) => p.type)).toEqual(['thinking', 'text', 'tool_call']);
    expect(turn.stopReason).toBe('tool_use');
    expect(turn.usage).toMatchObject({
      inputTokens: 60,
      cacheReadTokens: 40,
      outputTokens: 30,
      reasoningTokens: 10,
    });
    const incomplete = codec.decodeResponse({
      ...response,
      output: [],
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
    expect(incomplete.stopReason).toBe('max_tokens');
  });

  it('encodes back: item ids keep their prefixes, usage in Responses’ convention', () => {
    const request = codec.decodeRequest({ model: 'gpt-5', input: 'hi' }, null);
    const body = codec.encodeResponse(codec.decodeResponse(response), request);
    const output = body.output as Record<string, unknown>[];
    expect(output.map((o) => [o.type, String(o.id).split('_')[0]])).toEqual([
      ['reasoning', 'rs'],
      ['message', 'msg'],
      ['function_call', 'fc'],
    ]);
    expect(output[2]).toMatchObject({ call_id: 'call_1', arguments: '{"a":1}' });
    expect(output[0]).toMatchObject({ encrypted_content: 'enc' });
    expect(body).toMatchObject({ status: 'completed', usage: response.usage, id: 'resp_1' });
  });
});

describe('openAiResponsesTurnCodec streams', () => {
  const request = codec.decodeRequest({ model: 'gpt-5', input: 'hi' }, null);

  it('encodes thinking, text and parallel calls in the grammar the openai stream helper accepts', async () => {
    const events: TurnEvent[] = [
      { type: 'start', id: 'msg_01', model: 'claude-x', usage: null },
      { type: 'thinking', index: 0, text: 'Let me ' },
      { type: 'thinking', index: 0, text: 'see.' },
      { type: 'thinking_signature', index: 0, signature: { vendor: 'anthropic', value: 'sig' } },
      { type: 'block_end', index: 0 },
      { type: 'text', index: 1, text: 'Two calls.' },
      { type: 'block_end', index: 1 },
      { type: 'tool_call_start', index: 2, id: 'toolu_a', name: 'f', signature: null },
      { type: 'tool_call_delta', index: 2, arguments: '{"x":' },
      { type: 'tool_call_delta', index: 2, arguments: '1}' },
      { type: 'block_end', index: 2 },
      { type: 'tool_call_start', index: 3, id: 'toolu_b', name: 'f', signature: null },
      { type: 'block_end', index: 3 },
      {
        type: 'usage',
        usage: {
          inputTokens: 5,
          cacheReadTokens: 20,
          cacheWriteTokens: 3,
          cacheWrite5mTokens: null,
          cacheWrite1hTokens: null,
          outputTokens: 9,
          reasoningTokens: null,
        },
      },
      { type: 'finish', reason: 'end_turn', stopSequence: null },
    ];
    const encoder = codec.createStreamEncoder(request);
    const sse = events.map((e) => encoder.push([e])).join('') + encoder.end();
    const names = decodeFrames(sse).map((e) => e.event);
    expect(names).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const client = new OpenAI({
      apiKey: 't',
      baseURL: 'http://127.0.0.1:9/v1',
      maxRetries: 0,
      fetch: fakeFetch(() => sseResponse(sse)),
    });
    const final = await client.responses.stream({ model: 'gpt-5', input: 'hi' }).finalResponse();
    expect(final.output.map((o) => o.type)).toEqual([
      'reasoning',
      'message',
      'function_call',
      'function_call',
    ]);
    const calls = final.output.filter((o) => o.type === 'function_call');
    expect(calls.map((c) => [c.call_id, c.arguments])).toEqual([
      ['toolu_a', '{"x":1}'],
      ['toolu_b', '{}'],
    ]);
    // Anthropic's signature cannot travel in Responses: no encrypted_content is made up.
    expect(final.output[0]).not.toHaveProperty('encrypted_content');
    // Input in OpenAI's convention counts cache reads and writes; a turn with calls completes.
    expect(final.status).toBe('completed');
    expect(final.usage).toMatchObject({
      input_tokens: 28,
      input_tokens_details: { cached_tokens: 20 },
      output_tokens: 9,
    });
  });

  it('an error becomes response.failed with the message word for word, and nothing after it', () => {
    const encoder = codec.createStreamEncoder(request);
    const sse =
      encoder.push([{ type: 'text', index: 0, text: 'Hi' }]) +
      encoder.push([{ type: 'error', status: 529, errorType: 'overloaded_error', message: 'Overloaded' }]) +
      encoder.push([{ type: 'text', index: 0, text: 'late' }]) +
      encoder.end();
    const frames = decodeFrames(sse);
    const last = frames.at(-1)!;
    expect(last.event).toBe('response.failed');
    expect(JSON.parse(last.data)).toMatchObject({
      response: { status: 'failed', error: { code: 'overloaded_error', message: 'Overloaded' } },
    });
    expect(sse).not.toContain('late');
  });

  it('decodes a Responses stream whose server skipped the argument deltas', () => {
    const decoder = codec.createStreamDecoder();
    const ev = (type: string, payload: Record<string, unknown>): TurnEvent[] =>
      decoder.event(type, JSON.stringify({ type, ...payload }));
    const events = [
      ...ev('response.created', { response: { id: 'r', model: 'm', status: 'in_progress' } }),
      ...ev('response.output_item.added', {
        output_index: 0,
        item: { id: 'fc_1', type: 'function_call', call_id: 'c1', name: 'f', arguments: '' },
      }),
      ...ev('response.output_item.done', {
        output_index: 0,
        item: { id: 'fc_1', type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"q":1}' },
      }),
      ...ev('response.completed', {
        response: { id: 'r', status: 'completed', usage: { input_tokens: 3, output_tokens: 4 } },
      }),
      ...decoder.end(),
    ];
    expect(events).toEqual([
      { type: 'start', id: 'r', model: 'm', usage: null },
      { type: 'tool_call_start', index: 0, id: 'c1', name: 'f', signature: null },
      { type: 'tool_call_delta', index: 0, arguments: '{"q":1}' },
      { type: 'block_end', index: 0 },
      {
        type: 'usage',
        usage: {
          inputTokens: 3,
          cacheReadTokens: null,
          cacheWriteTokens: null,
          cacheWrite5mTokens: null,
          cacheWrite1hTokens: null,
          outputTokens: 4,
          reasoningTokens: null,
        },
      },
      { type: 'finish', reason: 'tool_use', stopSequence: null },
    ]);
  });
});
