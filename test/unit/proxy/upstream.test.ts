import { describe, expect, it } from 'vitest';
import { adapterForKind, matchRoute } from '../../../src/formats';
import {
  buildHeaders as buildHeadersWith,
  buildTarget,
  clientHeaders,
} from '../../../src/main/proxy/upstream';
import { mapModel } from '../../../src/main/proxy/translation';
import { ProviderSchema, type ProviderConfig } from '../../../src/shared/config';

const provider = (p: Record<string, unknown>): ProviderConfig =>
  ProviderSchema.parse({ id: 'p', priority: 1, ...p });

/** buildHeaders with the auth style of the provider's kind (a request's format gives the same). */
const buildHeaders = (
  inbound: Parameters<typeof buildHeadersWith>[0],
  p: ProviderConfig,
  bodyLength: number | null,
): Record<string, string> => buildHeadersWith(inbound, p, bodyLength, adapterForKind(p.kind).authHeaders);

describe('upstream URL', () => {
  it("appends the inbound path to each vendor's base URL convention, query kept", () => {
    const openai = provider({ kind: 'openai', baseUrl: 'https://api.openai.com/v1/' });
    expect(buildTarget(openai, matchRoute('POST', '/v1/chat/completions')!, 'gpt', '').path).toBe(
      '/v1/chat/completions',
    );
    const anthropic = provider({ kind: 'anthropic', baseUrl: 'https://api.anthropic.com' });
    expect(buildTarget(anthropic, matchRoute('POST', '/v1/messages')!, 'c', 'beta=true').path).toBe(
      '/v1/messages?beta=true',
    );
    const gemini = provider({ kind: 'gemini', baseUrl: 'https://g.example/prefix', apiKey: 'k' });
    const route = matchRoute('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent')!;
    const t = buildTarget(gemini, route, 'gemini-x', 'alt=sse&key=client-key');
    expect(t.origin).toBe('https://g.example');
    expect(t.path).toBe('/prefix/v1beta/models/gemini-x:streamGenerateContent?alt=sse');
  });
  it('keeps the client key when the provider has none, and redacts it for display', () => {
    const gemini = provider({ kind: 'gemini', baseUrl: 'https://g.example' });
    const t = buildTarget(gemini, matchRoute('POST', '/v1beta/models/m:generateContent')!, 'm', 'key=secret');
    expect(t.path).toContain('key=secret');
    expect(t.displayUrl).not.toContain('secret');
  });
});

