import { describe, expect, it } from 'vitest';
import { literalValue } from '../../../src/formats/common/lazy-json';
import { openAiChatAdapter } from '../../../src/formats/openai-chat';
import { plainDelta } from '../../../src/formats/openai-chat/observer';
import { anthropicAdapter } from '../../../src/formats/anthropic';
import { textDelta } from '../../../src/formats/anthropic/observer';
import { openAiResponsesAdapter } from '../../../src/formats/openai-responses';
import type { FormatAdapter } from '../../../src/formats';
import { fixtures, type Fixture } from '../../support/fixtures';
import { decodeFrames } from './harness';

describe('lazy JSON reads', () => {
  it('decodes string literals, escapes included, and refuses invalid ones', () => {
    expect(literalValue('"hi"')).toBe('hi');
    expect(literalValue('"a\\"b\\\\"')).toBe('a"b\\');
    expect(literalValue('"\\u00e9\\n"')).toBe('é\n');
    expect(literalValue('"\\x"')).toBeNull();
  });

  it('reads plain chat deltas in the shapes providers send, and nothing else', () => {
    const openai =
      '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","service_tier":"default","system_fingerprint":null,"choices":[{"index":0,"delta":{"content":"a"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"x"}';
    expect(plainDelta(openai)).toEqual({ id: 'c', model: 'm', text: 'a' });
    expect(plainDelta(openai.replace('"finish_reason":null', '"finish_reason":"stop"'))).toBeNull();
    expect(plainDelta(openai.replace('"usage":null', '"usage":{"total_tokens":1}'))).toBeNull();
    expect(plainDelta(openai.replace('{"content":"a"}', '{"content":"a","tool_calls":[]}'))).toBeNull();
    expect(plainDelta(openai.replace('"created":1,', '"created":1, '))).toBeNull();
    expect(plainDelta(openai.replace('"content":"a"', '"content":"a\u0001"'))).toBeNull();
  });
});

/** Facts after each event, read as the relay reads them (lazy where it can) and by a full parse every time. */
function bothWays(adapter: FormatAdapter, events: { event: string | undefined; data: string }[]): void {
  const lazy = adapter.createObserver();
  const full = adapter.createObserver();
  for (const e of events) {
    const kindLazy = lazy.observeEvent(e.event, e.data);
    let parsed: unknown;
    try {
      parsed = JSON.parse(e.data);
    } catch {
      parsed = undefined;
    }
    // observeJson never takes a lazy path; for events whose name is their `type` it reads the same.
    const kindFull = parsed === undefined ? full.observeEvent(e.event, e.data) : full.observeJson(parsed);
    expect({ kind: kindLazy, facts: lazy.facts }, e.data).toEqual({ kind: kindFull, facts: full.facts });
  }
}

function events(f: Fixture): { event: string | undefined; data: string }[] {
  return decodeFrames(f.sse.toString('utf8')).filter((e) => !e.data.startsWith('[DONE]'));
}

