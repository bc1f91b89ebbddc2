import { describe, expect, it } from 'vitest';
import { CREDENTIAL_HEADERS } from '../../../src/main/http/guard';
import {
  authScheme,
  isSecretHeaderName,
  maskCredential,
  MAX_RECORDED_HEADER_BYTES,
  MAX_RECORDED_HEADERS,
  recordRequestHeaders,
  redactTarget,
} from '../../../src/shared/header-redact';

const KEY = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

describe('maskCredential', () => {
  it('keeps the scheme and a 4-character prefix of a long key, and says how long it was', () => {
    expect(maskCredential(`Bearer ${KEY}`)).toBe(`Bearer sk-a…(redacted, ${KEY.length} chars)`);
    expect(maskCredential(KEY)).toBe(`sk-a…(redacted, ${KEY.length} chars)`);
    expect(maskCredential('bearer   0123456789abcdef0123')).toBe('bearer 0123…(redacted, 20 chars)');
  });

  it('shows nothing of a short secret nor of Basic credentials', () => {
    expect(maskCredential('short-secret')).toBe('…(redacted, 12 chars)');
    expect(maskCredential('Basic dXNlcm5hbWU6cGFzc3dvcmQxMjM0NQ==')).toBe('Basic …(redacted, 32 chars)');
    expect(maskCredential('')).toBe('…(redacted, 0 chars)');
  });

  it('leaves a mask that the credential patterns do not redact again', () => {
    expect(authScheme(maskCredential(`Bearer ${KEY}`))).toBe('Bearer');
    expect(authScheme(maskCredential(KEY))).toBeNull();
  });
});

describe('isSecretHeaderName', () => {
  it('covers every credential header the guard accepts, cookies, and secret-looking names', () => {
    for (const name of CREDENTIAL_HEADERS) expect(isSecretHeaderName(name), name).toBe(true);
    for (const name of [
      'Authorization',
      'proxy-authorization',
      'cookie',
      'x-auth-token',
      'x-client-secret',
      'openai-api-key',
      'x-session-token',
      'x-password',
    ])
      expect(isSecretHeaderName(name), name).toBe(true);
    for (const name of ['content-type', 'user-agent', 'anthropic-version', 'x-stainless-os', 'accept'])
      expect(isSecretHeaderName(name), name).toBe(false);
  });
});

describe('redactTarget', () => {
  it('replaces the value of key= and other secret-looking query parameters, keeping the rest as sent', () => {
    expect(redactTarget('/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key=AIzaSyA-1234')).toBe(
      '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key=[redacted]',
    );
    expect(redactTarget('/v1/messages?beta=true')).toBe('/v1/messages?beta=true');
    expect(redactTarget('/x?access_token=abc&api%5Fkey=def&flag&q=a%20b')).toBe(
      '/x?access_token=[redacted]&api%5Fkey=[redacted]&flag&q=a%20b',
    );
    expect(redactTarget('/v1/chat/completions')).toBe('/v1/chat/completions');
  });

  it('redacts credential shapes anywhere and cuts a very long target', () => {
    expect(redactTarget(`/p?note=${KEY}`)).toBe('/p?note=[redacted]');
    const long = redactTarget(`/p?q=${'a'.repeat(5000)}`);
    expect(long.length).toBeLessThan(2100);
    expect(long).toMatch(/…\(\+\d+ chars\)$/);
  });
});

describe('recordRequestHeaders', () => {
  it('masks credential headers, keeps the others as sent, in arrival order', () => {
    const r = recordRequestHeaders('POST', '/v1/messages?beta=true', {
      host: '127.0.0.1:8787',
      'content-type': 'application/json',
      authorization: `Bearer ${KEY}`,
      'x-api-key': 'client-key-not-stored',
      'x-goog-api-key': 'AIzaSyA1234567890abcdefghij',
      cookie: 'session=abc123',
      'x-custom-token': 'tok',
      'x-note': `leaked ${KEY} here`,
      'set-cookie': ['a=1', 'b=2'],
      'x-undefined': undefined,
      'user-agent': 'claude-cli/2.0.0 (external, cli)',
    });
    expect(r.method).toBe('POST');
    expect(r.target).toBe('/v1/messages?beta=true');
    expect(r.omitted).toBe(0);
    expect(r.headers).toEqual([
      { name: 'host', value: '127.0.0.1:8787', redacted: false },
      { name: 'content-type', value: 'application/json', redacted: false },
      { name: 'authorization', value: `Bearer sk-a…(redacted, ${KEY.length} chars)`, redacted: true },
      { name: 'x-api-key', value: 'clie…(redacted, 21 chars)', redacted: true },
      { name: 'x-goog-api-key', value: 'AIza…(redacted, 27 chars)', redacted: true },
      { name: 'cookie', value: '…(redacted, 14 chars)', redacted: true },
      { name: 'x-custom-token', value: '…(redacted, 3 chars)', redacted: true },
      { name: 'x-note', value: 'leaked [redacted] here', redacted: true },
      { name: 'set-cookie', value: '…(redacted, 3 chars)', redacted: true },
      { name: 'set-cookie', value: '…(redacted, 3 chars)', redacted: true },
      { name: 'user-agent', value: 'claude-cli/2.0.0 (external, cli)', redacted: false },
    ]);
    const text = JSON.stringify(r);
    for (const secret of [KEY, 'client-key-not-stored', 'AIzaSyA1234567890abcdefghij', 'abc123'])
      expect(text).not.toContain(secret);
  });

  it(`keeps at most ${MAX_RECORDED_HEADERS} headers and counts the rest`, () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x-h${i}`, String(i)]));
    const r = recordRequestHeaders('POST', '/v1/messages', many);
    expect(r.headers).toHaveLength(MAX_RECORDED_HEADERS);
    expect(r.headers.at(-1)).toEqual({
      name: `x-h${MAX_RECORDED_HEADERS - 1}`,
      value: '63',
      redacted: false,
    });
    expect(r.omitted).toBe(100 - MAX_RECORDED_HEADERS);
  });

  it(`keeps at most ${MAX_RECORDED_HEADER_BYTES} bytes, cutting very long values`, () => {
    const big = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`x-big${i}`, 'é'.repeat(3000)]));
    const r = recordRequestHeaders('POST', '/', big);
    const bytes = r.headers.reduce((n, h) => n + Buffer.byteLength(h.name) + Buffer.byteLength(h.value), 0);
    expect(bytes).toBeLessThanOrEqual(MAX_RECORDED_HEADER_BYTES);
    expect(r.headers.length).toBeGreaterThan(0);
    expect(r.headers[0]!.value).toMatch(/^é{1024}…\(\+1976 chars\)$/);
    expect(r.headers.length + r.omitted).toBe(20);
  });

  it('never records an odd method verbatim', () => {
    expect(recordRequestHeaders('post', '/', {}).method).toBe('POST');
    expect(recordRequestHeaders('PO ST\r\n', '/', {}).method).toBe('OTHER');
  });
});
