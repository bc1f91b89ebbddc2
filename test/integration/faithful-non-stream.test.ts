import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { DEFAULT_SETTINGS, SettingsSchema } from '../../src/shared/settings';
import { ScriptedUpstream, pairProviders, post, type RawResponse } from '../support/fault-upstream';
import { attemptsOf } from '../support/failover-pair';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * Issue #14 item 1: a non-streaming answer sends its headers only when the whole answer is ready, so
 * the first-byte timeout must not apply to it. A slow non-streaming generation is served by the
 * provider that accepted it (never retried elsewhere, each retry paid for), is not a health failure,
 * and is bounded by its own `nonStreamTimeoutMs`, whose end is a 504, not a failover.
 */

const SETTINGS = {
  firstByteTimeoutMs: 300,
  idleTimeoutMs: 2_000,
  retryBaseDelayMs: 5,
  retryMaxDelayMs: 10,
  // One health failure would open the circuit: a slow answer must leave it closed.
  circuitConsecutiveFailures: 1,
};
const settings = SettingsSchema.parse(SETTINGS);
const SLOW_MS = 1_500;

interface NonStreamKit {
  name: string;
  kind: 'openai' | 'anthropic' | 'gemini';
  path: string;
  body: string;
  headers: Record<string, string>;
  answer: (text: string) => string;
}

const KITS: NonStreamKit[] = [
  {
    name: 'openai-chat',
    kind: 'openai',
    path: '/v1/chat/completions',
    body: JSON.stringify({ model: 'm-test', messages: [{ role: 'user', content: 'hi' }] }),
    headers: { authorization: 'Bearer sk-client' },
    answer: (text) =>
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-test',
        choices: [
          { index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 },
      }),
  },
  {
    name: 'openai-responses',
    kind: 'openai',
    path: '/v1/responses',
    body: JSON.stringify({ model: 'm-test', input: 'hi' }),
    headers: { authorization: 'Bearer sk-client' },
    answer: (text) =>
      JSON.stringify({
        id: 'resp_1',
        object: 'response',
        created_at: 1,
        status: 'completed',
        model: 'gpt-test',
        error: null,
        output: [
          {
            id: 'msg_1',
            type: 'message',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text, annotations: [] }],
          },
        ],
        usage: { input_tokens: 11, output_tokens: 3, total_tokens: 14 },
      }),
  },
  {
    name: 'anthropic',
    kind: 'anthropic',
    path: '/v1/messages',
    body: JSON.stringify({ model: 'm-test', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }),
    headers: { 'x-api-key': 'sk-ant-client', 'anthropic-version': '2023-06-01' },
    answer: (text) =>
      JSON.stringify({
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-test',
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 11, output_tokens: 3 },
      }),
  },
  {
    name: 'gemini',
    kind: 'gemini',
    path: '/v1beta/models/m-test:generateContent',
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    headers: { 'x-goog-api-key': 'client-key' },
    answer: (text) =>
      JSON.stringify({
        candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 11, candidatesTokenCount: 3, totalTokenCount: 14 },
        modelVersion: 'gemini-test',
      }),
  },
];

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('non-streaming requests are not held to the first-byte timeout', () => {
  let a: ScriptedUpstream;
  let b: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    a = await new ScriptedUpstream().start();
    b = await new ScriptedUpstream().start();
    sluice = await startSluice({ providers: pairProviders(a, b), settings: SETTINGS });
  });
  afterAll(async () => {
    await sluice.close();
    await a.close();
    await b.close();
  });
  beforeEach(() => {
    sluice.app.gateway.health.reset();
  });

  it('defaults nonStreamTimeoutMs to ten minutes', () => {
    expect(DEFAULT_SETTINGS.nonStreamTimeoutMs).toBe(600_000);
  });

  describe.each(KITS)('$name', (kit) => {
    const send = (): Promise<RawResponse> => post(sluice.url, kit.path, kit.body, kit.headers);

    it('serves a non-stream answer slower than firstByteTimeoutMs from the provider that took it', async () => {
      a.script = () => ({ headersDelayMs: SLOW_MS, headers: JSON_HEADERS, chunks: [kit.answer('slow A')] });
      b.script = () => ({ headers: JSON_HEADERS, chunks: [kit.answer('from B')] });
      const bBefore = b.requests.length;
      const res = await send();
      expect(res.status).toBe(200);
      expect(res.text).toBe(kit.answer('slow A'));
      expect(res.headers['x-sluice-attempts']).toBe('1');
      expect(b.requests.length).toBe(bBefore);
      const { row, attempts } = await attemptsOf(sluice, res);
      expect(row).toMatchObject({ status: 'completed', provider: `${kit.kind}-a`, httpStatus: 200 });
      expect(attempts.map((x) => x.outcome)).toEqual(['committed']);
      const view = sluice.app.gateway.health.view(`${kit.kind}-a`, settings);
      expect(view).toMatchObject({ state: 'closed', failures: 0 });
    });

    it('waits for a body that comes long after the headers', async () => {
      a.script = () => ({ firstDelayMs: SLOW_MS, headers: JSON_HEADERS, chunks: [kit.answer('late body')] });
      const res = await send();
      expect(res.status).toBe(200);
      expect(res.text).toBe(kit.answer('late body'));
      expect(res.headers['x-sluice-attempts']).toBe('1');
    });

    it('still fails over when the provider fails (a 503) rather than being slow', async () => {
      a.script = () => ({ status: 503, headers: JSON_HEADERS, chunks: ['{}'] });
      b.script = () => ({ headers: JSON_HEADERS, chunks: [kit.answer('from B')] });
      const res = await send();
      expect(res.status).toBe(200);
      expect(res.text).toBe(kit.answer('from B'));
      expect(res.headers['x-sluice-attempts']).toBe('2');
    });
  });

  it('keeps the first-byte timeout for count_tokens (not a generation): a silent provider is passed over', async () => {
    a.script = () => ({ headersDelayMs: SLOW_MS, headers: JSON_HEADERS, chunks: ['{"input_tokens":1}'] });
    b.script = () => ({ headers: JSON_HEADERS, chunks: ['{"input_tokens":2}'] });
    const res = await post(
      sluice.url,
      '/v1/messages/count_tokens',
      JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
    );
    expect(res.text).toBe('{"input_tokens":2}');
  });

  describe('through the official SDKs (a slow non-stream create)', () => {
    it('openai chat.completions.create', async () => {
      a.script = () => ({
        headersDelayMs: SLOW_MS,
        headers: JSON_HEADERS,
        chunks: [KITS[0]!.answer('slow A')],
      });
      b.script = () => ({ headers: JSON_HEADERS, chunks: [KITS[0]!.answer('from B')] });
      const client = new OpenAI({ baseURL: `${sluice.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
      const out = await client.chat.completions.create({
        model: 'm-test',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(out.choices[0]?.message.content).toBe('slow A');
    });

    it('openai responses.create', async () => {
      a.script = () => ({
        headersDelayMs: SLOW_MS,
        headers: JSON_HEADERS,
        chunks: [KITS[1]!.answer('slow A')],
      });
      b.script = () => ({ headers: JSON_HEADERS, chunks: [KITS[1]!.answer('from B')] });
      const client = new OpenAI({ baseURL: `${sluice.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
      const out = await client.responses.create({ model: 'm-test', input: 'hi' });
      expect(out.output_text).toBe('slow A');
    });

    it('anthropic messages.create', async () => {
      a.script = () => ({
        headersDelayMs: SLOW_MS,
        headers: JSON_HEADERS,
        chunks: [KITS[2]!.answer('slow A')],
      });
      b.script = () => ({ headers: JSON_HEADERS, chunks: [KITS[2]!.answer('from B')] });
      const client = new Anthropic({ baseURL: sluice.url, apiKey: 'sk-ant-client', maxRetries: 0 });
      const out = await client.messages.create({
        model: 'm-test',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(out.content[0]).toMatchObject({ type: 'text', text: 'slow A' });
    });

    it('@google/genai generateContent', async () => {
      a.script = () => ({
        headersDelayMs: SLOW_MS,
        headers: JSON_HEADERS,
        chunks: [KITS[3]!.answer('slow A')],
      });
      b.script = () => ({ headers: JSON_HEADERS, chunks: [KITS[3]!.answer('from B')] });
      const ai = new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: sluice.url } });
      const out = await ai.models.generateContent({ model: 'm-test', contents: 'hi' });
      expect(out.text).toBe('slow A');
    });
  });
});