describe('lazy reads learn exactly what a full parse learns', () => {
  it.each(fixtures('openai_chat').map((f) => [f.name, f] as const))('chat fixture %s', (_n, f) => {
    bothWays(openAiChatAdapter, events(f));
  });
  it.each(fixtures('anthropic').map((f) => [f.name, f] as const))('anthropic fixture %s', (_n, f) => {
    bothWays(anthropicAdapter, events(f));
  });
  it.each(fixtures('responses').map((f) => [f.name, f] as const))('responses fixture %s', (_n, f) => {
    bothWays(openAiResponsesAdapter, events(f));
  });

  it('takes the lazy path for the common chat delta shapes', () => {
    const real = fixtures('openai_chat').flatMap((f) => events(f).map((e) => e.data));
    const lazy = real.filter((d) => plainDelta(d) !== null);
    expect(lazy.length).toBeGreaterThan(10);
    const anthropic = fixtures('anthropic').flatMap((f) => events(f).map((e) => e.data));
    expect(anthropic.filter((d) => textDelta(d) !== null).length).toBeGreaterThan(10);
  });

  it("takes it for Azure's alphabetical chunks too, their filter verdicts and all", () => {
    const azure = fixtures('openai_chat').find((f) => f.name.startsWith('azure-'))!;
    const deltas = events(azure)
      .map((e) => e.data)
      // The opening chunk's delta lists role after content (alphabetical): that one gets the full parse.
      .filter((d) => d.includes('"delta":{"content":"') && !d.includes('"role"'));
    expect(deltas.length).toBeGreaterThan(10);
    for (const d of deltas) {
      expect(plainDelta(d), d).toEqual({
        id: 'chatcmpl-DPTJDcpU38gpauDwhl0FmP7yBQe2H',
        model: 'gpt-4.1-mini-2025-04-14',
        text: (JSON.parse(d) as { choices: { delta: { content: string } }[] }).choices[0]!.delta.content,
      });
    }
  });

  const chat = (choices: string, extra = ''): string =>
    `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[${choices}]${extra}}`;
  // Azure sorts members: choices first, then created, id, model, obfuscation, object.
  const azure = (choice: string, extra = ''): string =>
    `{"choices":[${choice}],"created":1,"id":"chatcmpl-a","model":"gpt-x"${extra},"obfuscation":"q","object":"chat.completion.chunk"}`;
  const tricky: [string, string][] = [
    ['escaped text', chat('{"index":0,"delta":{"content":"a\\"b\\u00e9\\n"},"finish_reason":null}')],
    ['content null', chat('{"index":0,"delta":{"content":null},"finish_reason":null}')],
    ['empty content with role', chat('{"index":0,"delta":{"role":"assistant","content":""}}')],
    ['two choices', chat('{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}}')],
    ['choice 1 only', chat('{"index":1,"delta":{"content":"b"}}')],
    ['finish in the same chunk', chat('{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}')],
    ['usage in the same chunk', chat('{"index":0,"delta":{"content":"a"}}', ',"usage":{"prompt_tokens":3}')],
    ['usage null', chat('{"index":0,"delta":{"content":"a"}}', ',"usage":null')],
    ['error beside', chat('{"index":0,"delta":{"content":"a"}}', ',"error":{"message":"x"}')],
    ['delta null, content outside', chat('{"index":0,"delta":null,"content":"x"}')],
    ['content after delta closed', chat('{"index":0,"delta":{},"content":"x"}')],
    ['content of message', chat('{"index":0,"message":{"content":"x"}}')],
    ['tool call', chat('{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}')],
    ['reasoning', chat('{"index":0,"delta":{"content":"","reasoning":"r"}}')],
    ['key lookalike in text', chat('{"index":0,"delta":{"content":"\\"usage\\":{\\"x\\":1}"}}')],
    ['raw control char', chat('{"index":0,"delta":{"content":"a\u0001"}}')],
    ['no id', '{"choices":[{"index":0,"delta":{"content":"a"}}]}'],
    ['padded', ` ${chat('{"index":0,"delta":{"content":"a"}}')}`],
    [
      'azure order',
      azure('{"content_filter_results":{"hate":{"filtered":false}},"delta":{"content":"a"},"index":0}'),
    ],
    [
      'azure, empty verdicts',
      azure('{"content_filter_results":{},"delta":{"content":"a"},"finish_reason":null}'),
    ],
    [
      'azure, id twice',
      azure('{"delta":{"content":"a"}}', ',"id":"again"').replace('{"choices"', '{"id":"first","choices"'),
    ],
    ['azure, finish', azure('{"content_filter_results":{},"delta":{"content":"a"},"finish_reason":"stop"}')],
    [
      'azure, verdict nested deeper',
      azure('{"content_filter_results":{"x":{"y":{"z":1}}},"delta":{"content":"a"}}'),
    ],
    [
      'azure, verdict escapes',
      azure('{"content_filter_results":{"x":{"y":"a\\"b"}},"delta":{"content":"a"}}'),
    ],
    [
      'azure, model after usage',
      azure('{"delta":{"content":"a"}}').replace(',"model"', ',"usage":{"total_tokens":1},"model"'),
    ],
    ['azure, bad id literal', azure('{"delta":{"content":"a"}}').replace('"id":"chatcmpl-a"', '"id":"\\x"')],
  ];
  it.each(tricky)('chat: %s', (_name, data) => {
    bothWays(openAiChatAdapter, [{ event: undefined, data }]);
  });

  it.each([
    ['plain', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi \\"x\\""}}'],
    ['thinking', '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"t"}}'],
    [
      'json',
      '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"a\\""}}',
    ],
    ['empty text', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}}'],
  ])('anthropic delta: %s', (_name, data) => {
    bothWays(anthropicAdapter, [{ event: 'content_block_delta', data }]);
  });

  it.each([
    ['plain', '{"type":"response.output_text.delta","item_id":"m","output_index":0,"delta":"a\\nb"}'],
    ['empty', '{"type":"response.output_text.delta","delta":""}'],
    ['delta not a string', '{"type":"response.output_text.delta","delta":5}'],
  ])('responses delta: %s', (_name, data) => {
    bothWays(openAiResponsesAdapter, [{ event: 'response.output_text.delta', data }]);
  });
});
