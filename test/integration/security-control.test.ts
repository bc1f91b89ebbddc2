import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type SluiceApp } from '../../src/main/app/app';
import { runUsageCommand } from '../../src/main/app/usage-command';
import type { ProviderView, Result } from '../../src/shared/ipc-contract';
import { FakeUpstream, type RecordedRequest } from '../support/fake-upstream';
import { chatKit } from '../support/format-kits';

const KEY = 'sk-proj-SECRETKEY-0123456789abcdef';
/** An Azure-style key in a provider header, and one in a header only the user's mark makes secret. */
const HEADER_KEY = 'azure0SECRET0header0value0123456789';
const MARKED = 'org-credential-MARKED-0987654321';

/** The forms a secret can hide in (what an encoder on the way might turn it into). */
function formsIn(bytes: Buffer, secret: string): string[] {
  const forms: [string, Buffer][] = [
    ['raw', Buffer.from(secret)],
    ['base64', Buffer.from(Buffer.from(secret).toString('base64'))],
    ['base64url', Buffer.from(Buffer.from(secret).toString('base64url'))],
    ['hex', Buffer.from(Buffer.from(secret).toString('hex'))],
    ['utf16le', Buffer.from(secret, 'utf16le')],
  ];
  return forms.filter(([, b]) => bytes.includes(b)).map(([name]) => name);
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  });
}

/** Everything that carried a credential to `upstream`, joined (headers and URLs). */
const credentialsSeen = (requests: readonly RecordedRequest[]): string =>
  requests.map((r) => `${r.url} ${JSON.stringify(r.headers)}`).join('\n');

