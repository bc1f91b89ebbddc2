import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream, type RecordedRequest } from '../support/fake-upstream';
import { post } from '../support/fault-upstream';
import { startSluice, type TestSluice } from '../support/sluice';
import {
  CLIENT_SECRETS,
  UPSTREAM_MODEL,
  WIRES,
  deepSeekStream,
  fixture,
  jsonReply,
  providerKey,
  providerOf,
  runClient,
  sseReply,
  startForeign,
  useForeign,
  upstreamPath,
  wantsStream,
  wholeTextTurn,
  type Wire,
} from '../support/translation-rig';

/**
 * What a provider of another format receives: its own path (`alt=sse` for a Gemini stream), its own key
 * in its own vendor's header and never the client's, no other vendor's headers, a body in its format
 * with the mapped model, the system prompt hoisted where its format keeps it, tools in its shape. Also
 * which providers join a request's chain, and that a native request is still relayed byte for byte.
 */

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => v as Json;

/** The vendor header prefixes that must not reach a provider of `wire`. */
const FOREIGN_PREFIXES: Record<Wire, string[]> = {
  chat: ['anthropic-', 'x-goog-'],
  responses: ['anthropic-', 'x-goog-'],
  messages: ['openai-', 'x-goog-'],
  gemini: ['anthropic-', 'openai-'],
};

/** The credential header a provider of `wire` authenticates with, and the value it must hold. */
const AUTH: Record<Wire, [string, string]> = {
  chat: ['authorization', `Bearer ${providerKey('chat')}`],
  responses: ['authorization', `Bearer ${providerKey('responses')}`],
  messages: ['x-api-key', providerKey('messages')],
  gemini: ['x-goog-api-key', providerKey('gemini')],
};
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key'];

/** The text of a system field in whatever shape a format keeps it. */
function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(textOf).join('\n');
  if (v !== null && typeof v === 'object') {
    const o = v as Json;
    if (typeof o.text === 'string') return o.text;
    if (o.parts !== undefined) return textOf(o.parts);
    if (o.content !== undefined) return textOf(o.content);
  }
  return '';
}

/** Checks the headers a translated request carried to a provider of `wire`. */
function expectHeaders(wire: Wire, rec: RecordedRequest): void {
  const [name, value] = AUTH[wire];
  expect(rec.headers[name]).toBe(value);
  for (const h of CREDENTIAL_HEADERS.filter((h) => h !== name)) expect(rec.headers[h], h).toBeUndefined();
  for (const [h, v] of Object.entries(rec.headers)) {
    for (const prefix of FOREIGN_PREFIXES[wire]) expect(h.startsWith(prefix), `header ${h}`).toBe(false);
    for (const secret of CLIENT_SECRETS) expect(String(v), `header ${h}`).not.toContain(secret);
  }
  expect(rec.url).not.toMatch(/key=/);
}

