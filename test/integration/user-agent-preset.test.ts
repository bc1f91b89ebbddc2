import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { startApp, type SluiceApp } from '../../src/main/app/app';
import { SLUICE_VERSION } from '../../src/main/control/version';
import type { ProviderView, Result } from '../../src/shared/ipc-contract';
import { USER_AGENT_PRESET_INFO } from '../../src/shared/user-agents';
import { FakeUpstream, type FakeReply, type RecordedRequest } from '../support/fake-upstream';

const CLIENT_UA = 'claude-cli/2.0.0 (external, cli)';
const CUSTOM_UA = 'RelayClient/3.1 (sluice-test)';
const CODEX = USER_AGENT_PRESET_INFO.codex.headers;
const CLAUDE = USER_AGENT_PRESET_INFO['claude-code'].headers;
const GEMINI = USER_AGENT_PRESET_INFO['gemini-cli'].headers;

const json = (value: unknown): FakeReply => ({
  headers: { 'content-type': 'application/json' },
  chunks: [JSON.stringify(value)],
});

/** One upstream for every provider; each provider's base URL starts with its own id, so a request says whose it was. */
function answer(req: RecordedRequest): FakeReply {
  if (req.method === 'GET') return json({ object: 'list', data: [{ id: 'm' }] });
  if (req.url.includes('/v1/messages'))
    return json({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'm',
      content: [{ type: 'text', text: 'hi' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 3, output_tokens: 1 },
    });
  return json({
    id: 'c1',
    object: 'chat.completion',
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 3, completion_tokens: 1 },
  });
}

