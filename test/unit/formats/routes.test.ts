import { describe, expect, it } from 'vitest';
import { adapterFor, guessFormat, matchRoute } from '../../../src/formats';
import { API_FORMATS } from '../../../src/shared/api-format';

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

describe('guessFormat', () => {
  it('answers an unknown path in the language its caller most likely speaks', () => {
    expect(guessFormat('/v1beta/models/m:embedContent', {})).toBe('gemini');
    expect(guessFormat('/v1/models/m', {})).toBe('gemini');
    expect(guessFormat('/v1/other', { 'x-goog-api-key': 'k' })).toBe('gemini');
    // Gemini's signs win over Anthropic's.
    expect(guessFormat('/v1/messages/x', { 'x-goog-api-key': 'k' })).toBe('gemini');
    expect(guessFormat('/v1/messages/batches', {})).toBe('anthropic');
    expect(guessFormat('/v1/other', { 'anthropic-version': '2023-06-01' })).toBe('anthropic');
    expect(guessFormat('/v1/responses/r1', {})).toBe('openai-responses');
    expect(guessFormat('/v1/embeddings', {})).toBe('openai-chat');
  });
});

describe('each format owns its routes', () => {
  it('routes only to itself', () => {
    for (const format of API_FORMATS) {
      const adapter = adapterFor(format);
      expect(adapter.format).toBe(format);
      for (const [method, path] of [
        ['POST', '/v1/chat/completions'],
        ['POST', '/v1/responses'],
        ['POST', '/v1/messages'],
        ['POST', '/v1beta/models/m:generateContent'],
        ['GET', '/v1/models'],
      ] as const) {
        const route = adapter.matchRoute(method, path);
        if (route !== null) expect(route.format).toBe(format);
      }
    }
  });
});
