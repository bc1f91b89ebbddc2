import { describe, expect, it } from 'vitest';
import { adapterFor, matchRoute } from '../../../src/formats';

const chat = adapterFor('openai-chat');
const responses = adapterFor('openai-responses');
const anthropic = adapterFor('anthropic');
const gemini = adapterFor('gemini');

describe('auth headers', () => {
  it("carry a provider's key in each vendor's style", () => {
    expect(chat.authHeaders('k')).toEqual({ authorization: 'Bearer k' });
    expect(responses.authHeaders('k')).toEqual({ authorization: 'Bearer k' });
    expect(anthropic.authHeaders('k')).toEqual({ 'x-api-key': 'k' });
    expect(gemini.authHeaders('k')).toEqual({ 'x-goog-api-key': 'k' });
  });
});

describe('body rewrite', () => {
  const body = { model: 'a', stream: true, messages: [] };

  it('leaves the body alone unless the model is mapped or usage injected', () => {
    for (const adapter of [chat, responses, anthropic, gemini]) {
      expect(adapter.rewriteBody(body, 'a', false)).toBeNull();
      expect(adapter.rewriteBody(body, null, false)).toBeNull();
    }
  });

  it('maps the model in the body, in place, but never for Gemini (its URL names it)', () => {
    for (const adapter of [chat, responses, anthropic]) {
      expect(adapter.rewriteBody(body, 'b', false)).toBe('{"model":"b","stream":true,"messages":[]}');
    }
    expect(gemini.rewriteBody(body, 'b', false)).toBeNull();
  });

  it("asks a Chat stream for usage the client did not, keeping the client's stream options", () => {
    expect(chat.needsInjectedUsage(body)).toBe(true);
    expect(chat.needsInjectedUsage({ ...body, stream_options: { include_usage: true } })).toBe(false);
    expect(chat.needsInjectedUsage({ ...body, stream: false })).toBe(false);
    expect(chat.needsInjectedUsage(null)).toBe(false);
    for (const adapter of [responses, anthropic, gemini])
      expect(adapter.needsInjectedUsage(body)).toBe(false);
    expect(JSON.parse(chat.rewriteBody({ ...body, stream_options: { x: 1 } }, 'b', true)!)).toEqual({
      ...body,
      model: 'b',
      stream_options: { x: 1, include_usage: true },
    });
  });
});

describe('streaming and body mode', () => {
  it('reads the stream flag from the body, or from the URL for Gemini', () => {
    const route = matchRoute('POST', '/v1/messages')!;
    expect(anthropic.requestStreams(route, { stream: true })).toBe(true);
    expect(anthropic.requestStreams(route, null)).toBe(false);
    const g = matchRoute('POST', '/v1beta/models/m:streamGenerateContent')!;
    expect(gemini.requestStreams(g, { stream: false })).toBe(true);
  });

  it('frames SSE by content type, and a Gemini stream without it as a JSON array', () => {
    for (const adapter of [chat, responses, anthropic, gemini]) {
      expect(adapter.bodyMode(true, 'Text/Event-Stream; charset=utf-8')).toBe('sse');
      expect(adapter.bodyMode(false, 'application/json')).toBe('json');
    }
    expect(chat.bodyMode(true, 'application/json')).toBe('json');
    expect(gemini.bodyMode(true, 'application/json')).toBe('json-array');
    expect(gemini.bodyMode(true, 'text/html')).toBe('json');
  });
});

describe('statusForErrorType', () => {
  it("maps each format's own error types", () => {
    expect(anthropic.statusForErrorType('overloaded_error')).toBe(529);
    expect(anthropic.statusForErrorType('api_error')).toBe(500);
    expect(chat.statusForErrorType('insufficient_quota')).toBe(429);
    expect(responses.statusForErrorType('rate_limit_exceeded')).toBe(429);
    expect(chat.statusForErrorType('server_error')).toBe(500);
    expect(gemini.statusForErrorType('RESOURCE_EXHAUSTED')).toBe(429);
    expect(gemini.statusForErrorType('UNAVAILABLE')).toBe(503);
    expect(gemini.statusForErrorType('INVALID_ARGUMENT')).toBe(400);
    expect(gemini.statusForErrorType('overloaded_error')).toBeUndefined();
    expect(chat.statusForErrorType('toString')).toBeUndefined();
  });
});
