import { describe, expect, it } from 'vitest';
import { ProviderSchema, describeConfigIssues } from '../../../src/shared/config';
import {
  CUSTOM_USER_AGENT_MAX_CHARS,
  USER_AGENT_PRESETS,
  USER_AGENT_PRESET_INFO,
  resolveUserAgent,
  userAgentHeaders,
} from '../../../src/shared/user-agents';

const parse = (userAgent: unknown): ReturnType<typeof ProviderSchema.safeParse> =>
  ProviderSchema.safeParse({ id: 'p', kind: 'anthropic', baseUrl: 'https://a.example', userAgent });

const problems = (userAgent: unknown): string[] => {
  const r = parse(userAgent);
  return r.success ? [] : describeConfigIssues(r.error.issues);
};

describe('provider userAgent schema', () => {
  it('is optional, and takes every preset by name', () => {
    const none = ProviderSchema.parse({ id: 'p', kind: 'anthropic', baseUrl: 'https://a.example' });
    expect(none.userAgent).toBeUndefined();
    for (const preset of USER_AGENT_PRESETS)
      expect(parse(preset)).toMatchObject({ data: { userAgent: preset } });
  });

  it('takes a custom User-Agent of printable ASCII', () => {
    expect(parse({ custom: 'MyRelayClient/1.0 (x; y)' })).toMatchObject({
      data: { userAgent: { custom: 'MyRelayClient/1.0 (x; y)' } },
    });
    const longest = 'a'.repeat(CUSTOM_USER_AGENT_MAX_CHARS);
    expect(parse({ custom: longest }).success).toBe(true);
  });

  it('refuses CR/LF and other control characters (header injection), naming the field', () => {
    expect(problems({ custom: 'ok/1\r\nx-injected: 1' })).toEqual(['userAgent.custom: no line breaks']);
    expect(problems({ custom: 'ok/1\nx' })).toEqual(['userAgent.custom: no line breaks']);
    expect(problems({ custom: 'ok/1\rx' })).toEqual(['userAgent.custom: no line breaks']);
    expect(problems({ custom: 'tab\there' })).toEqual(['userAgent.custom: printable ASCII only']);
    expect(problems({ custom: 'nul\u0000' })).toEqual(['userAgent.custom: printable ASCII only']);
    expect(problems({ custom: 'café/1' })).toEqual(['userAgent.custom: printable ASCII only']);
  });

  it('refuses an empty, padded or overlong custom value', () => {
    expect(problems({ custom: '' })).toEqual(['userAgent.custom: must not be empty']);
    expect(problems({ custom: '   ' })).toEqual(['userAgent.custom: must not be empty']);
    expect(problems({ custom: ' x/1' })).toEqual(['userAgent.custom: no leading or trailing spaces']);
    expect(problems({ custom: 'a'.repeat(CUSTOM_USER_AGENT_MAX_CHARS + 1) })).toEqual([
      `userAgent.custom: at most ${CUSTOM_USER_AGENT_MAX_CHARS} characters`,
    ]);
  });

  it('refuses unknown presets and other shapes with one readable line', () => {
    for (const bad of ['curl', 'Claude Code', 5, null, { custom: 'x', extra: 1 }, { name: 'x' }]) {
      const lines = problems(bad);
      expect(lines.length, JSON.stringify(bad)).toBeGreaterThan(0);
    }
    expect(problems('curl')).toEqual([
      'userAgent: one of "claude-code", "codex", "gemini-cli" or { "custom": "<User-Agent>" }',
    ]);
  });
});

describe('preset table', () => {
  it("carries each tool's exact User-Agent and its companion headers, all valid header values", () => {
    expect(USER_AGENT_PRESET_INFO['claude-code'].headers).toEqual({
      'user-agent': 'claude-cli/2.1.332 (external, cli)',
      'x-app': 'cli',
    });
    expect(USER_AGENT_PRESET_INFO.codex.headers).toEqual({
      'user-agent': 'codex_cli_rs/0.171.0 (Ubuntu 24.4.0; x86_64) xterm-256color',
      originator: 'codex_cli_rs',
    });
    expect(USER_AGENT_PRESET_INFO['gemini-cli'].headers['user-agent']).toBe(
      'GeminiCLI-tui/0.61.0/gemini-3.1-pro-preview (linux; x64; terminal)',
    );
    for (const preset of USER_AGENT_PRESETS)
      for (const [name, value] of Object.entries(USER_AGENT_PRESET_INFO[preset].headers)) {
        expect(name).toBe(name.toLowerCase());
        expect(value).toMatch(/^[\x20-\x7E]+$/);
      }
  });

  it('gives the headers of a setting: preset with companions, custom alone, none empty', () => {
    expect(userAgentHeaders(undefined)).toEqual({});
    expect(userAgentHeaders({ custom: 'X/1' })).toEqual({ 'user-agent': 'X/1' });
    const codex = userAgentHeaders('codex');
    codex.originator = 'changed';
    expect(USER_AGENT_PRESET_INFO.codex.headers.originator).toBe('codex_cli_rs');
  });

  it("resolves Sluice's own identity: preset, custom, else Sluice/<version>", () => {
    expect(resolveUserAgent({}, '1.2.3')).toEqual({ 'user-agent': 'Sluice/1.2.3' });
    expect(resolveUserAgent({ userAgent: undefined }, '1.2.3')).toEqual({ 'user-agent': 'Sluice/1.2.3' });
    expect(resolveUserAgent({ userAgent: 'claude-code' }, '1.2.3')).toEqual({
      'user-agent': 'claude-cli/2.1.332 (external, cli)',
      'x-app': 'cli',
    });
    expect(resolveUserAgent({ userAgent: { custom: 'Relay/9' } }, '1.2.3')).toEqual({
      'user-agent': 'Relay/9',
    });
  });
});
