import { describe, expect, it } from 'vitest';
import { anthropicTurnCodec } from '../../../../src/formats/anthropic/turn';
import { openAiChatTurnCodec } from '../../../../src/formats/openai-chat/turn';
import { BUDGET_FOR_EFFORT } from '../../../../src/formats/turn/effort';
import type { EncodeOptions } from '../../../../src/formats/turn/types';

const opts = (over: Partial<EncodeOptions> = {}): EncodeOptions => ({
  maxOutputTokens: null,
  replayReasoning: false,
  ...over,
});

/** What Cursor / Cline-style Chat clients send, with a system message in the middle of the list. */
const cursorBody = {
  model: 'gpt-4.1',
  stream: true,
  stream_options: { include_usage: true },
  max_completion_tokens: 4096,
  temperature: 0.2,
  top_p: 0.9,
  stop: ['</done>'],
  user: 'cursor-user-7',
  reasoning_effort: 'high',
  parallel_tool_calls: true,
  tool_choice: 'required',
  tools: [
    {
      type: 'function',
      function: {
        name: 'read_file',
        description: 'Read a file',
        parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
      },
    },
  ],
  messages: [
    { role: 'system', content: 'You are a coding assistant.' },
    { role: 'developer', content: [{ type: 'text', text: 'Prefer small diffs.' }] },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in this image?' },
        { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ', detail: 'high' } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
      ],
    },
    {
      role: 'assistant',
      content: null,
      reasoning_content: 'Need the file.',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.ts"}' } },
        { id: 'call_2', type: 'function', function: { name: 'read_file', arguments: '{"path":"b.ts"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: 'A' },
    { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'B' }] },
    { role: 'system', content: '<system-reminder>Files changed.</system-reminder>' },
    { role: 'user', content: 'Continue' },
  ],
};

describe('openAiChatTurnCodec.decodeRequest', () => {
  const turn = openAiChatTurnCodec.decodeRequest(cursorBody, null);

  it('hoists every system and developer message, in order, mid-list ones included', () => {
    expect(turn.system).toEqual([
      'You are a coding assistant.',
      'Prefer small diffs.',
      '<system-reminder>Files changed.</system-reminder>',
    ]);
    expect(turn.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'user']);
  });

  it('reads images, reasoning, tool calls and merges consecutive tool messages into one user message', () => {
    expect(turn.messages[0]!.parts.slice(1)).toEqual([
      { type: 'image', mediaType: 'image/jpeg', data: '/9j/4AAQ', url: null },
      { type: 'image', mediaType: null, data: null, url: 'https://example.com/cat.png' },
    ]);
    expect(turn.messages[1]!.parts.map((p) => p.type)).toEqual(['thinking', 'tool_call', 'tool_call']);
    expect(turn.messages[1]!.parts[0]).toMatchObject({ text: 'Need the file.', signature: null });
    expect(turn.messages[2]!.parts).toEqual([
      {
        type: 'tool_result',
        callId: 'call_1',
        name: null,
        content: [{ type: 'text', text: 'A' }],
        isError: false,
      },
      {
        type: 'tool_result',
        callId: 'call_2',
        name: null,
        content: [{ type: 'text', text: 'B' }],
        isError: false,
      },
    ]);
  });

  it('reads sampling, limits, tool choice, reasoning effort and the usage wish', () => {
    expect(turn).toMatchObject({
      model: 'gpt-4.1',
      maxOutputTokens: 4096,
      temperature: 0.2,
      topP: 0.9,
      stop: ['</done>'],
      user: 'cursor-user-7',
      toolChoice: { type: 'any' },
      parallelToolCalls: true,
      reasoning: { budgetTokens: null, effort: 'high' },
      includeUsage: true,
      stream: true,
    });
  });

  it('re-encodes to Chat with one leading system message', () => {
    const body = openAiChatTurnCodec.encodeRequest(turn, opts({ maxOutputTokens: 2048 }));
    const messages = body.messages as Record<string, unknown>[];
    expect(messages.filter((m) => m.role === 'system')).toHaveLength(1);
    expect(messages[0]).toEqual({
      role: 'system',
      content:
        'You are a coding assistant.\n\nPrefer small diffs.\n\n<system-reminder>Files changed.</system-reminder>',
    });
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'tool', 'user']);
    expect(body.max_tokens).toBe(2048);
    expect(body.tool_choice).toBe('required');
    expect(body.reasoning_effort).toBe('high');
    expect(body.stop).toEqual(['</done>']);
  });

  it('uses max_completion_tokens for OpenAI reasoning models', () => {
    const body = openAiChatTurnCodec.encodeRequest({ ...turn, model: 'gpt-5-mini' }, opts());
    expect(body.max_completion_tokens).toBe(4096);
    expect(body.max_tokens).toBeUndefined();
  });
});

