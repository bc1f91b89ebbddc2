import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { FakeUpstream, type FakeReply, type RecordedRequest } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';
import { timedPost } from '../support/timed-post';

/**
 * Issue #14 item 6. Sluice asks a Chat upstream for usage the client did not ask for
 * (`stream_options.include_usage`) and takes its traces out again. The stripping matched compact JSON
 * only: a provider that writes `"choices": []` with a space leaked the usage-only chunk to a client
 * that never asked for it (naive `choices[0]` code crashes on it). And an OpenAI-compatible provider
 * that rejects `stream_options` could not be used for streams: `injectStreamUsage: false` turns the
 * injection off for it, per attempt.
 */

const head = (content: string): Record<string, unknown> => ({
  id: 'c1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
});

/** A Chat stream in a provider's own spacing (`json` stringifies each chunk), with usage when asked. */
function chatStream(withUsage: boolean, json: (v: unknown) => string): string {
  const chunk = (c: Record<string, unknown>): string =>
    `data: ${json(withUsage ? { ...c, usage: null } : c)}\n\n`;
  const finish = { ...head(''), choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
  const usage = withUsage
    ? `data: ${json({ ...head(''), choices: [], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } })}\n\n`
    : '';
  return `${chunk(head('Hal'))}${chunk(head('lo'))}${chunk(finish)}${usage}data: [DONE]\n\n`;
}

/** JSON as some providers write it: a space after every colon and comma. */
const spaced = (v: unknown): string => JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ');

const asked = (r: RecordedRequest): boolean =>
  (r.json as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage === true;

const request = (model: string): string =>
  JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] });

describe('injected usage, by structure and per provider', () => {
  let spacedUp: FakeUpstream;
  let strict: FakeUpstream;
  let failing: FakeUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    // Writes usage (spaced JSON) when asked for it.
    spacedUp = await new FakeUpstream((r): FakeReply => ({ chunks: [chatStream(asked(r), spaced)] })).start();
    // Rejects stream_options, as some OpenAI-compatible servers do.
    strict = await new FakeUpstream((r): FakeReply =>
      (r.json as Record<string, unknown>).stream_options === undefined
        ? { chunks: [chatStream(false, JSON.stringify)] }
        : {
            status: 400,
            headers: { 'content-type': 'application/json' },
            chunks: ['{"error":{"message":"Unrecognized request argument supplied: stream_options"}}'],
          },
    ).start();
    failing = await new FakeUpstream((): FakeReply => ({
      status: 503,
      headers: { 'content-type': 'application/json' },
      chunks: ['{"error":{"message":"busy"}}'],
    })).start();
    sluice = await startSluice({
      providers: [
        {
          id: 'spaced',
          kind: 'openai',
          baseUrl: `${spacedUp.url}/v1`,
          priority: 1,
          allowModels: ['spaced-*'],
        },
        {
          id: 'strict',
          kind: 'openai',
          baseUrl: `${strict.url}/v1`,
          priority: 1,
          allowModels: ['strict-*', 'back-*'],
          injectStreamUsage: false,
        },
        // Fails first for `then-*` (then `spaced` serves) and `back-*` (then `strict` serves).
        {
          id: 'failing-off',
          kind: 'openai',
          baseUrl: `${failing.url}/v1`,
          priority: 0,
          allowModels: ['then-*'],
          injectStreamUsage: false,
        },
        {
          id: 'failing-on',
          kind: 'openai',
          baseUrl: `${failing.url}/v1`,
          priority: 0,
          allowModels: ['back-*'],
        },
        {
          id: 'spaced-too',
          kind: 'openai',
          baseUrl: `${spacedUp.url}/v1`,
          priority: 1,
          allowModels: ['then-*'],
        },
      ],
      settings: { circuitMinSamples: 1000, circuitConsecutiveFailures: 1000 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await Promise.all([spacedUp.close(), strict.close(), failing.close()]);
  });

  it('takes out a usage-only chunk and "usage": null written with spaces', async () => {
    const res = await timedPost(sluice.url, '/v1/chat/completions', request('spaced-1'));
    const body = res.body.toString();
    expect(asked(spacedUp.requests.at(-1)!)).toBe(true);
    expect(body).not.toContain('usage');
    expect(body).toBe(chatStream(false, spaced));
    const row = await sluice.row((r) => r.model === 'spaced-1');
    expect(row.status).toBe('completed');
    expect(row.outputTokens).toBe(4);
    expect(row.usageProvenance).toBe('reported');
  });

  it('gives the openai SDK no chunk without choices when it did not ask for usage', async () => {
    const client = new OpenAI({ baseURL: `${sluice.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'spaced-2',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    // Naive client code, as in many tools: every chunk is taken to have a choice.
    for await (const chunk of stream) text += chunk.choices[0]!.delta.content ?? '';
    expect(text).toBe('Hallo');
  });

  it('injectStreamUsage: false sends no stream_options and strips nothing', async () => {
    const res = await timedPost(sluice.url, '/v1/chat/completions', request('strict-1'));
    expect(res.status).toBe(200);
    expect((strict.requests.at(-1)!.json as Record<string, unknown>).stream_options).toBeUndefined();
    expect(res.body.toString()).toBe(chatStream(false, JSON.stringify));
    const row = await sluice.row((r) => r.model === 'strict-1');
    expect(row.status).toBe('completed');
    expect(row.usageProvenance).toBe('estimated');
  });

  it('decides per attempt: off for the provider that fails, on for the one that serves', async () => {
    const before = failing.requests.length;
    const res = await timedPost(sluice.url, '/v1/chat/completions', request('then-1'));
    expect(asked(failing.requests[before]!)).toBe(false);
    expect(asked(spacedUp.requests.at(-1)!)).toBe(true);
    expect(res.body.toString()).toBe(chatStream(false, spaced));
    expect((await sluice.row((r) => r.model === 'then-1')).outputTokens).toBe(4);
  });

  it('decides per attempt: on for the provider that fails, off for the one that serves', async () => {
    const before = failing.requests.length;
    const res = await timedPost(sluice.url, '/v1/chat/completions', request('back-1'));
    expect(asked(failing.requests[before]!)).toBe(true);
    expect((strict.requests.at(-1)!.json as Record<string, unknown>).stream_options).toBeUndefined();
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(chatStream(false, JSON.stringify));
  });
});
