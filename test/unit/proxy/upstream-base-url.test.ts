import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../../src/formats';
import { buildTarget } from '../../../src/main/proxy/upstream';
import { ProviderSchema, type ProviderConfig } from '../../../src/shared/config';

/** A saved provider, as the store loads it: no check of its base URL on the way. */
const saved = (kind: string, baseUrl: string): ProviderConfig =>
  ProviderSchema.parse({ id: 'p', kind, baseUrl, priority: 1 });

describe('buildTarget never sends a doubled version (issue #14 item 9)', () => {
  it('Anthropic: a base with /v1 still goes to /v1/messages', () => {
    const route = matchRoute('POST', '/v1/messages')!;
    expect(buildTarget(saved('anthropic', 'https://relay.example/v1'), route, 'c', '').path).toBe(
      '/v1/messages',
    );
    expect(
      buildTarget(saved('anthropic', 'https://relay.example/claude/v1/'), route, 'c', '').displayUrl,
    ).toBe('https://relay.example/claude/v1/messages');
  });

  it('Gemini: a base with /v1beta (or /v1) takes the version the client asked for', () => {
    const route = matchRoute('POST', '/v1beta/models/gemini-x:streamGenerateContent')!;
    expect(buildTarget(saved('gemini', 'https://g.example/v1beta'), route, 'gemini-x', 'alt=sse').path).toBe(
      '/v1beta/models/gemini-x:streamGenerateContent?alt=sse',
    );
    expect(buildTarget(saved('gemini', 'https://g.example/v1'), route, 'gemini-x', '').path).toBe(
      '/v1beta/models/gemini-x:streamGenerateContent',
    );
  });

  it('OpenAI: the base keeps its /v1, said once', () => {
    const route = matchRoute('POST', '/v1/chat/completions')!;
    expect(buildTarget(saved('openai', 'https://api.openai.com/v1'), route, 'gpt', '').path).toBe(
      '/v1/chat/completions',
    );
    expect(buildTarget(saved('openai', 'https://relay.example/v1/v1'), route, 'gpt', '').path).toBe(
      '/v1/chat/completions',
    );
  });
});