describe('the control token, the API token and the provider credentials', () => {
  let upstream: FakeUpstream;
  let attacker: FakeUpstream;
  let app: SluiceApp;
  let dataDir: string;
  const logs: string[] = [];

  const http = async (
    pathname: string,
    headers: Record<string, string>,
    body: unknown = {},
  ): Promise<{ status: number; json: Result<unknown> | null }> => {
    const res = await fetch(`${app.url}${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let json: Result<unknown> | null = null;
    try {
      json = JSON.parse(text) as Result<unknown>;
    } catch {
      json = null;
    }
    return { status: res.status, json };
  };
  const control = (name: string, body: unknown = {}, token = app.token) =>
    http(`/_sluice/api/${name}`, { authorization: `Bearer ${token}` }, body);

  beforeAll(async () => {
    // Echoes every credential it was sent inside the streamed text: captures and frames must not keep it.
    upstream = await new FakeUpstream((req) => {
      if (req.method === 'GET')
        return { headers: { 'content-type': 'application/json' }, chunks: ['{"object":"list","data":[]}'] };
      const echoed = `${String(req.headers['api-key'])} ${String(req.headers['x-org'])} ${String(req.headers.authorization)}`;
      return { chunks: [chatKit.stream(`you sent ${echoed}`)] };
    }).start();
    attacker = await new FakeUpstream(() => ({
      headers: { 'content-type': 'application/json' },
      chunks: ['{"object":"list","data":[]}'],
    })).start();
    dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-sec-control-')), 'data');
    app = await startApp({ dataDir, port: 0, host: '127.0.0.1', log: (l) => logs.push(l) });
    const saved = await control('providers.save', {
      provider: {
        id: 'azure',
        kind: 'openai',
        baseUrl: chatKit.baseUrl(upstream.url),
        apiKey: KEY,
        headers: { 'api-key': HEADER_KEY, 'x-org': MARKED, 'x-team': 'core' },
        secretHeaders: ['x-org'],
      },
    });
    expect(saved.json).toMatchObject({ ok: true });
    expect((await control('settings.update', { patch: { captureRequestBodies: true } })).json).toMatchObject({
      ok: true,
    });
  });
  afterAll(async () => {
    await app?.close(500);
    await upstream?.close();
    await attacker?.close();
    fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('keeps two tokens: the API token opens the API, never the control API', async () => {
    expect(app.apiToken).toMatch(/^[0-9a-f]{64}$/);
    expect(app.apiToken).not.toBe(app.token);
    expect(fs.readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim()).toBe(app.apiToken);
    expect((await control('settings.update', { patch: { requireLocalToken: true } })).json).toMatchObject({
      ok: true,
    });
    try {
      const chat = (key: string): Promise<Response> =>
        fetch(`${app.url}${chatKit.path('gpt-test')}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: chatKit.body('gpt-test'),
        });
      const ok = await chat(app.apiToken);
      expect(ok.status).toBe(200);
      await ok.text();
      expect((await chat(app.token)).status).toBe(401);
      // A tool holding the API token cannot reconfigure Sluice in any way it might try.
      for (const headers of [
        { authorization: `Bearer ${app.apiToken}` } as Record<string, string>,
        { 'x-api-key': app.apiToken },
        { 'x-sluice-session': app.apiToken, origin: app.url },
      ]) {
        const r = await http('/_sluice/api/providers.save', headers, {
          provider: { id: 'azure', kind: 'openai', baseUrl: attacker.url },
        });
        expect(r.status, JSON.stringify(headers)).toBe(401);
        expect((await http('/_sluice/api/session', { ...headers, origin: app.url })).status).toBe(401);
      }
      expect(app.config.providers()[0]!.baseUrl).toBe(chatKit.baseUrl(upstream.url));
    } finally {
      await control('settings.update', { patch: { requireLocalToken: false } });
    }
  });

  it('seals credential headers at rest and keeps them and the key out of captures, exports and logs', async () => {
    const prompt = `please repeat ${KEY} and ${HEADER_KEY} and ${MARKED}`;
    const res = await fetch(`${app.url}${chatKit.path('gpt-test')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-test',
        stream: true,
        messages: [{ role: 'user', content: prompt }],
      }),
    });
    const text = await res.text();
    // The upstream did get the credentials (the test is not vacuous) and echoed them.
    expect(text).toContain(HEADER_KEY);
    expect(upstream.requests.at(-1)!.headers['api-key']).toBe(HEADER_KEY);
    expect(upstream.requests.at(-1)!.headers['x-org']).toBe(MARKED);
    app.flushUsage();

    const shown: { where: string; bytes: Buffer }[] = [];
    const show = (where: string, text: string): void => {
      shown.push({ where, bytes: Buffer.from(text, 'utf8') });
    };
    const rows = app.repo.listRequests({ limit: 100 });
    expect(rows.length).toBeGreaterThan(0);
    let sawCapture = false;
    for (const r of rows) {
      const detail = JSON.stringify(await app.control.api.call('requests.get', { requestId: r.requestId }));
      if (detail.includes('please repeat')) sawCapture = true;
      show(`requests.get ${r.requestId}`, detail);
    }
    expect(sawCapture).toBe(true);
    show('providers.list', JSON.stringify(await control('providers.list')));
    show('usage.exportCsv', JSON.stringify(await control('usage.exportCsv')));
    const listed = ((await control('providers.list')).json as { value: ProviderView[] }).value[0]!;
    expect(listed.headers['x-team']).toBe('core');
    expect(Object.keys(listed.headers).sort()).toEqual(['api-key', 'x-org', 'x-team']);

    await app.close(500);
    for (const args of [['--csv'], ['--json'], []]) {
      let out = '';
      expect(runUsageCommand([...args, '--data-dir', dataDir], (s) => (out += s))).toBe(0);
      show(`sluice usage ${args.join(' ')}`, out);
    }
    show('operator log', logs.join('\n'));
    const files = listFiles(dataDir);
    for (const f of files) shown.push({ where: path.relative(dataDir, f), bytes: fs.readFileSync(f) });

    const leaks: string[] = [];
    for (const s of shown) {
      for (const secret of [KEY, HEADER_KEY, MARKED]) {
        const forms = formsIn(s.bytes, secret);
        if (forms.length > 0) leaks.push(`${s.where}: ${secret.slice(0, 8)}… as ${forms.join(', ')}`);
      }
    }
    expect(leaks).toEqual([]);

    // Restarted, the sealed headers open again and go upstream as before.
    app = await startApp({ dataDir, port: 0, host: '127.0.0.1', log: (l) => logs.push(l) });
    expect(app.config.providers()[0]!.headers).toEqual({
      'api-key': HEADER_KEY,
      'x-org': MARKED,
      'x-team': 'core',
    });
  });

  it('makes the data folder 0700 and every file Sluice keeps in it 0600', () => {
    if (process.platform === 'win32') return;
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    const files = listFiles(dataDir).map((f) => path.relative(dataDir, f));
    expect(files).toEqual(
      expect.arrayContaining([
        'sluice.db',
        'sluice.db-wal',
        'sluice.db-shm',
        'token',
        'api-token',
        'vault.key',
      ]),
    );
    for (const f of files) expect(fs.statSync(path.join(dataDir, f)).mode & 0o777, f).toBe(0o600);
  });

  it('drops the stored key and secret headers when a provider moves to another origin; Test sends none there', async () => {
    const before = attacker.requests.length;
    const moved = await control('providers.save', {
      provider: { id: 'azure', kind: 'openai', baseUrl: `${attacker.url}/v1`, headers: { 'x-team': 'core' } },
    });
    expect(moved.json).toMatchObject({ ok: true, value: { hasKey: false, headers: { 'x-team': 'core' } } });
    expect(app.config.providers()[0]).not.toHaveProperty('apiKey');
    expect(await control('providers.test', { id: 'azure' })).toMatchObject({ json: { ok: true } });
    // And a request through the gateway: the attacker sees the client's own credentials only.
    const res = await fetch(`${app.url}${chatKit.path('gpt-test')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-client-own' },
      body: chatKit.body('gpt-test'),
    });
    await res.text();
    expect(attacker.requests.length).toBeGreaterThan(before);
    const seen = credentialsSeen(attacker.requests);
    for (const secret of [KEY, HEADER_KEY, MARKED]) expect(seen).not.toContain(secret);

    // Moving back does not bring them back either: they are gone, and must be typed again.
    await control('providers.save', {
      provider: { id: 'azure', kind: 'openai', baseUrl: chatKit.baseUrl(upstream.url), headers: {} },
    });
    expect(app.config.providers()[0]).not.toHaveProperty('apiKey');
  });
});
