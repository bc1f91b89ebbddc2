import { describe, expect, it } from 'vitest';
import { anthropicTurnCodec } from '../../../../src/formats/anthropic/turn';
import { openAiChatTurnCodec } from '../../../../src/formats/openai-chat/turn';
import { effortForBudget } from '../../../../src/formats/turn/effort';
import type { EncodeOptions } from '../../../../src/formats/turn/types';

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const opts = (over: Partial<EncodeOptions> = {}): EncodeOptions => ({
  maxOutputTokens: null,
  replayReasoning: false,
  ...over,
});

/** What Claude Code sends: system blocks with cache_control, thinking with signatures, tools, images in tool results. */
const claudeCodeBody = {
  model: 'claude-sonnet-4-5',
  max_tokens: 32000,
  stream: true,
  metadata: { user_id: 'user_abc_session_1' },
  thinking: { type: 'enabled', budget_tokens: 10000 },
  system: [
    { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
    { type: 'text', text: 'Working directory: /repo', cache_control: { type: 'ephemeral' } },
  ],
  tools: [
    {
      name: 'Read',
      description: 'Reads a file',
      input_schema: {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { file_path: { type: 'string' } },
        required: ['file_path'],
        additionalProperties: false,
      },
    },
    {
      name: 'Screenshot',
      description: 'Takes a screenshot',
      input_schema: { type: 'object', properties: {} },
    },
    { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
  ],
  tool_choice: { type: 'auto', disable_parallel_tool_use: true },
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>ctx</system-reminder>' },
        { type: 'text', text: 'Read a.ts and take a screenshot', cache_control: { type: 'ephemeral' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should read the file.', signature: 'EqQBCkYIBxgCKkB' },
        { type: 'text', text: 'Reading it.' },
        { type: 'tool_use', id: 'toolu_01A', name: 'Read', input: { file_path: 'a.ts' } },
        { type: 'tool_use', id: 'toolu_01B', name: 'Screenshot', input: {} },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_01A', content: 'export const a = 1;' },
        {
          type: 'tool_result',
          tool_use_id: 'toolu_01B',
          content: [
            { type: 'text', text: 'Screenshot taken' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          ],
        },
        { type: 'text', text: 'Now explain.' },
      ],
    },
  ],
};

describe('anthropicTurnCodec.decodeRequest', () => {
  const turn = anthropicTurnCodec.decodeRequest(claudeCodeBody, null);

  it('keeps system blocks in order, tools with schemas, and drops server tools', () => {
    expect(turn.system).toEqual([
      "You are Claude Code, Anthropic's official CLI for Claude.",
      'Working directory: /repo',
    ]);
    expect(turn.tools.map((t) => t.name)).toEqual(['Read', 'Screenshot']);
    expect(turn.tools[0]!.parameters).toMatchObject({ required: ['file_path'] });
    expect(turn.toolChoice).toEqual({ type: 'auto' });
    expect(turn.parallelToolCalls).toBe(false);
    expect(turn.reasoning).toEqual({ budgetTokens: 10000, effort: null });
    expect(turn.user).toBe('user_abc_session_1');
    expect(turn.maxOutputTokens).toBe(32000);
    expect(turn.stream).toBe(true);
  });

  it('keeps thinking with its vendor, tool calls as JSON text and tool results with native images', () => {
    const [, assistant, results] = turn.messages;
    expect(assistant!.parts[0]).toEqual({
      type: 'thinking',
      text: 'I should read the file.',
      signature: { vendor: 'anthropic', value: 'EqQBCkYIBxgCKkB' },
      redacted: null,
    });
    expect(assistant!.parts[2]).toMatchObject({
      type: 'tool_call',
      id: 'toolu_01A',
      arguments: '{"file_path":"a.ts"}',
    });
    expect(results!.parts[1]).toEqual({
      type: 'tool_result',
      callId: 'toolu_01B',
      name: null,
      isError: false,
      content: [
        { type: 'text', text: 'Screenshot taken' },
        { type: 'image', mediaType: 'image/png', data: PNG, url: null },
      ],
    });
  });

  it('round-trips to an Anthropic body (cache_control aside), keeping the signed thinking', () => {
    const body = anthropicTurnCodec.encodeRequest(turn, opts());
    expect(body.system).toEqual([
      { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
      { type: 'text', text: 'Working directory: /repo' },
    ]);
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 10000 });
    expect(body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    const messages = body.messages as { role: string; content: Record<string, unknown>[] }[];
    expect(messages[1]!.content[0]).toEqual({
      type: 'thinking',
      thinking: 'I should read the file.',
      signature: 'EqQBCkYIBxgCKkB',
    });
    expect(messages[2]!.content.map((b) => b.type)).toEqual(['tool_result', 'tool_result', 'text']);
    expect(messages[2]!.content[1]).toEqual(claudeCodeBody.messages[2]!.content[1]);
    expect(body.metadata).toEqual({ user_id: 'user_abc_session_1' });
    // Extended thinking takes no temperature: none was sent.
    expect(body.temperature).toBeUndefined();
  });

  it('asks no thinking with a forced tool choice (Anthropic refuses the pair)', () => {
    const forced = anthropicTurnCodec.encodeRequest({ ...turn, toolChoice: { type: 'any' } }, opts());
    expect(forced.thinking).toBeUndefined();
    expect(forced.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
  });

  it('clamps max_tokens to the provider limit and keeps room for the answer beside the thinking budget', () => {
    const body = anthropicTurnCodec.encodeRequest(turn, opts({ maxOutputTokens: 8000 }));
    expect(body.max_tokens).toBe(8000);
    // A budget of 7 999 would leave one token for the answer: half of max_tokens stays for it.
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 4000 });
  });

  it('without a client limit, max_tokens is the thinking budget plus room for the answer', () => {
    const unlimited = { ...turn, maxOutputTokens: null, reasoning: { budgetTokens: 10_000, effort: null } };
    const body = anthropicTurnCodec.encodeRequest(unlimited, opts());
    expect(body.max_tokens).toBe(10_000 + 8192);
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 10_000 });
  });
});