describe('Chat client → Anthropic provider (request)', () => {
  const turn = openAiChatTurnCodec.decodeRequest(cursorBody, null);
  const body = anthropicTurnCodec.encodeRequest(turn, opts());
  const messages = body.messages as { role: string; content: Record<string, unknown>[] }[];

  it('puts the hoisted system parts in system and alternates roles', () => {
    expect(body.system).toEqual([
      { type: 'text', text: 'You are a coding assistant.' },
      { type: 'text', text: 'Prefer small diffs.' },
      { type: 'text', text: '<system-reminder>Files changed.</system-reminder>' },
    ]);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[2]!.content).toEqual([
      { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'A' }] },
      { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: 'B' }] },
      { type: 'text', text: 'Continue' },
    ]);
  });

  it('maps images to base64 and URL sources', () => {
    expect(messages[0]!.content.slice(1)).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
    ]);
  });

  it('drops unsigned reasoning, keeps tool calls, and asks no thinking the history cannot satisfy', () => {
    expect(messages[1]!.content.map((b) => b.type)).toEqual(['tool_use', 'tool_use']);
    expect(messages[1]!.content[0]).toEqual({
      type: 'tool_use',
      id: 'call_1',
      name: 'read_file',
      input: { path: 'a.ts' },
    });
    // The last assistant tool turn has no Anthropic-signed thinking: enabling thinking would be a 400.
    expect(body.thinking).toBeUndefined();
    expect(body.tool_choice).toEqual({ type: 'any' });
    expect(body.max_tokens).toBe(4096);
    expect(body.temperature).toBe(0.2);
    expect(body.top_p).toBeUndefined();
    expect(body.stop_sequences).toEqual(['</done>']);
    expect(body.metadata).toEqual({ user_id: 'cursor-user-7' });
    expect(body.tools).toEqual([
      {
        name: 'read_file',
        description: 'Read a file',
        input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
      },
    ]);
  });

  it('maps reasoning effort to a thinking budget when the history allows it', () => {
    const fresh = openAiChatTurnCodec.decodeRequest(
      { model: 'm', reasoning_effort: 'low', max_tokens: 20000, messages: [{ role: 'user', content: 'hi' }] },
      null,
    );
    expect(anthropicTurnCodec.encodeRequest(fresh, opts()).thinking).toEqual({
      type: 'enabled',
      budget_tokens: BUDGET_FOR_EFFORT.low,
    });
  });

  it('maps parallel_tool_calls false to disable_parallel_tool_use and tool_choice none', () => {
    const t = openAiChatTurnCodec.decodeRequest(
      { ...cursorBody, parallel_tool_calls: false, tool_choice: 'auto' },
      null,
    );
    expect(anthropicTurnCodec.encodeRequest(t, opts()).tool_choice).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
    const n = openAiChatTurnCodec.decodeRequest({ ...cursorBody, tool_choice: 'none' }, null);
    expect(anthropicTurnCodec.encodeRequest(n, opts()).tool_choice).toEqual({ type: 'none' });
  });

  it('maps Chat file parts to Anthropic documents', () => {
    const t = openAiChatTurnCodec.decodeRequest(
      {
        model: 'm',
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'file',
                file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
              },
            ],
          },
        ],
      },
      null,
    );
    const m = anthropicTurnCodec.encodeRequest(t, opts()).messages as { content: unknown[] }[];
    expect(m[0]!.content).toEqual([
      {
        type: 'document',
        source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
        title: 'a.pdf',
      },
    ]);
  });
});
