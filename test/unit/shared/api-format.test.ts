import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../../src/shared/api-format';
import { detectClient } from '../../../src/shared/client-app';

describe('routes', () => {
  it('maps every inbound path the SDKs and CLIs call', () => {
    expect(matchRoute('POST', '/v1/chat/completions')?.format).toBe('openai-chat');
    expect(matchRoute('POST', '/v1/responses')?.format).toBe('openai-responses');
    expect(matchRoute('POST', '/v1/messages')?.op).toBe('generate');
    expect(matchRoute('POST', '/v1/messages/count_tokens')?.op).toBe('count-tokens');
    const g = matchRoute('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(g).toMatchObject({ format: 'gemini', urlModel: 'gemini-2.5-flash', urlStreams: true });
    expect(matchRoute('POST', '/v1/models/gemini-pro:generateContent')).toMatchObject({
      urlStreams: false,
      upstreamPath: '/v1/models/{model}:generateContent',
    });
    expect(matchRoute('POST', '/v1beta/models/m:countTokens')?.op).toBe('count-tokens');
    expect(matchRoute('GET', '/v1/models')?.op).toBe('list-models');
    expect(matchRoute('GET', '/v1beta/models')?.format).toBe('gemini');
    expect(matchRoute('POST', '/v1/embeddings')).toBeNull();
    expect(matchRoute('GET', '/v1/chat/completions')).toBeNull();
  });
});

describe('client apps', () => {
  it('recognises the common tools from their headers', () => {
    expect(detectClient({ 'user-agent': 'claude-cli/2.0.14 (external, cli)' })).toBe('claude-code');
    expect(
      detectClient({ 'user-agent': 'codex_exec/0.46.0 (Debian 12; x86_64)', originator: 'codex_exec' }),
    ).toBe('codex');
    expect(detectClient({ 'user-agent': 'GeminiCLI/0.9.0 (linux; x64)' })).toBe('gemini-cli');
    expect(detectClient({ 'user-agent': 'OpenAI/JS 6.3.0', 'x-stainless-lang': 'js' })).toBe('openai-sdk');
    expect(
      detectClient({
        'user-agent': 'Anthropic/JS 0.65.0',
        'x-stainless-lang': 'js',
        'anthropic-version': '2023-06-01',
      }),
    ).toBe('anthropic-sdk');
    expect(detectClient({ 'user-agent': 'google-genai-sdk/1.20.0 gl-node/v20' })).toBe('google-sdk');
    expect(detectClient({ 'user-agent': 'curl/8.1' })).toBe('curl');
    expect(detectClient({})).toBe('other');
  });
});