describe('Anthropic client → Chat provider (request)', () => {
  const turn = anthropicTurnCodec.decodeRequest(claudeCodeBody, null);

  it('sends one leading system message, tool calls and tool messages, and tool images as image parts', () => {
    const body = openAiChatTurnCodec.encodeRequest(turn, opts());
    const messages = body.messages as Record<string, unknown>[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'tool', 'user']);
    expect(messages[0]!.content).toBe(
      "You are Claude Code, Anthropic's official CLI for Claude.\n\nWorking directory: /repo",
    );
    expect(messages[1]!.content).toBe(
      '<system-reminder>ctx</system-reminder>\nRead a.ts and take a screenshot',
    );
    expect(messages[2]).toEqual({
      role: 'assistant',
      content: 'Reading it.',
      tool_calls: [
        { id: 'toolu_01A', type: 'function', function: { name: 'Read', arguments: '{"file_path":"a.ts"}' } },
        { id: 'toolu_01B', type: 'function', function: { name: 'Screenshot', arguments: '{}' } },
      ],
    });
    expect(messages[3]).toEqual({ role: 'tool', tool_call_id: 'toolu_01A', content: 'export const a = 1;' });
    expect(messages[4]!.tool_call_id).toBe('toolu_01B');
    expect(messages[4]!.content).toContain('Screenshot taken');
    expect(messages[4]!.content).not.toContain(PNG);
    const follow = messages[5]!.content as Record<string, unknown>[];
    expect(follow).toContainEqual({ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } });
    expect(follow.at(-1)).toEqual({ type: 'text', text: 'Now explain.' });
  });

  it('maps tools, tool_choice, parallel calls, reasoning, user and usage options', () => {
    const body = openAiChatTurnCodec.encodeRequest(turn, opts({ maxOutputTokens: 8192 }));
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'Read',
          description: 'Reads a file',
          parameters: claudeCodeBody.tools[0]!.input_schema,
        },
      },
      {
        type: 'function',
        function: {
          name: 'Screenshot',
          description: 'Takes a screenshot',
          parameters: { type: 'object', properties: {} },
        },
      },
    ]);
    expect(body.tool_choice).toBe('auto');
    expect(body.parallel_tool_calls).toBe(false);
    // The shared budget↔effort table (turn/effort.ts) decides the level.
    expect(body.reasoning_effort).toBe(effortForBudget(10000));
    expect(body.max_tokens).toBe(8192);
    expect(body.user).toBe('user_abc_session_1');
    expect(body.stream_options).toEqual({ include_usage: true });
    // Thinking is never replayed as visible text, and as reasoning_content only when asked.
    expect(JSON.stringify(body)).not.toContain('I should read the file.');
    const replayed = openAiChatTurnCodec.encodeRequest(turn, opts({ replayReasoning: true }));
    const assistant = (replayed.messages as Record<string, unknown>[])[2]!;
    expect(assistant.reasoning_content).toBe('I should read the file.');
  });

  it('sends no tool_choice when there are no tools, and the named tool form otherwise', () => {
    const none = openAiChatTurnCodec.encodeRequest(
      { ...turn, tools: [], toolChoice: { type: 'any' } },
      opts(),
    );
    expect(none.tool_choice).toBeUndefined();
    expect(none.tools).toBeUndefined();
    const named = openAiChatTurnCodec.encodeRequest(
      { ...turn, toolChoice: { type: 'tool', name: 'Read' } },
      opts(),
    );
    expect(named.tool_choice).toEqual({ type: 'function', function: { name: 'Read' } });
    const any = openAiChatTurnCodec.encodeRequest({ ...turn, toolChoice: { type: 'any' } }, opts());
    expect(any.tool_choice).toBe('required');
  });

  it('fits long or foreign tool ids within 40 characters, the same way in the call and its result', () => {
    const long = `toolu_vrtx_${'x'.repeat(50)}`;
    const body = anthropicTurnCodec.decodeRequest(
      {
        model: 'm',
        max_tokens: 10,
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: long, name: 'Read', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: long, content: 'ok' }] },
        ],
      },
      null,
    );
    const chat = openAiChatTurnCodec.encodeRequest(body, opts()).messages as Record<string, unknown>[];
    const id = (chat[0]!.tool_calls as { id: string }[])[0]!.id;
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    expect(chat[1]!.tool_call_id).toBe(id);
  });

  it('sends documents as Chat file parts', () => {
    const withPdf = anthropicTurnCodec.decodeRequest(
      {
        model: 'm',
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'document',
                source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
                title: 'spec.pdf',
              },
              { type: 'text', text: 'Summarise' },
            ],
          },
        ],
      },
      null,
    );
    const chat = openAiChatTurnCodec.encodeRequest(withPdf, opts()).messages as Record<string, unknown>[];
    expect(chat[0]!.content).toEqual([
      { type: 'file', file: { filename: 'spec.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
      { type: 'text', text: 'Summarise' },
    ]);
  });
});