/** Checks the body: the provider's format, the mapped model, the system prompt where the format keeps it, the tool. */
function expectBody(wire: Wire, rec: RecordedRequest, stream: boolean): void {
  const body = obj(rec.json);
  expect(rec.body).not.toContain('client-model');
  const system = 'You are a coding agent.';
  switch (wire) {
    case 'chat': {
      expect(body.model).toBe(UPSTREAM_MODEL);
      expect(body.stream ?? false).toBe(stream);
      if (stream) expect(body.stream_options).toMatchObject({ include_usage: true });
      const messages = body.messages as Json[];
      expect(messages[0]!.role).toBe('system');
      expect(textOf(messages[0]!.content)).toContain(system);
      expect(messages.slice(1).map((m) => m.role)).not.toContain('system');
      expect(messages.at(-1)).toMatchObject({ role: 'user' });
      expect(textOf(messages.at(-1)!.content)).toBe('What is the weather in Paris and Oslo?');
      expect(body.tools).toEqual([
        expect.objectContaining({
          type: 'function',
          function: expect.objectContaining({ name: 'get_weather', parameters: expect.any(Object) }),
        }),
      ]);
      break;
    }
    case 'responses': {
      expect(body.model).toBe(UPSTREAM_MODEL);
      expect(body.stream ?? false).toBe(stream);
      expect(String(body.instructions)).toContain(system);
      const input = (
        Array.isArray(body.input) ? body.input : [{ role: 'user', content: body.input }]
      ) as Json[];
      expect(input.map((i) => i.role)).not.toContain('system');
      expect(JSON.stringify(input)).toContain('What is the weather in Paris and Oslo?');
      expect(body.tools).toEqual([expect.objectContaining({ type: 'function', name: 'get_weather' })]);
      break;
    }
    case 'messages': {
      expect(body.model).toBe(UPSTREAM_MODEL);
      expect(body.stream ?? false).toBe(stream);
      expect(typeof body.max_tokens).toBe('number');
      expect(textOf(body.system)).toContain(system);
      const messages = body.messages as Json[];
      expect(messages.map((m) => m.role)).toEqual(['user']);
      expect(body.tools).toEqual([
        expect.objectContaining({ name: 'get_weather', input_schema: expect.any(Object) }),
      ]);
      break;
    }
    case 'gemini': {
      expect(body.model).toBeUndefined();
      expect(textOf(body.systemInstruction)).toContain(system);
      const contents = body.contents as Json[];
      expect(contents.map((c) => c.role)).toEqual(['user']);
      const decls = (body.tools as Json[]).flatMap((t) => (t.functionDeclarations ?? []) as Json[]);
      expect(decls.map((d) => d.name)).toEqual(['get_weather']);
      // Gemini's OpenAPI subset answers 400 for these: cleaned away.
      expect(JSON.stringify(decls)).not.toMatch(/additionalProperties|\$schema/);
      break;
    }
  }
}

for (const provider of WIRES) {
  describe(`what a ${provider} provider receives`, () => {
    const foreign = useForeign(provider);
    beforeAll(() => {
      foreign.answer({ whole: wholeTextTurn(provider) });
    });

    for (const client of WIRES.filter((w) => w !== provider)) {
      for (const stream of [true, false]) {
        it(`from a ${client} client, ${stream ? 'streaming' : 'not streaming'}`, async () => {
          // The answer is irrelevant here; the stream one comes from the provider's own fixtures.
          foreign.answer({
            whole: wholeTextTurn(provider),
            stream: {
              chat: () => deepSeekStream(),
              responses: () => fixture('responses', 'gpt-4o-text').sse,
              messages: () => fixture('messages', 'claude-haiku-4.5-text').sse,
              gemini: () => fixture('gemini', 'gemini-2.0-flash-text-degree-sign').sse,
            }[provider](),
          });
          const sent = foreign.up.requests.length;
          await runClient(client, foreign.sluice.url, stream);
          expect(foreign.up.requests.length).toBe(sent + 1);
          const rec = foreign.up.requests.at(-1)!;
          expect(rec.method).toBe('POST');
          expect(rec.url).toBe(upstreamPath(provider, stream));
          expect(wantsStream(rec)).toBe(stream);
          expectHeaders(provider, rec);
          expectBody(provider, rec, stream);
        });
      }
    }

    if (provider === 'messages') {
      it('an Anthropic provider gets the anthropic-version its API requires, whoever the client', async () => {
        await runClient('chat', foreign.sluice.url, false);
        expect(foreign.up.requests.at(-1)!.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      });
    }
  });
}

/** A Claude Code-like request: system blocks with cache control, a tool-use turn and its result, thinking. */
const claudeCodeBody = (model: string, stream = true): string =>
  JSON.stringify({
    model,
    max_tokens: 32000,
    stream,
    thinking: { type: 'enabled', budget_tokens: 4096 },
    system: [
      { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
      { type: 'text', text: 'Use the tools to answer.', cache_control: { type: 'ephemeral' } },
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
    ],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Read a.txt' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_01AbCdEf', name: 'Read', input: { file_path: 'a.txt' } }],
      },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 'toolu_01AbCdEf', content: 'hello from a.txt' }],
      },
    ],
  });

const CLAUDE_HEADERS = {
  'x-api-key': 'sk-ant-client-secret',
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
  'user-agent': 'claude-cli/2.0.0 (external, cli)',
};

