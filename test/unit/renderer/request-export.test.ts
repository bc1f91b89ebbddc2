import { describe, expect, it } from 'vitest';
import { recordRequestHeaders } from '../../../src/shared/header-redact';
import {
  curlCommand,
  exportName,
  framesToSse,
  shellQuote,
} from '../../../src/renderer/src/features/inspector/request-export';

describe('request exports', () => {
  it('quotes for a POSIX shell', () => {
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
  });

  it('writes curl without any key, redacting the body', () => {
    const body = JSON.stringify({
      model: 'claude-x',
      messages: [{ role: 'user', content: "don't leak sk-ant-abcdefghijklmnop" }],
    });
    const curl = curlCommand({
      gatewayUrl: 'http://127.0.0.1:8787/',
      format: 'anthropic',
      model: 'claude-x',
      stream: true,
      body,
    });
    expect(curl).toContain(`curl -N 'http://127.0.0.1:8787/v1/messages'`);
    expect(curl).toContain('-H "x-api-key: $ANTHROPIC_API_KEY"');
    expect(curl).not.toContain('sk-ant-abcdefghijklmnop');
    expect(curl).toContain('[redacted]');
    expect(curl).toContain(`don'\\''t`);
    const gemini = curlCommand({
      gatewayUrl: 'http://h',
      format: 'gemini',
      model: 'gemini-2.5-pro',
      stream: true,
      body: null,
    });
    expect(gemini).toContain(`'http://h/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse'`);
    expect(gemini).toContain('$GEMINI_API_KEY');
    expect(gemini).toContain('not captured');
    expect(
      curlCommand({ gatewayUrl: 'http://h', format: 'openai-chat', model: null, stream: false, body: '{}' }),
    ).toContain('"authorization: Bearer $OPENAI_API_KEY"');
  });

  it('replays the recorded path, query and headers, keys as variables, without hop-by-hop ones', () => {
    const headers = recordRequestHeaders('POST', '/v1/messages?beta=true', {
      host: '127.0.0.1:8787',
      connection: 'keep-alive',
      'content-length': '123',
      'accept-encoding': 'gzip, br',
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'fine-grained-tool-streaming-2025-05-14',
      authorization: 'Bearer sk-ant-oat01-abcdefghijklmnopqrstuvwxyz',
      cookie: 'sid=abcdefghijklmnopqrstuvwxyz',
      'user-agent': `claude-cli/2.0.0 (it's "quoted")`,
    });
    const curl = curlCommand({
      gatewayUrl: 'http://127.0.0.1:8787',
      format: 'anthropic',
      model: 'claude-x',
      stream: true,
      body: '{}',
      headers,
    });
    expect(curl.split(' \\\n  ')).toEqual([
      `curl -N 'http://127.0.0.1:8787/v1/messages?beta=true'`,
      `-H 'content-type: application/json'`,
      `-H 'anthropic-version: 2023-06-01'`,
      `-H 'anthropic-beta: fine-grained-tool-streaming-2025-05-14'`,
      '-H "authorization: Bearer $ANTHROPIC_API_KEY"',
      `-H 'cookie: <redacted>'`,
      `-H 'user-agent: claude-cli/2.0.0 (it'\\''s "quoted")'`,
      `--data-binary '{}'`,
    ]);
    expect(curl).not.toMatch(/abcdefghijkl|host:|content-length|keep-alive|gzip/);
  });

  it('puts the key of a Gemini ?key= back as a variable the shell expands', () => {
    const headers = recordRequestHeaders(
      'POST',
      '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key=AIzaSyA1234567890abcdefghij&access_token=x',
      { 'content-type': 'application/json', 'x-goog-api-key': 'AIzaSyA1234567890abcdefghij' },
    );
    const curl = curlCommand({
      gatewayUrl: 'http://h',
      format: 'gemini',
      model: 'gemini-2.5-pro',
      stream: true,
      body: null,
      headers,
    });
    expect(curl).toContain(
      `curl -N 'http://h/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key='"$GEMINI_API_KEY"'&access_token=<redacted>'`,
    );
    expect(curl).toContain('-H "x-goog-api-key: $GEMINI_API_KEY"');
    expect(curl).toContain('not captured');
    expect(curl).not.toContain('AIzaSy');
  });

  it('writes frames back as SSE', () => {
    expect(
      framesToSse([
        { event: 'message_start', data: '{"a":1}' },
        { event: null, data: 'line1\nline2' },
      ]),
    ).toBe('event: message_start\ndata: {"a":1}\n\ndata: line1\ndata: line2\n\n');
  });

  it('names files by time and id', () => {
    expect(
      exportName('0123456789abcdef0123456789abcdef', new Date(2026, 0, 2, 3, 4, 5).getTime(), 'sse'),
    ).toBe('sluice-20260102-030405-01234567.sse');
  });
});
