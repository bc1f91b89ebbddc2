import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { SettingsSchema } from '../../src/shared/settings';
import { ScriptedUpstream, pairProviders, post, type RawResponse } from '../support/fault-upstream';
import { anthropicKit, chatKit } from '../support/format-kits';
import { attemptsOf } from '../support/failover-pair';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * Issue #14 item 2: after an outage, the single half-open probe's verdict is known at its first
 * content, so its slot is released then (not when its stream ends); and when the recovering provider
 * is the only candidate, a request is sent to it rather than answered 503 "probe in flight".
 */

const SETTINGS = {
  circuitRecoveryMs: 300,
  circuitMaxRecoveryMs: 1_000,
  circuitConsecutiveFailures: 2,
  maxAttempts: 1,
  retryBaseDelayMs: 5,
  firstByteTimeoutMs: 2_000,
};
const settings = SettingsSchema.parse(SETTINGS);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const fail500 = { status: 500, headers: { 'content-type': 'application/json' }, chunks: ['{}'] };

/** The kit's stream, split after its first content so the rest comes `tailMs` later. */
function slowTail(
  kit: typeof anthropicKit,
  text: string,
  tailMs: number,
): { chunks: string[]; delayMs: number } {
  const whole = kit.stream(text);
  const head = kit.head(text);
  return { chunks: [head, whole.slice(head.length)], delayMs: tailMs };
}

describe('one provider after an outage', () => {
  let up: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    up = await new ScriptedUpstream().start();
    sluice = await startSluice({
      providers: [
        { id: 'solo', kind: 'anthropic', baseUrl: up.url, apiKey: 'key-solo' },
        { id: 'solo-oa', kind: 'openai', baseUrl: `${up.url}/v1`, apiKey: 'key-oa' },
      ],
      settings: SETTINGS,
    });
  });
  afterAll(async () => {
    await sluice.close();
    await up.close();
  });
  beforeEach(() => {
    sluice.app.gateway.health.reset();
  });

  async function openThenWait(send: () => Promise<RawResponse>, id: string): Promise<void> {
    up.script = () => fail500;
    for (let i = 0; i < 2; i++) expect((await send()).status).toBe(500);
    expect(sluice.app.gateway.health.view(id, settings).state).toBe('open');
    await sleep(350);
    expect(sluice.app.gateway.health.view(id, settings).state).toBe('half-open');
  }

  const sendAnthropic = (): Promise<RawResponse> =>
    post(sluice.url, anthropicKit.path('m'), anthropicKit.body('m'), anthropicKit.headers);

  it('sends concurrent requests to the only candidate while its probe streams (no 503 probe_in_flight)', async () => {
    await openThenWait(sendAnthropic, 'solo');
    up.script = () => slowTail(anthropicKit, 'back', 600);
    const all = await Promise.all([sendAnthropic(), sendAnthropic(), sendAnthropic()]);
    expect(all.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const r of all) expect(r.text).toBe(anthropicKit.stream('back'));
    expect(sluice.app.gateway.health.view('solo', settings).state).toBe('closed');
  });

  it('three official SDK clients stream through while the provider recovers', async () => {
    await openThenWait(sendAnthropic, 'solo');
    up.script = () => slowTail(anthropicKit, 'recovered', 500);
    const client = new Anthropic({ baseURL: sluice.url, apiKey: 'sk-ant-client', maxRetries: 0 });
    const stream = async (): Promise<string> => {
      const s = await client.messages.create({
        model: 'm',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      });
      let text = '';
      for await (const e of s)
        if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') text += e.delta.text;
      return text;
    };
    expect(await Promise.all([stream(), stream(), stream()])).toEqual([
      'recovered',
      'recovered',
      'recovered',
    ]);
  });

  it('the same with the openai SDK (Chat Completions)', async () => {
    const sendChat = (): Promise<RawResponse> =>
      post(sluice.url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    await openThenWait(sendChat, 'solo-oa');
    up.script = () => slowTail(chatKit, 'recovered', 500);
    const client = new OpenAI({ baseURL: `${sluice.url}/v1`, apiKey: 'sk-client', maxRetries: 0 });
    const stream = async (): Promise<string> => {
      const s = await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      for await (const c of s) text += c.choices[0]?.delta.content ?? '';
      return text;
    };
    expect(await Promise.all([stream(), stream(), stream()])).toEqual([
      'recovered',
      'recovered',
      'recovered',
    ]);
  });
});

describe('the half-open probe releases its slot at its first content', () => {
  let a: ScriptedUpstream;
  let b: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    a = await new ScriptedUpstream().start();
    b = await new ScriptedUpstream(() => ({ chunks: [chatKit.stream('from B')] })).start();
    sluice = await startSluice({ providers: pairProviders(a, b), settings: { ...SETTINGS, maxAttempts: 2 } });
  });
  afterAll(async () => {
    await sluice.close();
    await a.close();
    await b.close();
  });

  const sendChat = (): Promise<RawResponse> =>
    post(sluice.url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);

  it('closes the circuit when the probe commits, so the next request goes to the recovered provider', async () => {
    sluice.app.gateway.health.reset();
    a.script = () => fail500;
    for (let i = 0; i < 2; i++) expect((await sendChat()).text).toBe(chatKit.stream('from B'));
    expect(sluice.app.gateway.health.view('openai-a', settings).state).toBe('open');
    await sleep(350);
    a.script = () => slowTail(chatKit, 'from A', 2_000);
    const before = a.requests.length;
    const probe = sendChat();
    // The probe's first content has reached the client once A has been asked and the circuit closed.
    await expect.poll(() => a.requests.length).toBe(before + 1);
    await expect.poll(() => sluice.app.gateway.health.view('openai-a', settings).state).toBe('closed');
    const next = await sendChat();
    expect(next.text).toBe(chatKit.stream('from A'));
    const { attempts } = await attemptsOf(sluice, next);
    expect(attempts.map((x) => [x.provider, x.outcome])).toEqual([['openai-a', 'committed']]);
    expect((await probe).text).toBe(chatKit.stream('from A'));
    const v = sluice.app.gateway.health.view('openai-a', settings);
    // The probe's success is counted once, at its commit: not again when its stream ends.
    expect(v).toMatchObject({ state: 'closed', failures: 0, samples: 2 });
  });

  it('a probe cut after its commit still counts against the provider once', async () => {
    sluice.app.gateway.health.reset();
    a.script = () => fail500;
    for (let i = 0; i < 2; i++) await sendChat();
    await sleep(350);
    a.script = () => ({ chunks: [chatKit.head('partial')], then: 'cut' });
    const res = await sendChat();
    expect(res.status).toBe(200);
    const v = sluice.app.gateway.health.view('openai-a', settings);
    expect(v).toMatchObject({ state: 'closed', samples: 2, failures: 1 });
  });
});
