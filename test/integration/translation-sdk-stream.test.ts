import { describe, expect, it } from 'vitest';
import {
  API_FORMAT,
  CLIENT_MODEL,
  UPSTREAM_MODEL,
  WIRES,
  clientStop,
  clientUsage,
  deepSeekStream,
  fixture,
  knownIds,
  observe,
  rowAfter,
  runClient,
  useForeign,
  stopKindOf,
  type Wire,
} from '../support/translation-rig';

/**
 * Every direction, streaming: each provider format answers with recorded streams (plus a DeepSeek-style
 * Chat stream with reasoning_content and cache hits), and the official SDK of each other format reads
 * them through Sluice. The client must get the facts the upstream's own observer reads from the
 * recorded bytes (text, reasoning, tool calls with their arguments, stop reason as the client's own,
 * usage in the client's convention), and the usage row records the upstream's numbers, normalised.
 */

/** Recorded streams each provider format answers with (complete ones; errors are in translation-errors). */
const UPSTREAM_STREAMS: Record<Wire, { name: string; sse: () => Buffer | string }[]> = {
  chat: [
    'gpt-4.1-nano-text-include-usage',
    'gpt-3.5-turbo-tool-call',
    'gpt-3.5-turbo-parallel-tool-calls',
    'gpt-5-nano-reasoning-tokens',
    'azure-gpt-4.1-mini-emoji-content-filter',
  ]
    .map((name): { name: string; sse: () => Buffer | string } => ({
      name,
      sse: () => fixture('chat', name).sse,
    }))
    .concat([
      { name: 'synthetic deepseek reasoning, text, tool call, cache hits', sse: () => deepSeekStream() },
    ]),
  responses: [
    'gpt-4o-text',
    'gpt-4o-function-call',
    'gpt-5-function-call-reasoning-tokens',
    'reasoning-summary-text',
  ].map((name) => ({ name, sse: () => fixture('responses', name).sse })),
  messages: [
    'claude-haiku-4.5-text',
    'claude-haiku-4.5-text-emoji',
    'claude-3.5-sonnet-text-and-two-tool-use',
    'claude-haiku-4.5-parallel-tool-use-empty-input',
    'claude-haiku-4.5-thinking-signature',
    'claude-haiku-4.5-thinking-then-tool-use',
    'claude-3.5-sonnet-cache-read',
  ].map((name) => ({ name, sse: () => fixture('messages', name).sse })),
  gemini: [
    'gemini-2.0-flash-text-degree-sign',
    'gemini-2.0-flash-parallel-function-calls',
    'gemini-2.0-flash-max-tokens-reframed',
    'gemini-2.5-flash-text-thoughts-usage',
    'gemini-thinking-thought-parts',
    'gemini-3-pro-function-call-thought-signature',
    'mock-utf8-cjk',
  ].map((name) => ({ name, sse: () => fixture('gemini', name).sse })),
};

const parse = (s: string): unknown => JSON.parse(s.length > 0 ? s : '{}') as unknown;

for (const provider of WIRES) {
  describe(`streams from a ${provider} provider`, () => {
    const foreign = useForeign(provider);

    for (const client of WIRES.filter((w) => w !== provider)) {
      for (const upstream of UPSTREAM_STREAMS[provider]) {
        it(`${client} client ← ${provider}: ${upstream.name}`, async () => {
          const sse = upstream.sse();
          const src = observe(API_FORMAT[provider], sse);
          expect(src.completed, 'the upstream stream itself is complete').toBe(true);
          foreign.answer({ stream: sse });
          const before = knownIds(foreign.sluice);
          const sent = foreign.up.requests.length;

          const got = await runClient(client, foreign.sluice.url, true);

          // The provider was asked for a stream, in its own format.
          expect(foreign.up.requests.length).toBe(sent + 1);
          expect(foreign.up.requests.at(-1)!.url).toMatch(
            {
              chat: /^\/v1\/chat\/completions$/,
              responses: /^\/v1\/responses$/,
              messages: /^\/v1\/messages$/,
              gemini: /^\/v1beta\/models\/up-model:streamGenerateContent\?alt=sse$/,
            }[provider],
          );

          expect(got.text).toBe(src.text);
          expect(got.thinking).toBe(src.thinking);
          expect(got.calls.map((c) => [c.name, c.args])).toEqual(
            src.toolCalls.map((c) => [c.name, parse(c.arguments)]),
          );
          if (client !== 'gemini') {
            for (const [i, call] of got.calls.entries()) {
              // Ids are kept (they fit every target's limits); a Gemini call has none, so one is made.
              const srcId = src.toolCalls[i]!.id;
              if (srcId !== null) expect(call.id).toBe(srcId);
              else expect(call.id).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
            }
          }
          expect(got.stop).toBe(clientStop(client, stopKindOf(src)));
          if (src.usage.outputTokens !== null)
            expect(got.usage).toMatchObject(clientUsage(client, src.usage));

          const row = await rowAfter(foreign.sluice, before);
          expect(row).toMatchObject({
            status: 'completed',
            httpStatus: 200,
            format: API_FORMAT[client],
            model: CLIENT_MODEL,
            upstreamModel: UPSTREAM_MODEL,
            provider: `p-${provider}`,
            stream: true,
          });
          if (src.usage.outputTokens !== null) {
            expect(row.inputTokens ?? 0).toBe(src.usage.inputTokens ?? 0);
            expect(row.cacheReadTokens ?? 0).toBe(src.usage.cacheReadTokens ?? 0);
            expect(row.outputTokens).toBe(src.usage.outputTokens);
            expect(row.reasoningTokens ?? 0).toBe(src.usage.reasoningTokens ?? 0);
          }
        });
      }
    }
  });
}

describe('the usage conventions, spelled out (DeepSeek-style Chat provider → Anthropic client)', () => {
  const foreign = useForeign('chat');

  it('input_tokens excludes the cached tokens that prompt_tokens counted; cache reads have their own field', async () => {
    foreign.answer({ stream: deepSeekStream('Let me look that up.') });
    const got = await runClient('messages', foreign.sluice.url, true);
    expect(got.thinking).toBe('The user wants the weather.');
    expect(got.text).toBe('Let me look that up.');
    expect(got.calls).toEqual([{ id: 'call_ds_0001', name: 'get_weather', args: { location: 'Paris' } }]);
    // The turn had text before the call: still a tool stop.
    expect(got.stop).toBe('tool_use');
    expect(got.usage).toMatchObject({ input_tokens: 20, cache_read_input_tokens: 100, output_tokens: 40 });
  });

  it('a Gemini client sees promptTokenCount with the cache inside it and thoughts beside the candidates', async () => {
    foreign.answer({ stream: deepSeekStream() });
    const got = await runClient('gemini', foreign.sluice.url, true);
    expect(got.usage).toMatchObject({
      promptTokenCount: 120,
      cachedContentTokenCount: 100,
      candidatesTokenCount: 25,
      thoughtsTokenCount: 15,
    });
    expect(got.stop).toBe('STOP');
  });
});
