import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attemptsOf } from '../support/failover-pair';
import { FakeUpstream, type FakeReply } from '../support/fake-upstream';
import { post } from '../support/fault-upstream';
import { anthropicKit, chatKit, geminiKit, responsesKit, type FormatKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';
import {
  API_FORMAT,
  CLIENT_MODEL,
  UPSTREAM_MODEL,
  deepSeekStream,
  fixture,
  jsonReply,
  knownIds,
  observe,
  providerOf,
  rowAfter,
  runClient,
  sseReply,
  type Wire,
} from '../support/translation-rig';
import { anthropicGrammar, sseEvents } from '../unit/formats/turn/turn-harness';

/**
 * Failover across vendors: a native provider A fails before the first byte (a 503, or an error event
 * inside a 200 before any content), and a provider B of another format serves the same request,
 * translated. The client sees one clean stream in its own format, only B's; the usage row names B;
 * the attempts say A failed and B committed.
 */

const KIT: Record<Wire, FormatKit> = {
  chat: chatKit,
  responses: responsesKit,
  messages: anthropicKit,
  gemini: geminiKit,
};

interface Chain {
  a: FakeUpstream;
  b: FakeUpstream;
  sluice: TestSluice;
}

/** A native provider `a-<wire>` (priority 1) and a provider `b-<wire>` of another format (priority 2, `models` maps the request). */
function useChain(aWire: Wire, bWire: Wire, bAnswer: () => string | Buffer): Chain {
  const chain = {} as Chain;
  beforeAll(async () => {
    chain.a = await new FakeUpstream(() => jsonReply('{}', 500)).start();
    chain.b = await new FakeUpstream(() => sseReply(bAnswer())).start();
    chain.sluice = await startSluice({
      providers: [
        { ...providerOf(aWire, chain.a.url), id: `a-${aWire}`, models: {}, priority: 1, apiKey: 'key-a' },
        {
          ...providerOf(bWire, chain.b.url),
          id: `b-${bWire}`,
          models: { [CLIENT_MODEL]: UPSTREAM_MODEL, 'claude-x': 'deepseek-chat' },
          priority: 2,
          apiKey: 'key-b',
        },
      ],
    });
  });
  afterAll(async () => {
    await chain.sluice.close();
    await chain.a.close();
    await chain.b.close();
  });
  beforeEach(() => {
    chain.sluice.app.gateway.health.reset();
  });
  return chain;
}

/** How A fails before the first byte. */
const FAILURES: { name: string; reason: RegExp; reply: (kit: FormatKit) => FakeReply }[] = [
  {
    name: 'A answers 503',
    reason: /^http_status 503/,
    reply: (kit) => jsonReply(kit.jsonError('A is overloaded'), 503),
  },
  {
    name: 'A sends an error event inside a 200 before any content',
    reason: /^error_in_stream/,
    reply: (kit) => sseReply(kit.preamble() + kit.errorEvent('A is overloaded')),
  },
];

const CLAUDE_CODE_BODY = JSON.stringify({
  model: 'claude-x',
  max_tokens: 32000,
  stream: true,
  system: [{ type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." }],
  tools: [
    {
      name: 'get_weather',
      description: 'Weather of a city',
      input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
    },
  ],
  messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
});
const CLAUDE_HEADERS = {
  'x-api-key': 'sk-ant-client-secret',
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'claude-code-20250219',
  'user-agent': 'claude-cli/2.0.0 (external, cli)',
};

describe('Claude Code: Anthropic provider A fails, Chat provider B serves', () => {
  const chain = useChain('messages', 'chat', () => deepSeekStream('From B, in Paris:'));

  for (const failure of FAILURES) {
    it(`${failure.name}: one clean Anthropic stream from B (raw bytes)`, async () => {
      chain.a.reply = () => failure.reply(anthropicKit);
      const res = await post(chain.sluice.url, '/v1/messages', CLAUDE_CODE_BODY, CLAUDE_HEADERS);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(res.headers['x-sluice-attempts']).toBe('2');

      // One Anthropic message, well formed, nothing of A's in it.
      const names = anthropicGrammar(res.text);
      expect(names.filter((n) => n === 'message_start')).toHaveLength(1);
      expect(names).not.toContain('error');
      expect(res.text).not.toContain('A is overloaded');
      const events = sseEvents(res.body);
      const data = events.map((e) => JSON.parse(e.data) as Record<string, unknown>);
      expect(data.every((d) => d.type === events[data.indexOf(d)]!.event)).toBe(true);
      const facts = observe('anthropic', res.body);
      expect(facts.completed).toBe(true);
      expect(facts.text).toBe('From B, in Paris:');
      expect(facts.thinking).toBe('The user wants the weather.');
      expect(facts.toolCalls.map((c) => [c.id, c.name, JSON.parse(c.arguments) as unknown])).toEqual([
        ['call_ds_0001', 'get_weather', { location: 'Paris' }],
      ]);
      expect(facts.finishReason).toBe('tool_use');

      // B was sent the translated request with B's key, not the client's, nor Anthropic's headers.
      const toB = chain.b.requests.at(-1)!;
      expect(toB.url).toBe('/v1/chat/completions');
      expect(toB.headers.authorization).toBe('Bearer key-b');
      expect(toB.headers['x-api-key']).toBeUndefined();
      expect(toB.headers['anthropic-beta']).toBeUndefined();
      expect((toB.json as { model: string }).model).toBe('deepseek-chat');
      // A got the request as it was, with A's key.
      expect(chain.a.requests.at(-1)!.headers['x-api-key']).toBe('key-a');
      expect((chain.a.requests.at(-1)!.json as { model: string }).model).toBe('claude-x');

      const { row, attempts } = await attemptsOf(chain.sluice, res);
      expect(row).toMatchObject({
        status: 'completed',
        httpStatus: 200,
        format: 'anthropic',
        model: 'claude-x',
        provider: 'b-chat',
        upstreamModel: 'deepseek-chat',
        inputTokens: 20,
        cacheReadTokens: 100,
        outputTokens: 40,
        reasoningTokens: 15,
      });
      const real = attempts.filter((x) => x.outcome !== 'skipped');
      // Each attempt row says whether it was translated: A got the request as is, B in Chat.
      expect(real.map((x) => [x.provider, x.outcome, x.translatedTo])).toEqual([
        ['a-messages', 'failed', null],
        ['b-chat', 'committed', 'openai-chat'],
      ]);
      expect(real[0]!.reason).toMatch(failure.reason);
    });

    it(`${failure.name}: the Anthropic SDK's messages.stream().finalMessage() gets B's turn`, async () => {
      chain.a.reply = () => failure.reply(anthropicKit);
      const before = knownIds(chain.sluice);
      const got = await runClient('messages', chain.sluice.url, true);
      expect(got).toMatchObject({
        text: 'From B, in Paris:',
        thinking: 'The user wants the weather.',
        calls: [{ id: 'call_ds_0001', name: 'get_weather', args: { location: 'Paris' } }],
        stop: 'tool_use',
      });
      expect(got.streamedText).toBe('From B, in Paris:');
      // Anthropic's convention: input_tokens without the 100 cached tokens Chat's prompt_tokens counted.
      expect(got.usage).toMatchObject({ input_tokens: 20, cache_read_input_tokens: 100, output_tokens: 40 });
      const row = await rowAfter(chain.sluice, before);
      expect(row).toMatchObject({ status: 'completed', provider: 'b-chat', upstreamModel: UPSTREAM_MODEL });
      const attempts = chain.sluice.app.attempts
        .forRequest(row.requestId)
        .filter((x) => x.outcome !== 'skipped');
      expect(attempts.map((x) => [x.provider, x.outcome])).toEqual([
        ['a-messages', 'failed'],
        ['b-chat', 'committed'],
      ]);
    });
  }
});

/** Other clients, other vendors: each fails over from its native A to a B of another format. */
const MIXED: { client: Wire; b: Wire; answer: () => Buffer; fixture: [Wire, string] }[] = [
  {
    client: 'chat',
    b: 'messages',
    answer: () => fixture('messages', 'claude-3.5-sonnet-text-and-two-tool-use').sse,
    fixture: ['messages', 'claude-3.5-sonnet-text-and-two-tool-use'],
  },
  {
    client: 'gemini',
    b: 'responses',
    answer: () => fixture('responses', 'gpt-4o-function-call').sse,
    fixture: ['responses', 'gpt-4o-function-call'],
  },
  {
    client: 'responses',
    b: 'gemini',
    answer: () => fixture('gemini', 'gemini-2.0-flash-parallel-function-calls').sse,
    fixture: ['gemini', 'gemini-2.0-flash-parallel-function-calls'],
  },
  {
    client: 'messages',
    b: 'gemini',
    answer: () => fixture('gemini', 'gemini-thinking-thought-parts').sse,
    fixture: ['gemini', 'gemini-thinking-thought-parts'],
  },
];

for (const m of MIXED) {
  describe(`${m.client} client: native provider A fails, a ${m.b} provider B serves`, () => {
    const chain = useChain(m.client, m.b, m.answer);
    for (const failure of FAILURES) {
      it(`${failure.name}: the SDK gets only B's answer`, async () => {
        chain.a.reply = () => failure.reply(KIT[m.client]);
        const src = observe(API_FORMAT[m.fixture[0]], m.answer());
        const before = knownIds(chain.sluice);
        const got = await runClient(m.client, chain.sluice.url, true);
        expect(got.text).toBe(src.text);
        expect(got.thinking).toBe(src.thinking);
        expect(got.calls.map((c) => [c.name, c.args])).toEqual(
          src.toolCalls.map((c) => [c.name, JSON.parse(c.arguments || '{}') as unknown]),
        );
        expect(chain.a.requests.length).toBeGreaterThan(0);
        expect(chain.b.requests.at(-1)!.headers).not.toHaveProperty('x-api-key', 'sk-ant-client-secret');
        const row = await rowAfter(chain.sluice, before);
        expect(row).toMatchObject({
          status: 'completed',
          provider: `b-${m.b}`,
          upstreamModel: UPSTREAM_MODEL,
          outputTokens: src.usage.outputTokens,
        });
        const attempts = chain.sluice.app.attempts
          .forRequest(row.requestId)
          .filter((x) => x.outcome !== 'skipped');
        expect(attempts.map((x) => [x.provider, x.outcome, x.translatedTo])).toEqual([
          [`a-${m.client}`, 'failed', null],
          [`b-${m.b}`, 'committed', API_FORMAT[m.b]],
        ]);
        expect(attempts[0]!.reason).toMatch(failure.reason);
      });
    }
  });
}
