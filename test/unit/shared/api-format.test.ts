import { describe, expect, it } from 'vitest';
import { detectClient } from '../../../src/shared/client-app';

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
