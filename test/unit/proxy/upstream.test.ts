import { describe, expect, it } from 'vitest';
import { buildHeaders, buildTarget, clientHeaders, mapModel } from '../../../src/main/proxy/upstream';
import { matchRoute } from '../../../src/shared/api-format';
import { ProviderSchema, type ProviderConfig } from '../../../src/shared/config';

const provider = (p: Record<string, unknown>): ProviderConfig =>
  ProviderSchema.parse({ id: 'p', priority: 1, ...p });

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
  });
});
