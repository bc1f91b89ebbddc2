import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type SluiceApp } from '../../src/main/app/app';
import { FakeUpstream } from '../support/fake-upstream';
import { startSluice } from '../support/sluice';

/**
 * Issue #14 item 9: a base URL in the other vendor convention (`https://host/v1` for an Anthropic
 * provider: `/v1/v1/messages`) silently 404ed. Now the config file and the save refuse it, saying what
 * to change, and the Test says so without sending anything.
 */

describe('a base URL with the version Sluice adds itself', () => {
  let upstream: FakeUpstream;
  let app: SluiceApp;
  let dataDir: string;

  const call = async (
    name: string,
    body: unknown,
  ): Promise<{ ok: boolean; error?: { code: string; message: string } }> => {
    const res = await request(`${app.url}/_sluice/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` },
      body: JSON.stringify(body),
    });
    return (await res.body.json()) as { ok: boolean; error?: { code: string; message: string } };
  };

  beforeAll(async () => {
    upstream = await new FakeUpstream(() => ({
      chunks: ['{}'],
      headers: { 'content-type': 'application/json' },
    })).start();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-base-url-'));
    const configFile = path.join(dataDir, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({ providers: [{ id: 'claude', kind: 'anthropic', baseUrl: upstream.url }] }),
    );
    app = await startApp({ dataDir, configFile, port: 0, host: '127.0.0.1', log: () => {} });
  });
  afterAll(async () => {
    await app.close(500);
    await upstream.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the config file is refused, naming the field and what to change', async () => {
    await expect(
      startSluice({ providers: [{ id: 'claude', kind: 'anthropic', baseUrl: `${upstream.url}/v1` }] }),
    ).rejects.toThrow(
      `providers[0].baseUrl: remove /v1 from the base URL (${upstream.url}): Sluice adds /v1/messages itself`,
    );
  });

  it('a save is refused, saying what to change; the provider stays as it was', async () => {
    const saved = await call('providers.save', {
      provider: { id: 'claude', kind: 'anthropic', baseUrl: `${upstream.url}/v1` },
    });
    expect(saved.ok).toBe(false);
    expect(saved.error?.message).toContain(`remove /v1 from the base URL (${upstream.url})`);
    expect(app.config.providers().find((p) => p.id === 'claude')?.baseUrl).toBe(upstream.url);
    const gemini = await call('providers.save', {
      provider: { id: 'g', kind: 'gemini', baseUrl: `${upstream.url}/v1beta/` },
    });
    expect(gemini.error?.message).toContain('remove /v1beta from the base URL');
  });
});