describe('Claude Code on a Chat provider (models: { "claude-x": "deepseek-chat" })', () => {
  let up: FakeUpstream;
  let sluice: TestSluice;
  beforeAll(async () => {
    up = await new FakeUpstream((rec) =>
      wantsStream(rec) ? sseReply(deepSeekStream()) : jsonReply(wholeTextTurn('chat')),
    ).start();
    sluice = await startSluice({
      providers: [
        {
          id: 'deepseek',
          kind: 'openai',
          baseUrl: `${up.url}/v1`,
          apiKey: 'sk-deepseek-provider',
          formats: ['chat'],
          models: { 'claude-x': 'deepseek-chat' },
          maxOutputTokens: 8192,
        },
      ],
    });
  });
  afterAll(async () => {
    await sluice.close();
    await up.close();
  });

  it('sends one leading system message, the tool turn as tool_calls and a tool message, the mapped model, clamped max tokens', async () => {
    const res = await post(sluice.url, '/v1/messages', claudeCodeBody('claude-x'), CLAUDE_HEADERS);
    expect(res.status).toBe(200);
    const rec = up.requests.at(-1)!;
    expect(rec.url).toBe('/v1/chat/completions');
    expect(rec.headers.authorization).toBe('Bearer sk-deepseek-provider');
    expect(rec.headers['x-api-key']).toBeUndefined();
    expect(rec.headers['anthropic-beta']).toBeUndefined();
    expect(rec.headers['anthropic-version']).toBeUndefined();
    expect(rec.body).not.toContain('sk-ant-client-secret');

    const body = obj(rec.json);
    expect(body.model).toBe('deepseek-chat');
    expect(body.stream).toBe(true);
    expect(body.max_tokens ?? body.max_completion_tokens).toBe(8192);
    const messages = body.messages as Json[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    const system = textOf(messages[0]!.content);
    expect(system).toContain("You are Claude Code, Anthropic's official CLI for Claude.");
    expect(system).toContain('Use the tools to answer.');
    expect(system.indexOf('You are Claude Code')).toBeLessThan(system.indexOf('Use the tools'));
    expect(messages[2]!.tool_calls).toEqual([
      {
        id: 'toolu_01AbCdEf',
        type: 'function',
        function: { name: 'Read', arguments: JSON.stringify({ file_path: 'a.txt' }) },
      },
    ]);
    expect(messages[3]).toMatchObject({ role: 'tool', tool_call_id: 'toolu_01AbCdEf' });
    expect(textOf(messages[3]!.content)).toBe('hello from a.txt');
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: expect.objectContaining({
          name: 'Read',
          description: 'Reads a file',
          parameters: expect.objectContaining({ properties: { file_path: { type: 'string' } } }),
        }),
      },
    ]);
  });

  it('a model the provider does not map is not sent to it (no native provider: nothing serves it)', async () => {
    const sent = up.requests.length;
    const res = await post(sluice.url, '/v1/messages', claudeCodeBody('claude-unmapped'), CLAUDE_HEADERS);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(JSON.parse(res.text)).toMatchObject({ type: 'error', error: { type: expect.any(String) } });
    expect(up.requests.length).toBe(sent);
  });
});

