import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../src/shared/settings';
import type { LiveEvent } from '../../src/shared/live-events';
import type { AttemptRecord } from '../../src/shared/usage';
import {
  ScriptedUpstream,
  pairProviders,
  post,
  type RawResponse,
  type Script,
} from '../support/fault-upstream';
import { KITS, chatKit, type FormatKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';

/** Circuit breakers, half-open probes, Retry-After cooldowns and resets, seen through real requests. */

const SETTINGS = {
  circuitRecoveryMs: 300,
  circuitMaxRecoveryMs: 1_000,
  maxCooldownMs: 800,
  maxAttempts: 2,
  retryBaseDelayMs: 5,
  firstByteTimeoutMs: 2_000,
};
const settings = SettingsSchema.parse(SETTINGS);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const fail500: Script = { status: 500, headers: { 'content-type': 'application/json' }, chunks: ['{}'] };

describe('provider health', () => {
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
    a.script = () => ({ chunks: [chatKit.stream('from A')] });
    b.script = () => ({ chunks: [chatKit.stream('from B')] });
  });

  const view = (id: string): ReturnType<TestSluice['app']['gateway']['health']['view']> =>
    sluice.app.gateway.health.view(id, settings);

  async function attempts(res: RawResponse): Promise<AttemptRecord[]> {
    const id = String(res.headers['x-sluice-request-id']);
    await sluice.row((r) => r.requestId === id);
    return sluice.app.attempts.forRequest(id);
  }

  async function skipReason(res: RawResponse, provider: string): Promise<string | null> {
    const skipped = (await attempts(res)).find((x) => x.provider === provider && x.outcome === 'skipped');
    return skipped?.reason ?? null;
  }

  const sendChat = (): Promise<RawResponse> =>
    post(sluice.url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);

  /** Five requests whose A attempt fails (each served by B): A's circuit opens. */
  async function openA(): Promise<void> {
    a.script = () => fail500;
    for (let i = 0; i < 5; i++) expect((await sendChat()).text).toBe(chatKit.stream('from B'));
    expect(view('openai-a').state).toBe('open');
  }

  describe.each(KITS)('$format', (kit: FormatKit) => {
    it('opens the circuit after 5 consecutive failures and then skips the provider (circuit_open)', async () => {
      a.script = () => fail500;
      b.script = () => ({ chunks: [kit.stream('from B')] });
      const send = (): Promise<RawResponse> => post(sluice.url, kit.path('m'), kit.body('m'), kit.headers);
      const before = a.requests.length;
      for (let i = 0; i < 4; i++) await send();
      expect(view(`${kit.kind}-a`)).toMatchObject({ state: 'closed', consecutiveFailures: 4 });
      await send();
      expect(view(`${kit.kind}-a`).state).toBe('open');
      const events: LiveEvent[] = [];
      const unsubscribe = sluice.app.live.subscribe((batch) => events.push(...batch));
      const res = await send();
      expect(res.text).toBe(kit.stream('from B'));
      expect(res.headers['x-sluice-attempts']).toBe('1');
      expect(a.requests.length - before).toBe(5);
      expect(await skipReason(res, `${kit.kind}-a`)).toBe('circuit_open');
      const id = String(res.headers['x-sluice-request-id']);
      await expect
        .poll(() => events.find((e) => e.type === 'attempt-skipped' && e.requestId === id))
        .toMatchObject({ provider: `${kit.kind}-a`, reason: 'circuit_open' });
      unsubscribe();
    });
  });

  it('503 naming every provider and its open circuit when all are open', async () => {
    a.script = () => fail500;
    b.script = () => fail500;
    for (let i = 0; i < 5; i++) expect((await sendChat()).status).toBe(500);
    const before = [a.requests.length, b.requests.length];
    const res = await sendChat();
    expect(res.status).toBe(503);
    expect(res.headers['x-sluice-attempts']).toBe('0');
    const { error } = JSON.parse(res.text) as { error: { message: string } };
    expect(error.message).toMatch(/openai-a \(circuit_open\), openai-b \(circuit_open\)/);
    expect([a.requests.length, b.requests.length]).toEqual(before);
  });

  it('opens on the window ratio: 5 samples with ≥ 50 % failures, though never 2 in a row', async () => {
    let n = 0;
    a.script = () => (n++ % 2 === 0 ? fail500 : { chunks: [chatKit.stream('from A')] });
    const served: string[] = [];
    for (let i = 0; i < 4; i++) served.push((await sendChat()).text.includes('from A') ? 'A' : 'B');
    expect(served).toEqual(['B', 'A', 'B', 'A']);
    expect(view('openai-a')).toMatchObject({ state: 'closed', samples: 4, failures: 2 });
    await sendChat(); // the third failure of five samples
    expect(view('openai-a')).toMatchObject({ state: 'open', consecutiveFailures: 1 });
    const res = await sendChat();
    expect(await skipReason(res, 'openai-a')).toBe('circuit_open');
  });

  it('lets one probe through after circuitRecoveryMs (half-open); a concurrent request skips it; success closes', async () => {
    await openA();
    await sleep(350);
    expect(view('openai-a').state).toBe('half-open');
    a.script = () => ({ headersDelayMs: 1_000, chunks: [chatKit.stream('from A')] });
    const before = a.requests.length;
    const probe = sendChat();
    await expect.poll(() => a.requests.length).toBe(before + 1);
    const other = await sendChat();
    expect(other.text).toBe(chatKit.stream('from B'));
    expect(await skipReason(other, 'openai-a')).toBe('probe_in_flight');
    expect((await probe).text).toBe(chatKit.stream('from A'));
    expect(view('openai-a').state).toBe('closed');
    expect((await sendChat()).text).toBe(chatKit.stream('from A'));
  });

  it('a failed probe reopens the circuit for twice as long', async () => {
    await openA();
    await sleep(350);
    const before = a.requests.length;
    const res = await sendChat();
    expect(a.requests.length - before).toBe(1);
    expect(res.text).toBe(chatKit.stream('from B'));
    const v = view('openai-a');
    expect(v.state).toBe('open');
    expect(v.openForMs).toBeGreaterThan(300); // 600 ms: twice circuitRecoveryMs
    expect(v.openForMs).toBeLessThanOrEqual(600);
    expect(await skipReason(await sendChat(), 'openai-a')).toBe('circuit_open');
  });

  it('gateway.health.reset(id) closes the circuit at once', async () => {
    await openA();
    sluice.app.gateway.health.reset('openai-a');
    a.script = () => ({ chunks: [chatKit.stream('from A')] });
    expect(view('openai-a')).toMatchObject({ state: 'closed', samples: 0 });
    expect((await sendChat()).text).toBe(chatKit.stream('from A'));
  });

  it.each([429, 503, 529])(
    'Retry-After on %i puts the provider in cooldown, capped at maxCooldownMs',
    async (status) => {
      a.script = () => ({
        status,
        headers: { 'content-type': 'application/json', 'retry-after': '3600' },
        chunks: ['{}'],
      });
      expect((await sendChat()).text).toBe(chatKit.stream('from B'));
      const v = view('openai-a');
      expect(v.cooldownForMs).toBeGreaterThan(0);
      expect(v.cooldownForMs).toBeLessThanOrEqual(800);
      a.script = () => ({ chunks: [chatKit.stream('from A')] });
      const before = a.requests.length;
      const skipped = await sendChat();
      expect(skipped.text).toBe(chatKit.stream('from B'));
      expect(await skipReason(skipped, 'openai-a')).toBe('cooldown');
      expect(a.requests.length).toBe(before);
      await sleep(850);
      expect((await sendChat()).text).toBe(chatKit.stream('from A'));
    },
  );

  it('retry-after-ms sets a cooldown of that many ms', async () => {
    a.script = () => ({
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after-ms': '150' },
      chunks: ['{}'],
    });
    await sendChat();
    const v = view('openai-a');
    expect(v.cooldownForMs).toBeGreaterThan(50);
    expect(v.cooldownForMs).toBeLessThanOrEqual(150);
  });

  it('Retry-After on a 500 imposes no cooldown', async () => {
    a.script = () => ({
      status: 500,
      headers: { 'content-type': 'application/json', 'retry-after': '1' },
      chunks: ['{}'],
    });
    await sendChat();
    expect(view('openai-a').cooldownForMs).toBe(0);
    a.script = () => ({ chunks: [chatKit.stream('from A')] });
    expect((await sendChat()).text).toBe(chatKit.stream('from A'));
  });

  it('a 401 marks the credentials problem in the health view, with the upstream message', async () => {
    a.script = () => ({
      status: 401,
      headers: { 'content-type': 'application/json' },
      chunks: ['{"error":{"message":"Incorrect API key provided"}}'],
    });
    await sendChat();
    expect(view('openai-a').credentialsProblem).toMatch(/401.*Incorrect API key/);
  });
});