describe('upstream headers', () => {
  const inbound = {
    authorization: 'Bearer client',
    'x-api-key': 'client',
    'anthropic-version': '2023-06-01',
    'anthropic-beta': 'x',
    connection: 'keep-alive',
    host: '127.0.0.1:1',
    'content-length': '10',
    'accept-encoding': 'br, zstd',
    'x-stainless-lang': 'js',
  };
  it("swaps the client's credentials for the provider's key in the vendor's style", () => {
    const h = buildHeaders(inbound, provider({ kind: 'anthropic', baseUrl: 'https://a', apiKey: 'sk-p' }), 5);
    expect(h['x-api-key']).toBe('sk-p');
    expect(h.authorization).toBeUndefined();
    expect(h['anthropic-version']).toBe('2023-06-01');
    expect(h['x-stainless-lang']).toBe('js');
    expect(h.connection).toBeUndefined();
    expect(h.host).toBeUndefined();
    expect(h['content-length']).toBe('5');
    expect(h['accept-encoding']).toBe('gzip, deflate, br');
    expect(
      buildHeaders(inbound, provider({ kind: 'openai', baseUrl: 'https://o', apiKey: 'sk-o' }), null)
        .authorization,
    ).toBe('Bearer sk-o');
    expect(
      buildHeaders(inbound, provider({ kind: 'gemini', baseUrl: 'https://g', apiKey: 'g' }), null)[
        'x-goog-api-key'
      ],
    ).toBe('g');
  });
  it('passes client credentials through when the provider has no key', () => {
    const h = buildHeaders(inbound, provider({ kind: 'anthropic', baseUrl: 'https://a' }), null);
    expect(h['x-api-key']).toBe('client');
    expect(h.authorization).toBe('Bearer client');
  });
  describe('User-Agent: client < preset < explicit headers', () => {
    const client = { ...inbound, 'user-agent': 'claude-cli/2.0.0 (external, cli)', 'x-app': 'cli' };
    const base = { kind: 'openai', baseUrl: 'https://o', apiKey: 'sk-o' };

    it("forwards the client's own User-Agent unchanged when the provider has none", () => {
      const h = buildHeaders(client, provider(base), null);
      expect(h['user-agent']).toBe('claude-cli/2.0.0 (external, cli)');
      expect(h['x-app']).toBe('cli');
      expect(h.originator).toBeUndefined();
    });

    it("replaces the client's User-Agent with the preset and adds its companion headers", () => {
      const h = buildHeaders(client, provider({ ...base, userAgent: 'codex' }), null);
      expect(h['user-agent']).toBe('codex_cli_rs/0.171.0 (Ubuntu 24.4.0; x86_64) xterm-256color');
      expect(h.originator).toBe('codex_cli_rs');
      // The client's other headers still pass, and the key swap is untouched.
      expect(h['x-app']).toBe('cli');
      expect(h['x-stainless-lang']).toBe('js');
      expect(h.authorization).toBe('Bearer sk-o');
      const claude = buildHeaders(
        { 'user-agent': 'x/1' },
        provider({ ...base, userAgent: 'claude-code' }),
        0,
      );
      expect(claude).toEqual({
        'user-agent': 'claude-cli/2.1.332 (external, cli)',
        'x-app': 'cli',
        authorization: 'Bearer sk-o',
        'content-length': '0',
      });
    });

    it('sets the preset even when the client sent no User-Agent', () => {
      const h = buildHeaders({}, provider({ ...base, userAgent: 'gemini-cli' }), null);
      expect(h['user-agent']).toBe('GeminiCLI-tui/0.61.0/gemini-3.1-pro-preview (linux; x64; terminal)');
      expect(h['x-goog-api-client']).toBe('google-genai-sdk/1.30.0 gl-node/v20.20.2');
    });

    it('sends a custom User-Agent alone, without companions', () => {
      const h = buildHeaders(client, provider({ ...base, userAgent: { custom: 'Relay/2' } }), null);
      expect(h['user-agent']).toBe('Relay/2');
      expect(h.originator).toBeUndefined();
    });

    it("lets the provider's explicit headers win over the preset, whatever their case", () => {
      const h = buildHeaders(
        client,
        provider({
          ...base,
          userAgent: 'codex',
          headers: { 'User-Agent': 'Explicit/1', originator: 'mine' },
        }),
        null,
      );
      expect(h['user-agent']).toBe('Explicit/1');
      expect(h.originator).toBe('mine');
      expect(Object.keys(h).filter((k) => k.toLowerCase() === 'user-agent')).toEqual(['user-agent']);
    });
  });

  it('forwards useful response headers, not hop-by-hop, encoding or cookies', () => {
    const h = clientHeaders({
      'request-id': 'r1',
      'content-encoding': 'gzip',
      'set-cookie': ['a'],
      'transfer-encoding': 'chunked',
      'x-ratelimit-remaining-requests': '9',
    });
    expect(h).toEqual({ 'request-id': 'r1', 'x-ratelimit-remaining-requests': '9' });
  });
  it('maps models through the provider table, unmapped pass through', () => {
    const p = provider({ kind: 'openai', baseUrl: 'https://o', models: { a: 'b' } });
    expect(mapModel(p, 'a')).toBe('b');
    expect(mapModel(p, 'c')).toBe('c');
    const star = provider({ kind: 'openai', baseUrl: 'https://o', models: { a: 'b', '*': 'deepseek-chat' } });
    expect(mapModel(star, 'a')).toBe('b');
    expect(mapModel(star, 'claude-x')).toBe('deepseek-chat');
  });
});
