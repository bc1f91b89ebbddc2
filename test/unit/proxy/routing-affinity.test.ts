import { describe, expect, it } from 'vitest';
import { AffinityBook } from '../../../src/main/proxy/affinity';
import { anthropicAdapter } from '../../../src/formats/anthropic';
import { adapterFor } from '../../../src/formats';
import type { ApiFormat } from '../../../src/shared/api-format';
import { CONVERSATION_TEXT_MAX_CHARS } from '../../../src/formats/common/conversation';

const adapter = (format: ApiFormat) => adapterFor(format);

describe('affinity book', () => {
  it('keeps the provider and key of the last turn, lapses after the quiet ttl, moves with the provider', () => {
    let now = 1_000;
    const book = new AffinityBook(() => now);
    book.served('conv', 'a', 'fp-1');
    expect(book.get('conv', 60_000)?.provider).toBe('a');
    expect(book.keyFor('conv', 'a')).toBe('fp-1');
    book.served('conv', 'a'); // same provider, key unknown this time: the key stays
    expect(book.keyFor('conv', 'a')).toBe('fp-1');
    book.served('conv', 'b');
    expect(book.keyFor('conv', 'b')).toBeUndefined();
    expect(book.keyFor('conv', 'a')).toBeUndefined();
    now += 59_999;
    expect(book.get('conv', 60_000)?.provider).toBe('b');
    now += 1;
    expect(book.get('conv', 60_000)).toBeNull();
    expect(book.size).toBe(0);
    book.served('x', 'a');
    expect(book.get('x', 0)).toBeNull(); // 0 = off
  });

  it('holds at most its cap, forgetting the conversation served longest ago', () => {
    const book = new AffinityBook(() => 0, 3);
    for (const c of ['1', '2', '3']) book.served(c, 'a');
    book.served('1', 'a'); // 1 is fresh again
    book.served('4', 'a');
    expect(book.size).toBe(3);
    expect(book.get('2', 10)).toBeNull();
    expect(book.get('1', 10)).not.toBeNull();
  });
});

describe('conversation of each format', () => {
  const named = (material: string) => ({ material, follows: true });
  it("reads what the clients send: Claude Code's metadata.user_id, prompt_cache_key, Codex headers", () => {
    const user = { role: 'user', content: 'hi' };
    expect(
      anthropicAdapter.conversation({ metadata: { user_id: 'user_x_session_1' }, messages: [user] }, {}),
    ).toEqual(named('id:user_x_session_1'));
    expect(adapter('openai-chat').conversation({ prompt_cache_key: 'k1', messages: [user] }, {})).toEqual(
      named('id:k1'),
    );
    expect(adapter('openai-responses').conversation({ input: 'hi' }, { session_id: 's-9' })).toEqual(
      named('id:s-9'),
    );
    expect(adapter('openai-responses').conversation({ input: 'hi' }, { conversation_id: 'c-9' })).toEqual(
      named('id:c-9'),
    );
  });

  it('else the system prompt and first user message, the same on every later turn, which follow the first', () => {
    const turn1 = { system: 'be brief', messages: [{ role: 'user', content: 'q1' }] };
    const turn3 = {
      system: 'be brief',
      messages: [
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: 'a1' },
        { role: 'user', content: 'q2' },
      ],
    };
    const a = anthropicAdapter.conversation(turn1, {});
    expect(a?.follows).toBe(false);
    expect(anthropicAdapter.conversation(turn3, {})).toEqual({ material: a!.material, follows: true });
    expect(anthropicAdapter.conversation({ ...turn1, system: 'other' }, {})?.material).not.toBe(a!.material);
    const chat = adapter('openai-chat');
    const opening = [
      { role: 'system', content: 's' },
      { role: 'user', content: 'u' },
    ];
    expect(chat.conversation({ messages: [...opening, { role: 'assistant', content: 'x' }] }, {})).toEqual({
      material: chat.conversation({ messages: opening }, {})!.material,
      follows: true,
    });
    const responses = adapter('openai-responses');
    expect(responses.conversation({ input: [{ role: 'user', content: 'u' }] }, {})?.follows).toBe(false);
    expect(
      responses.conversation(
        { input: [{ role: 'user', content: 'u' }, { type: 'function_call_output' }] },
        {},
      )?.follows,
    ).toBe(true);
    const gemini = adapter('gemini');
    expect(gemini.conversation({ contents: [{ parts: [{ text: 'g' }] }] }, {})?.material).toContain('g');
    expect(
      gemini.conversation({ contents: [{ parts: [{ text: 'g' }] }, { role: 'model', parts: [] }] }, {})
        ?.follows,
    ).toBe(true);
    expect(gemini.conversation({ contents: [] }, {})).toBeNull();
  });

  it('reads a bounded opening however large the first message is', () => {
    const huge = 'x'.repeat(5_000_000);
    const started = performance.now();
    const ref = anthropicAdapter.conversation(
      { messages: [{ role: 'user', content: [{ type: 'text', text: huge }] }] },
      {},
    );
    expect(performance.now() - started).toBeLessThan(50);
    expect(ref!.material.length).toBeLessThanOrEqual(CONVERSATION_TEXT_MAX_CHARS + 5);
  });
});
