import { describe, expect, it } from 'vitest';
import { baseUrlProblem, versionlessBase } from '../../../src/shared/base-url';

describe('baseUrlProblem (issue #14 item 9)', () => {
  it('says what to change when the base holds a version Sluice adds itself', () => {
    expect(baseUrlProblem('anthropic', 'https://api.anthropic.com/v1')).toBe(
      "remove /v1 from the base URL (https://api.anthropic.com): Sluice adds /v1/messages itself, as Anthropic's SDK does; Anthropic's own base is https://api.anthropic.com",
    );
    expect(baseUrlProblem('anthropic', 'https://relay.example/claude/v1/')).toMatch(
      /^remove \/v1 from the base URL \(https:\/\/relay\.example\/claude\)/,
    );
    expect(baseUrlProblem('gemini', 'https://generativelanguage.googleapis.com/v1beta')).toMatch(
      /^remove \/v1beta from the base URL \(https:\/\/generativelanguage\.googleapis\.com\): Sluice adds \/v1beta\/models\/… itself/,
    );
    expect(baseUrlProblem('gemini', 'https://g.example/v1')).toMatch(/^remove \/v1 /);
  });

  it('catches an endpoint path and a doubled version', () => {
    expect(baseUrlProblem('anthropic', 'https://api.anthropic.com/v1/messages')).toMatch(
      /^remove \/v1\/messages /,
    );
    expect(baseUrlProblem('gemini', 'https://g.example/v1beta/models')).toMatch(/^remove \/v1beta\/models /);
    expect(baseUrlProblem('openai', 'https://api.openai.com/v1/chat/completions')).toMatch(
      /^remove \/chat\/completions from the base URL \(https:\/\/api\.openai\.com\/v1\)/,
    );
    expect(baseUrlProblem('openai', 'https://relay.example/v1/v1')).toMatch(
      /^remove \/v1 from the base URL \(https:\/\/relay\.example\/v1\): the version is in it twice/,
    );
    expect(baseUrlProblem('openai', 'https://api.openai.com')).toMatch(/^add \/v1 to the base URL/);
  });

  it('accepts every base in its vendor SDK convention, and compatible providers’ own paths', () => {
    for (const [kind, url] of [
      ['openai', 'https://api.openai.com/v1'],
      ['openai', 'https://openrouter.ai/api/v1'],
      ['openai', 'https://api.deepseek.com'],
      ['openai', 'https://generativelanguage.googleapis.com/v1beta/openai/'],
      ['anthropic', 'https://api.anthropic.com'],
      ['anthropic', 'https://api.deepseek.com/anthropic'],
      ['gemini', 'https://generativelanguage.googleapis.com'],
      ['gemini', 'http://127.0.0.1:9000/'],
    ] as const) {
      expect(baseUrlProblem(kind, url), url).toBeNull();
    }
  });
});

describe('versionlessBase', () => {
  it('drops the base’s version when the route brings its own, and says a doubled one once', () => {
    expect(versionlessBase('/v1', '/v1/messages')).toBe('');
    expect(versionlessBase('/claude/v1', '/v1/messages')).toBe('/claude');
    expect(versionlessBase('/v1beta', '/v1beta/models/x:streamGenerateContent')).toBe('');
    expect(versionlessBase('/v1', '/v1beta/models/x:generateContent')).toBe('');
    expect(versionlessBase('/v1', '/chat/completions')).toBe('/v1');
    expect(versionlessBase('/v1/v1', '/chat/completions')).toBe('/v1');
    expect(versionlessBase('/api/anthropic', '/v1/messages')).toBe('/api/anthropic');
    expect(versionlessBase('', '/v1/messages')).toBe('');
  });
});