describe('nonStreamTimeoutMs bounds a non-streaming answer', () => {
  let a: ScriptedUpstream;
  let b: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    a = await new ScriptedUpstream().start();
    b = await new ScriptedUpstream(() => ({
      headers: JSON_HEADERS,
      chunks: [KITS[0]!.answer('from B')],
    })).start();
    sluice = await startSluice({
      providers: [
        ...pairProviders(a, b),
        // Only `own-*` models reach this one: an Anthropic provider with its own, shorter bound.
        {
          id: 'anthropic-own',
          kind: 'anthropic',
          baseUrl: a.url,
          apiKey: 'key-own',
          priority: 0,
          allowModels: ['own-*'],
          nonStreamTimeoutMs: 400,
        },
      ],
      settings: { ...SETTINGS, nonStreamTimeoutMs: 2_000 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await a.close();
    await b.close();
  });

  it('answers 504 when the provider takes longer, without trying another or blaming its health', async () => {
    a.script = () => ({
      headersDelayMs: 5_000,
      headers: JSON_HEADERS,
      chunks: [KITS[0]!.answer('too late')],
    });
    const bBefore = b.requests.length;
    const started = performance.now();
    const res = await post(sluice.url, KITS[0]!.path, KITS[0]!.body, KITS[0]!.headers);
    const took = performance.now() - started;
    expect(res.status).toBe(504);
    // undici's timers tick coarsely (about a second): the bound is met within that.
    expect(took).toBeGreaterThanOrEqual(1_950);
    expect(took).toBeLessThan(3_500);
    expect(b.requests.length).toBe(bBefore);
    expect(res.headers['x-sluice-attempts']).toBe('1');
    const { row, attempts } = await attemptsOf(sluice, res);
    expect(row).toMatchObject({ status: 'failed', httpStatus: 504 });
    expect(attempts.map((x) => x.reason)).toEqual([expect.stringMatching(/^non_stream_timeout/)]);
    expect(sluice.app.gateway.health.view('openai-a', settings)).toMatchObject({
      state: 'closed',
      failures: 0,
    });
  });

  it("applies a provider's own nonStreamTimeoutMs", async () => {
    a.script = () => ({ headersDelayMs: 5_000, headers: JSON_HEADERS, chunks: ['{}'] });
    const started = performance.now();
    const res = await post(
      sluice.url,
      '/v1/messages',
      JSON.stringify({ model: 'own-model', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
      { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
    );
    const took = performance.now() - started;
    expect(res.status).toBe(504);
    expect(took).toBeGreaterThanOrEqual(350);
    expect(took).toBeLessThan(1_800); // its own 400 ms (ticking coarsely), not the global 2 s
  });
});