describe('Chat clients with a system message mid-list', () => {
  const clientBody = JSON.stringify({
    model: 'client-model',
    stream: false,
    messages: [
      { role: 'system', content: 'First rule.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'system', content: 'Second rule.' },
      { role: 'user', content: 'go on' },
    ],
  });

  for (const provider of ['messages', 'gemini', 'responses'] as const) {
    it(`a ${provider} provider gets both rules hoisted, in order, and a history without system turns`, async () => {
      const foreign = await startForeign(provider);
      try {
        foreign.answer({ whole: wholeTextTurn(provider) });
        const res = await post(foreign.sluice.url, '/v1/chat/completions', clientBody, {
          authorization: 'Bearer sk-client-secret',
        });
        expect(res.status).toBe(200);
        expect(JSON.parse(res.text)).toMatchObject({
          object: 'chat.completion',
          choices: [{ message: { role: 'assistant', content: 'Bonjour, le monde: déjà vu ✓' } }],
        });
        const body = obj(foreign.up.requests.at(-1)!.json);
        const system = textOf(
          { messages: body.system, gemini: body.systemInstruction, responses: body.instructions }[provider],
        );
        expect(system).toMatch(/First rule\.[\s\S]*Second rule\./);
        const history = (
          provider === 'gemini' ? body.contents : provider === 'messages' ? body.messages : body.input
        ) as Json[];
        const roles = history.map((m) => m.role);
        expect(roles).toEqual(
          provider === 'gemini' ? ['user', 'model', 'user'] : ['user', 'assistant', 'user'],
        );
        expect(JSON.stringify(history)).not.toContain('rule.');
      } finally {
        await foreign.close();
      }
    });
  }
});

describe('which providers join a request of another format', () => {
  let native: FakeUpstream;
  let chat: FakeUpstream;
  let sluice: TestSluice;
  beforeAll(async () => {
    native = await new FakeUpstream(() => sseReply(fixture('messages', 'claude-haiku-4.5-text').sse)).start();
    chat = await new FakeUpstream((rec) =>
      wantsStream(rec) ? sseReply(deepSeekStream()) : jsonReply(wholeTextTurn('chat')),
    ).start();
    sluice = await startSluice({
      providers: [
        // Listed first at the same priority: the native provider still goes first.
        {
          ...providerOf('chat', chat.url),
          id: 'chat-mapped',
          models: { 'claude-native-1': 'deepseek-chat', 'claude-sonnet-x': 'deepseek-chat' },
        },
        {
          id: 'native',
          kind: 'anthropic',
          baseUrl: native.url,
          apiKey: 'key-native',
          allowModels: ['claude-native-*'],
        },
      ],
    });
  });
  afterAll(async () => {
    await sluice.close();
    await native.close();
    await chat.close();
  });

  it('at the same priority the native provider serves first', async () => {
    const res = await post(sluice.url, '/v1/messages', claudeCodeBody('claude-native-1'), CLAUDE_HEADERS);
    expect(res.status).toBe(200);
    expect(res.body.equals(fixture('messages', 'claude-haiku-4.5-text').sse)).toBe(true);
    expect(native.requests).toHaveLength(1);
    expect(chat.requests).toHaveLength(0);
  });

  it("when the native provider's allowModels excludes the model, the mapped foreign provider serves it", async () => {
    const res = await post(sluice.url, '/v1/messages', claudeCodeBody('claude-sonnet-x'), CLAUDE_HEADERS);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    expect(res.text).toContain('event: message_start');
    expect(chat.requests).toHaveLength(1);
    expect(obj(chat.requests[0]!.json).model).toBe('deepseek-chat');
    expect(native.requests).toHaveLength(1);
  });

  it('a "*" entry in models maps any model for a provider of another format', async () => {
    const up = await new FakeUpstream(() => jsonReply(wholeTextTurn('gemini'))).start();
    const s = await startSluice({
      providers: [{ ...providerOf('gemini', up.url), models: { '*': 'gemini-2.5-flash' } }],
    });
    try {
      const res = await post(s.url, '/v1/messages', claudeCodeBody('claude-anything', false), CLAUDE_HEADERS);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toMatchObject({
        type: 'message',
        content: [{ type: 'text', text: 'Bonjour, le monde: déjà vu ✓' }],
      });
      expect(up.requests.at(-1)!.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    } finally {
      await s.close();
      await up.close();
    }
  });
});

describe('the relay path is untouched', () => {
  it('a Chat request to a provider that speaks Chat goes out and comes back byte for byte', async () => {
    const foreign = await startForeign('chat');
    try {
      const sse = fixture('chat', 'gpt-4.1-nano-text-include-usage').sse;
      foreign.answer({ stream: sse });
      // Odd spacing and key order a re-encoder would not keep; an unmapped model, so nothing is rewritten.
      const body =
        '{ "messages" : [ {"content":"hi","role":"user"} ],\n "model":"gpt-native", "stream" :true, "stream_options": {"include_usage":true}, "x_extra": {"b":1,"a":2} }';
      const res = await post(foreign.sluice.url, '/v1/chat/completions', body, {
        authorization: 'Bearer sk-client-secret',
      });
      expect(res.status).toBe(200);
      expect(res.body.equals(sse)).toBe(true);
      const rec = foreign.up.requests.at(-1)!;
      expect(rec.url).toBe('/v1/chat/completions');
      expect(rec.body).toBe(body);
      expect(rec.headers.authorization).toBe(`Bearer ${providerKey('chat')}`);
    } finally {
      await foreign.close();
    }
  });
});
