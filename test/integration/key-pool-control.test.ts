import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderView } from '../../src/shared/ipc-contract';
import { keyFingerprint } from '../../src/main/proxy/key-fingerprint';
import { ScriptedUpstream, post } from '../support/fault-upstream';
import { chatKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';

/** A key pool's state and edits through the control API, as the Providers screen reads and sends them. */

const K = ['ctl-pool-key-aaaa-1111', 'ctl-pool-key-bbbb-2222'] as const;
const NEW = 'ctl-pool-key-cccc-3333';

describe('key pools through the control API', () => {
  let up: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    up = await new ScriptedUpstream((req) =>
      req.headers.authorization === `Bearer ${K[1]}`
        ? { status: 429, headers: { 'retry-after': '30' }, chunks: ['{"error":{"message":"slow"}}'] }
        : { chunks: [chatKit.stream('ok')] },
    ).start();
    sluice = await startSluice({
      providers: [{ id: 'pool', kind: 'openai', baseUrl: `${up.url}/v1`, apiKeys: [...K] }],
      settings: { maxCooldownMs: 60_000 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await up.close();
  });

  const call = async (name: string, body: unknown): Promise<{ text: string; json: unknown }> => {
    const res = await fetch(`${sluice.url}/_sluice/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sluice.app.token}` },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { text, json: JSON.parse(text) as unknown };
  };
  const list = async (): Promise<{ text: string; pool: ProviderView }> => {
    const { text, json } = await call('providers.list', {});
    const value = (json as { value: ProviderView[] }).value;
    return { text, pool: value.find((p) => p.id === 'pool')! };
  };

  it('lists every key by fingerprint with its counts and cooldown, never a key', async () => {
    for (let i = 0; i < 3; i++) {
      const body = JSON.stringify({
        ...JSON.parse(chatKit.body('m')),
        messages: [{ role: 'user', content: `q${i}` }],
      });
      expect((await post(sluice.url, chatKit.path('m'), body, chatKit.headers)).status).toBe(200);
    }
    const { text, pool } = await list();
    expect(pool.hasKey).toBe(false);
    expect(pool.keys).toEqual([
      {
        fingerprint: keyFingerprint(K[0]),
        source: 'apiKeys',
        requests: 3,
        errors: 0,
        unusableForMs: 0,
        reason: null,
      },
      {
        fingerprint: keyFingerprint(K[1]),
        source: 'apiKeys',
        requests: 1,
        errors: 1,
        unusableForMs: expect.any(Number) as number,
        reason: 'http_status 429: {"error":{"message":"slow"}}',
      },
    ]);
    expect(pool.keys[1]!.unusableForMs).toBeGreaterThan(25_000);
    expect(text).not.toContain('apiKeys":[');
    for (const k of K) expect(text).not.toContain(k);
  });

  it('saves a pool edit by fingerprint (keep one, add one), refuses an unknown fingerprint, and resets benches', async () => {
    const { pool } = await list();
    const { hasKey: _h, keyPreview: _k, health: _he, keys: _keys, builtin: _b, ...edit } = pool;
    const saved = await call('providers.save', {
      provider: { ...edit, apiKeys: [{ keep: keyFingerprint(K[1]) }, NEW] },
    });
    expect(saved.json).toMatchObject({ ok: true });
    expect(sluice.app.config.providers().find((p) => p.id === 'pool')?.apiKeys).toEqual([K[1], NEW]);
    for (const k of [...K, NEW]) expect(saved.text).not.toContain(k);
    const refused = await call('providers.save', { provider: { ...edit, apiKeys: [{ keep: 'dead…beef' }] } });
    expect(refused.json).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('apiKeys[0]') },
    });
    expect(
      (await list()).pool.keys.find((k) => k.fingerprint === keyFingerprint(K[1]))?.unusableForMs,
    ).toBeGreaterThan(0);
    await call('providers.resetHealth', { id: 'pool' });
    expect((await list()).pool.keys.map((k) => [k.fingerprint, k.unusableForMs, k.requests])).toEqual([
      [keyFingerprint(K[1]), 0, 0],
      [keyFingerprint(NEW), 0, 0],
    ]);
  });
  it("tests a pool-only provider with the pool's first key", async () => {
    const before = up.requests.length;
    const { json, text } = await call('providers.test', { id: 'pool' });
    expect(up.requests.length).toBe(before + 1);
    expect(up.requests.at(-1)?.headers.authorization).toBe(`Bearer ${K[1]}`);
    expect(json).toMatchObject({ ok: true, value: { ok: false, status: 429 } });
    for (const k of [...K, NEW]) expect(text).not.toContain(k);
  });
  it('keeps the pool when the view is saved back as it was shown (its keys state included)', async () => {
    const { pool } = await list();
    const { hasKey: _h, keyPreview: _k, health: _he, ...shown } = pool;
    const before = sluice.app.config.providers().find((p) => p.id === 'pool')?.apiKeys;
    expect((await call('providers.save', { provider: { ...shown, priority: 7 } })).json).toMatchObject({
      ok: true,
    });
    expect(sluice.app.config.providers().find((p) => p.id === 'pool')).toMatchObject({
      priority: 7,
      apiKeys: before,
    });
  });
});
