import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../src/shared/settings';
import type { AttemptRecord } from '../../src/shared/usage';
import type { LiveEvent } from '../../src/shared/live-events';
import type { PoolKeyView, ProviderView } from '../../src/shared/ipc-contract';
import { keyFingerprint } from '../../src/main/proxy/key-fingerprint';
import {
  ScriptedUpstream,
  post,
  type RawResponse,
  type Script,
  type SeenRequest,
} from '../support/fault-upstream';
import { anthropicKit, chatKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * Key pools (issue #18 §2) through real requests: a provider with `apiKeys` on a loopback fake that
 * answers by the key it is sent, a backup provider behind it.
 */

const K = ['pool-key-one-1111', 'pool-key-two-2222', 'pool-key-three-333'] as const;
const A = ['ant-pool-key-aaaa', 'ant-pool-key-bbbb'] as const;
const SETTINGS = {
  maxAttempts: 4,
  retryBaseDelayMs: 5,
  keyBenchMs: 60_000,
  keyCooldownMs: 30_000,
  maxCooldownMs: 5_000,
};
const settings = SettingsSchema.parse(SETTINGS);
const json = { 'content-type': 'application/json' };
const deny401: Script = {
  status: 401,
  headers: json,
  chunks: ['{"error":{"message":"bad key","type":"invalid_request_error"}}'],
};

/** The key a request carried, in either vendor's header. */
function keyOf(req: SeenRequest): string {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') return auth.replace(/^Bearer /, '');
  return String(req.headers['x-api-key']);
}

describe('key pools', () => {
  let a: ScriptedUpstream;
  let b: ScriptedUpstream;
  let sluice: TestSluice;
  /** How the pool's upstream answers each key; absent → a normal stream. */
  let byKey: Map<string, () => Script>;

  beforeAll(async () => {
    const ok = (req: SeenRequest): Script =>
      keyOf(req).startsWith('ant-')
        ? { chunks: [anthropicKit.stream(`from ${keyOf(req)}`)] }
        : { chunks: [chatKit.stream(`from ${keyOf(req)}`)] };
    a = await new ScriptedUpstream((req) => byKey.get(keyOf(req))?.() ?? ok(req)).start();
    b = await new ScriptedUpstream(() => ({ chunks: [chatKit.stream('from backup')] })).start();
    sluice = await startSluice({
      providers: [
        { id: 'pool', kind: 'openai', baseUrl: `${a.url}/v1`, apiKeys: [...K], priority: 1 },
        { id: 'backup', kind: 'openai', baseUrl: `${b.url}/v1`, apiKey: 'backup-key-0000', priority: 2 },
        { id: 'ant', kind: 'anthropic', baseUrl: a.url, apiKey: A[0], apiKeys: [A[1]] },
      ],
      settings: SETTINGS,
    });
  });
  afterAll(async () => {
    await sluice.close();
    await a.close();
    await b.close();
  });
  beforeEach(() => {
    byKey = new Map();
    sluice.app.gateway.health.reset();
    sluice.app.gateway.keys.reset();
    a.requests.length = 0;
    b.requests.length = 0;
  });

  let turn = 0;
  /**
   * A chat request of a conversation of its own (session affinity, issue #18 §3, keys a conversation by
   * its first message: these tests are about the pool's turns, not a conversation's).
   */
  const body = (make: (model: string) => string): string => {
    const json = JSON.parse(make('m')) as { messages: { role: string; content: string }[] };
    json.messages = [{ role: 'user', content: `hi ${++turn}` }];
    return JSON.stringify(json);
  };
  const send = (): Promise<RawResponse> =>
    post(sluice.url, chatKit.path('m'), body(chatKit.body), chatKit.headers);
  const keysSeen = (): string[] => a.requests.map(keyOf);
  const provider = (id: string): ProviderView['keys'] => {
    const p = sluice.app.config.providers().find((x) => x.id === id)!;
    return sluice.app.gateway.keys.view(p);
  };
  const keyView = (id: string, key: string): PoolKeyView =>
    provider(id).find((k) => k.fingerprint === keyFingerprint(key))!;
  async function attempts(res: RawResponse): Promise<AttemptRecord[]> {
    const id = String(res.headers['x-sluice-request-id']);
    await sluice.row((r) => r.requestId === id);
    return sluice.app.attempts.forRequest(id);
  }

  it('uses the keys in turn, and each attempt row names its key by fingerprint', async () => {
    const served: RawResponse[] = [];
    for (let i = 0; i < 6; i++) served.push(await send());
    expect(served.map((r) => r.text)).toEqual([...K, ...K].map((k) => chatKit.stream(`from ${k}`)));
    expect(keysSeen()).toEqual([...K, ...K]);
    for (const [i, res] of served.entries()) {
      const rows = await attempts(res);
      expect(rows.map((r) => [r.outcome, r.keyFingerprint])).toEqual([
        ['committed', keyFingerprint(K[i % 3]!)],
      ]);
    }
    expect(provider('pool').map((k) => [k.requests, k.errors, k.unusableForMs, k.reason])).toEqual([
      [2, 0, 0, null],
      [2, 0, 0, null],
      [2, 0, 0, null],
    ]);
    // A fingerprint is the short hash, never a piece of the key.
    for (const k of provider('pool')) expect(k.fingerprint).toMatch(/^[0-9a-f]{4}…[0-9a-f]{4}$/);
  });

  it('benches a key refused with 401 (with the reason) while the others serve; the provider stays healthy', async () => {
    byKey.set(K[1], () => deny401);
    const first = await send();
    const events: LiveEvent[] = [];
    const unsubscribe = sluice.app.live.subscribe((batch) => events.push(...batch));
    const second = await send(); // K2 refused → K3 in the same request
    // The live view knows each attempt's key from its start (the inspector of an in-flight request).
    await expect
      .poll(() => events.flatMap((e) => (e.type === 'attempt-started' ? [e.keyFingerprint] : [])))
      .toEqual([keyFingerprint(K[1]), keyFingerprint(K[2])]);
    unsubscribe();
    expect(second.status).toBe(200);
    expect(second.text).toBe(chatKit.stream(`from ${K[2]}`));
    expect(second.headers['x-sluice-attempts']).toBe('2');
    const rows = await attempts(second);
    expect(rows.map((r) => [r.provider, r.outcome, r.httpStatus, r.keyFingerprint])).toEqual([
      ['pool', 'failed', 401, keyFingerprint(K[1])],
      ['pool', 'committed', 200, keyFingerprint(K[2])],
    ]);
    for (let i = 0; i < 4; i++) expect((await send()).status).toBe(200);
    expect(first.text).toBe(chatKit.stream(`from ${K[0]}`));
    // Refused once, then never sent again while benched.
    expect(keysSeen().filter((k) => k === K[1])).toHaveLength(1);
    const benched = keyView('pool', K[1]);
    expect(benched.reason).toMatch(/^http_status 401: .*bad key/);
    expect(benched.unusableForMs).toBeGreaterThan(55_000);
    expect(benched.errors).toBe(1);
    const health = sluice.app.gateway.health.view('pool', settings);
    expect(health).toMatchObject({ state: 'closed', consecutiveFailures: 0, credentialsProblem: null });
    expect(b.requests).toHaveLength(0);
  });

  it('cools only the key a 429 names, for its Retry-After, and uses it again after', async () => {
    let limited = true;
    byKey.set(K[0], () =>
      limited
        ? {
            status: 429,
            headers: { ...json, 'retry-after': '1' },
            chunks: ['{"error":{"message":"slow down","type":"requests"}}'],
          }
        : { chunks: [chatKit.stream(`from ${K[0]}`)] },
    );
    const res = await send();
    expect(res.text).toBe(chatKit.stream(`from ${K[1]}`));
    expect((await attempts(res)).map((r) => [r.httpStatus, r.keyFingerprint])).toEqual([
      [429, keyFingerprint(K[0])],
      [200, keyFingerprint(K[1])],
    ]);
    const cooling = keyView('pool', K[0]);
    expect(cooling.reason).toMatch(/^http_status 429/);
    expect(cooling.unusableForMs).toBeGreaterThan(500);
    expect(cooling.unusableForMs).toBeLessThanOrEqual(1_000);
    // Only that key cools: the provider takes requests, on its other keys.
    expect(sluice.app.gateway.health.view('pool', settings).cooldownForMs).toBe(0);
    for (let i = 0; i < 4; i++) await send();
    expect(keysSeen().slice(2)).toEqual([K[2], K[1], K[2], K[1]]);
    limited = false;
    await new Promise((r) => setTimeout(r, 1_100));
    expect(keyView('pool', K[0])).toMatchObject({ unusableForMs: 0, reason: null });
    const back: string[] = [];
    for (let i = 0; i < 3; i++) back.push((await send()).text);
    expect(back).toContain(chatKit.stream(`from ${K[0]}`));
    expect(b.requests).toHaveLength(0);
  }, 15_000);

  it('fails over to the next provider when every key is benched, and then skips the pool', async () => {
    for (const k of K) byKey.set(k, () => deny401);
    const res = await send();
    expect(res.text).toBe(chatKit.stream('from backup'));
    expect((await attempts(res)).map((r) => [r.provider, r.httpStatus, r.keyFingerprint])).toEqual([
      ['pool', 401, keyFingerprint(K[0])],
      ['pool', 401, keyFingerprint(K[1])],
      ['pool', 401, keyFingerprint(K[2])],
      ['backup', 200, keyFingerprint('backup-key-0000')],
    ]);
    // The last key's failure is the provider's: its health says its credentials failed.
    expect(sluice.app.gateway.health.view('pool', settings).credentialsProblem).toMatch(/401/);
    const next = await send();
    expect(next.text).toBe(chatKit.stream('from backup'));
    expect(next.headers['x-sluice-attempts']).toBe('1');
    const skipped = (await attempts(next)).find((r) => r.provider === 'pool')!;
    expect(skipped.outcome).toBe('skipped');
    expect(skipped.reason).toMatch(/^keys_unavailable: every key benched or cooling/);
    expect(a.requests).toHaveLength(3);
  });

  it("benches a key whose quota is spent (OpenAI insufficient_quota) for keyBenchMs, not a 429's cooldown", async () => {
    byKey.set(K[0], () => ({
      status: 429,
      headers: json,
      chunks: [
        '{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}',
      ],
    }));
    const res = await send();
    expect(res.text).toBe(chatKit.stream(`from ${K[1]}`));
    const benched = keyView('pool', K[0]);
    expect(benched.reason).toMatch(/^quota_exhausted 429: /);
    expect(benched.unusableForMs).toBeGreaterThan(55_000);
  });

  it("benches an Anthropic key whose credit balance is too low (a 400) and serves from the pool's next key", async () => {
    byKey.set(A[0], () => ({
      status: 400,
      headers: json,
      chunks: [
        '{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."}}',
      ],
    }));
    const res = await post(sluice.url, anthropicKit.path('m'), body(anthropicKit.body), anthropicKit.headers);
    expect(res.status).toBe(200);
    expect(res.text).toBe(anthropicKit.stream(`from ${A[1]}`));
    expect(keyView('ant', A[0]).reason).toMatch(/^quota_exhausted 400: .*credit balance/);
    expect(keyView('ant', A[0]).source).toBe('apiKey');
    expect(keyView('ant', A[1]).source).toBe('apiKeys');
  });
});