describe('provider User-Agent presets', () => {
  let upstream: FakeUpstream;
  let app: SluiceApp;
  let dataDir: string;

  const openai = (id: string, extra: Record<string, unknown>): Record<string, unknown> => ({
    id,
    kind: 'openai',
    baseUrl: `${upstream.url}/${id}/v1`,
    apiKey: `sk-${id}`,
    allowModels: [`via-${id}`],
    ...extra,
  });

  const start = async (): Promise<SluiceApp> =>
    startApp({ dataDir, port: 0, host: '127.0.0.1', log: () => {} });

  /** The one request the upstream received under `/<id>/` since `from`. */
  const receivedBy = (id: string, from: number): RecordedRequest => {
    const got = upstream.requests.slice(from).filter((r) => r.url.startsWith(`/${id}/`));
    expect(got).toHaveLength(1);
    return got[0]!;
  };

  /** A client request through the gateway, as a CLI would send it. */
  const forward = async (
    model: string,
    headers: Record<string, string>,
    route = '/v1/chat/completions',
  ): Promise<void> => {
    const res = await request(`${app.url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer client-key', ...headers },
      body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = await res.body.text();
    expect(res.statusCode, body).toBe(200);
  };

  const call = async (name: string, body: unknown): Promise<Result<unknown>> => {
    const res = await request(`${app.url}/_sluice/api/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}` },
      body: JSON.stringify(body),
    });
    return (await res.body.json()) as Result<unknown>;
  };
  const value = async <T>(name: string, body: unknown): Promise<T> => {
    const r = await call(name, body);
    expect(r).toMatchObject({ ok: true });
    return (r as { value: T }).value;
  };

  /** The headers the Providers screen's Test button sent to provider `id`. */
  const testSent = async (id: string): Promise<RecordedRequest['headers']> => {
    const from = upstream.requests.length;
    expect(await value('providers.test', { id })).toMatchObject({ ok: true, status: 200 });
    const sent = receivedBy(id, from);
    expect(sent.method).toBe('GET');
    return sent.headers;
  };

  beforeAll(async () => {
    upstream = await new FakeUpstream(answer).start();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-ua-'));
    // The data dir's own config.json seeds the saved state once, so a restart keeps what the API saved.
    fs.writeFileSync(
      path.join(dataDir, 'config.json'),
      JSON.stringify({
        providers: [
          openai('codex', { userAgent: 'codex' }),
          openai('plain', {}),
          openai('custom', { userAgent: { custom: CUSTOM_UA } }),
          openai('explicit', { userAgent: 'gemini-cli', headers: { 'User-Agent': 'Explicit/1' } }),
          {
            id: 'claude',
            kind: 'anthropic',
            baseUrl: `${upstream.url}/claude`,
            apiKey: 'sk-ant-claude',
            allowModels: ['via-claude'],
            userAgent: 'claude-code',
          },
        ],
      }),
    );
    app = await start();
  });
  afterAll(async () => {
    await app.close(500);
    await upstream.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("forwards a request with the preset's User-Agent and companion headers instead of the client's", async () => {
    let from = upstream.requests.length;
    await forward('via-codex', { 'user-agent': CLIENT_UA, 'x-app': 'cli' });
    const codex = receivedBy('codex', from).headers;
    expect(codex['user-agent']).toBe(CODEX['user-agent']);
    expect(codex.originator).toBe('codex_cli_rs');
    expect(codex.authorization).toBe('Bearer sk-codex');
    // The client's other headers still pass: only the identity the preset names is replaced.
    expect(codex['x-app']).toBe('cli');

    from = upstream.requests.length;
    await forward(
      'via-claude',
      { 'user-agent': 'codex_cli_rs/0.50.0', originator: 'codex_cli_rs' },
      '/v1/messages',
    );
    const claude = receivedBy('claude', from).headers;
    expect(claude['user-agent']).toBe(CLAUDE['user-agent']);
    expect(claude['x-app']).toBe('cli');
    expect(claude['x-api-key']).toBe('sk-ant-claude');
  });

  it("passes the client's own User-Agent unchanged when the provider has no preset", async () => {
    const from = upstream.requests.length;
    await forward('via-plain', { 'user-agent': CLIENT_UA });
    const plain = receivedBy('plain', from).headers;
    expect(plain['user-agent']).toBe(CLIENT_UA);
    expect(plain.originator).toBeUndefined();
  });

  it('forwards a custom User-Agent, and lets explicit headers win over a preset', async () => {
    let from = upstream.requests.length;
    await forward('via-custom', { 'user-agent': CLIENT_UA });
    expect(receivedBy('custom', from).headers['user-agent']).toBe(CUSTOM_UA);

    from = upstream.requests.length;
    await forward('via-explicit', { 'user-agent': CLIENT_UA });
    const explicit = receivedBy('explicit', from).headers;
    expect(explicit['user-agent']).toBe('Explicit/1');
    expect(explicit['x-goog-api-client']).toBe(GEMINI['x-goog-api-client']);
  });

  it('tests a provider with its preset, its custom UA, or an honest Sluice/<version> when it has none', async () => {
    const codex = await testSent('codex');
    expect(codex['user-agent']).toBe(CODEX['user-agent']);
    expect(codex.originator).toBe('codex_cli_rs');
    expect(codex.authorization).toBe('Bearer sk-codex');

    const claude = await testSent('claude');
    expect(claude['user-agent']).toBe(CLAUDE['user-agent']);
    expect(claude['x-app']).toBe('cli');

    expect((await testSent('plain'))['user-agent']).toBe(`Sluice/${SLUICE_VERSION}`);
    expect((await testSent('custom'))['user-agent']).toBe(CUSTOM_UA);
    expect((await testSent('explicit'))['user-agent']).toBe('Explicit/1');
  });

  it('saves a userAgent through the control API; it round-trips, applies at once and survives a restart', async () => {
    const list = await value<ProviderView[]>('providers.list', {});
    expect(list.find((p) => p.id === 'codex')?.userAgent).toBe('codex');
    expect(list.find((p) => p.id === 'plain')?.userAgent).toBeUndefined();

    const { apiKey: _k, ...plain } = openai('plain', {});
    const saved = await value<ProviderView>('providers.save', {
      provider: { ...plain, userAgent: { custom: 'Saved/1.0' } },
    });
    expect(saved.userAgent).toEqual({ custom: 'Saved/1.0' });
    expect(app.config.providers().find((p) => p.id === 'plain')).toMatchObject({
      apiKey: 'sk-plain',
      userAgent: { custom: 'Saved/1.0' },
    });
    let from = upstream.requests.length;
    await forward('via-plain', { 'user-agent': CLIENT_UA });
    expect(receivedBy('plain', from).headers['user-agent']).toBe('Saved/1.0');

    // A header-injection attempt is refused by the contract's schema and changes nothing.
    const injected = await call('providers.save', {
      provider: { ...plain, userAgent: { custom: 'Evil/1\r\nx-injected: 1' } },
    });
    expect(injected).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(JSON.stringify(injected)).toContain('no line breaks');
    await value('providers.save', { provider: { ...plain, userAgent: 'gemini-cli' } });

    await app.close(500);
    app = await start();
    const after = await value<ProviderView[]>('providers.list', {});
    expect(after.find((p) => p.id === 'plain')?.userAgent).toBe('gemini-cli');
    expect(after.find((p) => p.id === 'custom')?.userAgent).toEqual({ custom: CUSTOM_UA });
    expect((await testSent('plain'))['user-agent']).toBe(GEMINI['user-agent']);

    // Saved without it: back to the client's own.
    await value('providers.save', { provider: plain });
    from = upstream.requests.length;
    await forward('via-plain', { 'user-agent': CLIENT_UA });
    expect(receivedBy('plain', from).headers['user-agent']).toBe(CLIENT_UA);
    expect(app.config.providers().find((p) => p.id === 'plain')?.userAgent).toBeUndefined();
  });
});
