import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import type { ApiFormat } from '../../../src/shared/api-format';
import {
  decodeMessage,
  firstContentOffset,
  type RawFrame,
} from '../../../src/renderer/src/features/inspector/decode-message';
import { fixtures, type Fixture } from '../../support/fixtures';

function frames(sse: Buffer): RawFrame[] {
  const out: RawFrame[] = [];
  const parser = createParser({ onEvent: (e) => out.push({ event: e.event ?? null, data: e.data }) });
  parser.feed(sse.toString('utf8'));
  return out;
}

type Expected = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Expected[] => (Array.isArray(v) ? (v as Expected[]) : []);

/** Per folder: the format, and the expected text / thinking / tool calls in the fixture's own words. */
const FOLDERS: {
  folder: Fixture['folder'];
  format: ApiFormat;
  thinking: string;
  calls: (e: Expected) => { name: string; args: string }[];
}[] = [
  {
    folder: 'anthropic',
    format: 'anthropic',
    thinking: 'thinking',
    calls: (e) => list(e.tool_calls).map((c) => ({ name: str(c.name), args: str(c.arguments) })),
  },
  {
    folder: 'openai_chat',
    format: 'openai-chat',
    thinking: 'reasoning_content',
    calls: (e) => list(e.tool_calls).map((c) => ({ name: str(c.name), args: str(c.arguments) })),
  },
  {
    folder: 'responses',
    format: 'openai-responses',
    thinking: 'reasoning_summary',
    calls: (e) => list(e.function_calls).map((c) => ({ name: str(c.name), args: str(c.arguments) })),
  },
  {
    folder: 'gemini',
    format: 'gemini',
    thinking: 'thought_text',
    calls: (e) => list(e.function_calls).map((c) => ({ name: str(c.name), args: str(c.args_json) })),
  },
];

describe('decodeMessage on recorded streams', () => {
  for (const { folder, format, thinking, calls } of FOLDERS) {
    for (const f of fixtures(folder)) {
      it(`${folder}/${f.name}`, () => {
        const m = decodeMessage(format, frames(f.sse));
        const e = f.meta.expected;
        expect(m.text).toBe(str(e.text));
        expect(m.thinking).toBe(str(e[thinking]));
        // Arguments compare as JSON values: whitespace inside them is the provider's, not ours to judge.
        const asValue = (args: string): unknown => (args === '' ? '' : (JSON.parse(args) as unknown));
        expect(m.toolCalls.map((c) => ({ name: c.name, args: asValue(c.args) }))).toEqual(
          calls(e).map((w) => ({ name: w.name, args: asValue(w.args) })),
        );
      });
    }
  }
});

describe('decodeMessage on whole bodies', () => {
  it('reads non-streaming answers of every format', () => {
    const anthropic = decodeMessage('anthropic', [
      {
        event: null,
        data: JSON.stringify({
          type: 'message',
          model: 'claude-x',
          stop_reason: 'tool_use',
          content: [
            { type: 'thinking', thinking: 'hmm' },
            { type: 'text', text: 'Hi' },
            { type: 'tool_use', id: 't1', name: 'get', input: { a: 1 } },
          ],
        }),
      },
    ]);
    expect(anthropic).toMatchObject({
      text: 'Hi',
      thinking: 'hmm',
      stopReason: 'tool_use',
      model: 'claude-x',
    });
    expect(anthropic.toolCalls).toEqual([{ id: 't1', name: 'get', args: '{"a":1}' }]);

    const chat = decodeMessage('openai-chat', [
      {
        event: null,
        data: JSON.stringify({
          model: 'gpt-x',
          choices: [
            {
              finish_reason: 'tool_calls',
              message: {
                content: 'ok',
                tool_calls: [{ id: 'c1', function: { name: 'f', arguments: '{}' } }],
              },
            },
          ],
        }),
      },
    ]);
    expect(chat).toMatchObject({ text: 'ok', stopReason: 'tool_calls' });
    expect(chat.toolCalls).toEqual([{ id: 'c1', name: 'f', args: '{}' }]);

    const responses = decodeMessage('openai-responses', [
      {
        event: null,
        data: JSON.stringify({
          object: 'response',
          status: 'completed',
          output: [
            { type: 'reasoning', summary: [{ text: 'why' }] },
            { type: 'message', content: [{ type: 'output_text', text: 'Paris' }] },
            { type: 'function_call', id: 'fc1', call_id: 'call1', name: 'g', arguments: '{"x":2}' },
          ],
        }),
      },
    ]);
    expect(responses).toMatchObject({ text: 'Paris', thinking: 'why', stopReason: 'completed' });
    expect(responses.toolCalls).toEqual([{ id: 'call1', name: 'g', args: '{"x":2}' }]);

    expect(
      decodeMessage('anthropic', [
        { event: null, data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}' },
      ]).error,
    ).toBe('Overloaded');
    expect(decodeMessage('gemini', [{ event: null, data: 'not json' }]).text).toBe('');
  });

  it('finds the first frame that carries content', () => {
    const fs = [
      { offsetMs: 10, event: 'message_start', data: '{"type":"message_start","message":{"model":"m"}}' },
      { offsetMs: 12, event: 'ping', data: '{"type":"ping"}' },
      {
        offsetMs: 40,
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}',
      },
    ];
    expect(firstContentOffset('anthropic', fs)).toBe(40);
    expect(firstContentOffset('anthropic', fs.slice(0, 2))).toBeNull();
  });

  it('shows what the observers keep apart: refusals, full reasoning, server tools, a blocked prompt', () => {
    const responses = decodeMessage('openai-responses', [
      {
        event: 'response.reasoning_text.delta',
        data: '{"type":"response.reasoning_text.delta","delta":"think"}',
      },
      { event: 'response.refusal.delta', data: '{"type":"response.refusal.delta","delta":"No."}' },
    ]);
    expect(responses).toMatchObject({ text: 'No.', thinking: 'think' });

    const anthropic = decodeMessage('anthropic', [
      {
        event: 'content_block_start',
        data: '{"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"s1","name":"web_search","input":{}}}',
      },
      {
        event: 'content_block_delta',
        data: '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"q\\":1}"}}',
      },
    ]);
    expect(anthropic.toolCalls).toEqual([{ id: 's1', name: 'web_search', args: '{"q":1}' }]);

    const gemini = decodeMessage('gemini', [
      { event: null, data: '{"promptFeedback":{"blockReason":"SAFETY"}}' },
    ]);
    expect(gemini.stopReason).toBe('blocked: SAFETY');
  });
});
