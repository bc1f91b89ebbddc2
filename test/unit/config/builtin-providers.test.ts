import { describe, expect, it } from 'vitest';
import {
  OFFICIAL_BASE_URLS,
  builtinModeFrom,
  builtinProviders,
} from '../../../src/main/config/builtin-providers';
import { ProviderSchema } from '../../../src/shared/config';

describe('builtinModeFrom (SLUICE_BUILTIN_ORIGIN)', () => {
  it('unset, empty or "official" → the vendors; "off" → none; an origin → that origin', () => {
    expect(builtinModeFrom(undefined)).toBe('official');
    expect(builtinModeFrom('  ')).toBe('official');
    expect(builtinModeFrom('official')).toBe('official');
    expect(builtinModeFrom('off')).toBe('off');
    expect(builtinModeFrom('http://127.0.0.1:4000')).toEqual({ origin: 'http://127.0.0.1:4000' });
    expect(builtinModeFrom('http://127.0.0.1:4000/')).toEqual({ origin: 'http://127.0.0.1:4000' });
  });

  it('refuses anything else with a message naming the variable', () => {
    expect(() => builtinModeFrom('nope')).toThrow(/SLUICE_BUILTIN_ORIGIN: "nope"/);
    expect(() => builtinModeFrom('ftp://host')).toThrow(/must be an origin/);
    expect(() => builtinModeFrom('http://host/v1')).toThrow(/must be an origin/);
  });
});

describe('builtinProviders', () => {
  const provider = (id: string, kind: 'openai' | 'anthropic' | 'gemini') =>
    ProviderSchema.parse({ id, kind, baseUrl: 'http://127.0.0.1:1' });

  it('one keyless default per kind, at the official endpoints, after every configured priority', () => {
    const list = builtinProviders([], 'official');
    expect(list.map((p) => [p.id, p.kind, p.baseUrl, p.apiKey])).toEqual([
      ['builtin-openai', 'openai', OFFICIAL_BASE_URLS.openai, undefined],
      ['builtin-anthropic', 'anthropic', OFFICIAL_BASE_URLS.anthropic, undefined],
      ['builtin-gemini', 'gemini', OFFICIAL_BASE_URLS.gemini, undefined],
    ]);
    expect(list.every((p) => p.priority === Number.MAX_SAFE_INTEGER && p.enabled)).toBe(true);
  });

  it('a configured provider of a kind (enabled or not) replaces that kind only', () => {
    const off = { ...provider('mine', 'gemini'), enabled: false };
    expect(builtinProviders([off], 'official').map((p) => p.id)).toEqual([
      'builtin-openai',
      'builtin-anthropic',
    ]);
  });

  it('an override origin takes each vendor’s base URL convention; off gives none', () => {
    const list = builtinProviders([], { origin: 'http://127.0.0.1:9' });
    expect(list.map((p) => p.baseUrl)).toEqual([
      'http://127.0.0.1:9/v1',
      'http://127.0.0.1:9',
      'http://127.0.0.1:9',
    ]);
    expect(builtinProviders([], 'off')).toEqual([]);
  });
});
