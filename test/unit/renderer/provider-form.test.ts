import { describe, expect, it } from 'vitest';
import {
  credentialsDropped,
  customFormats,
  defaultFormats,
  emptyForm,
  formFrom,
  moveItem,
  parseList,
  parsePairs,
  toInput,
  toggleFormat,
  userAgentPreview,
  USER_AGENT_CHOICES,
} from '../../../src/renderer/src/features/providers/provider-form-model';
import type { ProviderView } from '../../../src/shared/ipc-contract';

const view: ProviderView = {
  id: 'anthropic-main',
  kind: 'anthropic',
  baseUrl: 'https://api.anthropic.com',
  priority: 3,
  enabled: true,
  models: { 'claude-x': 'claude-y' },
  allowModels: ['claude-*'],
  headers: { 'x-api-key-extra': 'sk-…abcd', 'x-marked': 'mar…1234', 'x-team': 'core' },
  secretHeaders: ['x-marked'],
  rpm: 60,
  smoothing: { chunkChars: 4 },
  hasKey: true,
  keyPreview: 'sk-…wxyz',
  keys: [],
  builtin: false,
  health: {
    state: 'closed',
    samples: 0,
    failures: 0,
    consecutiveFailures: 0,
    lastError: null,
    openForMs: 0,
    cooldownForMs: 0,
    credentialsProblem: null,
  },
};

describe('provider form', () => {
  it('parses pairs and lists', () => {
    expect(parsePairs('a = b\n\n c=d=e \nbad\n=x', '=')).toEqual({ a: 'b', c: 'd=e' });
    expect(parsePairs('X-Team: core\nAuthorization: Bearer x', ':')).toEqual({
      'X-Team': 'core',
      Authorization: 'Bearer x',
    });
    expect(parseList('a, b\n c ,,')).toEqual(['a', 'b', 'c']);
  });

  it('round-trips a provider without its key, keeping fields the form does not show', () => {
    const r = toInput(formFrom(view), view, 99);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.input).toEqual({
      id: 'anthropic-main',
      kind: 'anthropic',
      baseUrl: 'https://api.anthropic.com',
      priority: 3,
      enabled: true,
      models: { 'claude-x': 'claude-y' },
      // Secret headers are write-only like the key: left out, the saved values stay.
      headers: { 'x-team': 'core' },
      secretHeaders: ['x-marked'],
      allowModels: ['claude-*'],
      rpm: 60,
      smoothing: { chunkChars: 4 },
    });
    expect('apiKey' in r.input).toBe(false);
  });

  it('never puts a secret header’s mask in the form, and lists the saved ones for removal', () => {
    const f = formFrom(view);
    expect(f.headers).toBe('x-team: core');
    expect(f.secretHeaders).toBe('');
    expect(f.savedSecrets).toEqual([
      { name: 'x-api-key-extra', preview: 'sk-…abcd' },
      { name: 'x-marked', preview: 'mar…1234' },
    ]);
  });

  it('sets secret headers typed anew (marking names the rule does not know), and removes with null', () => {
    const f = {
      ...formFrom(view),
      secretHeaders: 'x-org-cred: v-123\napi-key: azure-456',
      removeHeaders: ['x-marked'],
    };
    const r = toInput(f, view, 1);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.input.headers).toEqual({
      'x-team': 'core',
      'x-org-cred': 'v-123',
      'api-key': 'azure-456',
      'x-marked': null,
    });
    expect(r.input.secretHeaders).toEqual(['x-org-cred']);
  });

  it('warns that moving a provider to another origin drops what is not typed again', () => {
    const f = formFrom(view);
    expect(credentialsDropped(f, view)).toBe(false);
    expect(credentialsDropped({ ...f, baseUrl: 'https://api.anthropic.com/v2' }, view)).toBe(false);
    expect(credentialsDropped({ ...f, baseUrl: 'https://proxy.example' }, view)).toBe(true);
    expect(credentialsDropped({ ...f, baseUrl: 'http://api.anthropic.com' }, view)).toBe(true);
    expect(credentialsDropped({ ...f, baseUrl: 'https://proxy.example' }, null)).toBe(false);
  });

  it('sends a typed key, or null to remove the saved one', () => {
    const typed = toInput({ ...formFrom(view), apiKey: ' sk-new ' }, view, 1);
    expect(typed.ok && typed.input.apiKey).toBe('sk-new');
    const removed = toInput({ ...formFrom(view), apiKey: 'ignored', removeKey: true }, view, 1);
    expect(removed.ok && removed.input.apiKey).toBeNull();
  });

  it('reports bad fields by name', () => {
    const r = toInput({ ...emptyForm('openai'), id: 'bad id!', baseUrl: 'ftp://x', rpm: '1.5' }, null, 4);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['baseUrl', 'id', 'rpm']);
    const ok = toInput({ ...emptyForm('openai'), id: 'oa', baseUrl: 'https://api.openai.com/v1' }, null, 4);
    expect(ok.ok && ok.input.priority).toBe(4);
  });

  it('round-trips a User-Agent preset, a custom one, or none', () => {
    for (const userAgent of ['claude-code', 'codex', 'gemini-cli', { custom: 'Relay/1 (x)' }] as const) {
      const r = toInput(formFrom({ ...view, userAgent }), view, 1);
      expect(r.ok && r.input.userAgent).toEqual(userAgent);
    }
    expect(formFrom({ ...view, userAgent: { custom: 'Relay/1' } })).toMatchObject({
      userAgent: 'custom',
      userAgentCustom: 'Relay/1',
    });
    const none = toInput(formFrom(view), view, 1);
    expect(none.ok && 'userAgent' in none.input).toBe(false);
    // Back to the client's own: the field is dropped, so the saved preset goes with it.
    const cleared = toInput({ ...formFrom({ ...view, userAgent: 'codex' }), userAgent: '' }, view, 1);
    expect(cleared.ok && 'userAgent' in cleared.input).toBe(false);
  });

  it('offers the client’s own, each preset and custom, and previews exactly what is sent', () => {
    expect(USER_AGENT_CHOICES.map((c) => c.label)).toEqual([
      'Client’s own',
      'Claude Code',
      'Codex',
      'Gemini CLI',
      'Custom…',
    ]);
    const f = emptyForm();
    expect(userAgentPreview(f)).toBeNull();
    expect(userAgentPreview({ ...f, userAgent: 'claude-code' })).toEqual([
      ['user-agent', 'claude-cli/2.1.332 (external, cli)'],
      ['x-app', 'cli'],
    ]);
    expect(userAgentPreview({ ...f, userAgent: 'codex' })).toEqual([
      ['user-agent', 'codex_cli_rs/0.171.0 (Ubuntu 24.4.0; x86_64) xterm-256color'],
      ['originator', 'codex_cli_rs'],
    ]);
    expect(userAgentPreview({ ...f, userAgent: 'custom', userAgentCustom: ' Mine/2 ' })).toEqual([
      ['user-agent', 'Mine/2'],
    ]);
  });

  it('trims a custom User-Agent and refuses an empty one or one with a line break', () => {
    const base = { ...emptyForm('openai'), id: 'oa', baseUrl: 'https://api.openai.com/v1' };
    const ok = toInput({ ...base, userAgent: 'custom', userAgentCustom: '  Mine/2  ' }, null, 1);
    expect(ok.ok && ok.input.userAgent).toEqual({ custom: 'Mine/2' });
    const empty = toInput({ ...base, userAgent: 'custom', userAgentCustom: ' ' }, null, 1);
    expect(!empty.ok && empty.errors).toEqual({ userAgent: 'must not be empty' });
    const injected = toInput({ ...base, userAgent: 'custom', userAgentCustom: 'a\r\nx-evil: 1' }, null, 1);
    expect(!injected.ok && injected.errors).toEqual({ userAgent: 'no line breaks' });
    // A custom value typed earlier does not matter while a preset is chosen.
    const preset = toInput({ ...base, userAgent: 'gemini-cli', userAgentCustom: 'bad\n' }, null, 1);
    expect(preset.ok && preset.input.userAgent).toBe('gemini-cli');
  });

  it('round-trips formats in their order, the output clamp and the reasoning setting', () => {
    const translating: ProviderView = {
      ...view,
      kind: 'openai',
      formats: ['chat', 'messages'],
      maxOutputTokens: 8192,
      replayReasoning: true,
    };
    const f = formFrom(translating);
    expect(f).toMatchObject({
      formats: ['chat', 'messages'],
      maxOutputTokens: '8192',
      replayReasoning: true,
    });
    const r = toInput(f, translating, 1);
    expect(r.ok && r.input).toMatchObject({
      formats: ['chat', 'messages'],
      maxOutputTokens: 8192,
      replayReasoning: true,
    });
    // Nothing ticked, no clamp, reasoning off: the fields are left out, so the defaults apply.
    const plain = toInput(
      { ...f, formats: [], maxOutputTokens: ' ', replayReasoning: false },
      translating,
      1,
    );
    expect(plain.ok).toBe(true);
    if (!plain.ok) return;
    expect(['formats', 'maxOutputTokens', 'replayReasoning'].filter((k) => k in plain.input)).toEqual([]);
    expect(formFrom(view)).toMatchObject({ formats: [], maxOutputTokens: '', replayReasoning: false });
  });

  it('keeps formats in the order they were ticked; none ticked means the kind’s default', () => {
    expect(toggleFormat([], 'messages')).toEqual(['messages']);
    expect(toggleFormat(['messages'], 'chat')).toEqual(['messages', 'chat']);
    expect(toggleFormat(['messages', 'chat'], 'messages')).toEqual(['chat']);
    expect(toggleFormat(['chat'], 'messages')).toEqual(['chat', 'messages']);
    expect(defaultFormats('openai')).toEqual(['chat', 'responses']);
    expect(defaultFormats('anthropic')).toEqual(['messages']);
    expect(defaultFormats('gemini')).toEqual(['gemini']);
  });

  it('names formats for the row only when they differ from the kind’s default', () => {
    expect(customFormats({ kind: 'openai' })).toBeNull();
    expect(customFormats({ kind: 'openai', formats: ['chat', 'responses'] })).toBeNull();
    expect(customFormats({ kind: 'openai', formats: ['chat'] })).toEqual(['chat']);
    expect(customFormats({ kind: 'openai', formats: ['responses', 'chat'] })).toEqual(['responses', 'chat']);
    expect(customFormats({ kind: 'anthropic', formats: ['messages'] })).toBeNull();
  });

  it('keeps the settings the form does not show when saving an edit (a save replaces the provider whole)', () => {
    const tuned: ProviderView = { ...view, nonStreamTimeoutMs: 600_000, injectStreamUsage: false };
    const r = toInput(formFrom(tuned), tuned, 1);
    expect(r.ok && r.input).toMatchObject({ nonStreamTimeoutMs: 600_000, injectStreamUsage: false });
  });

  it('refuses a max output tokens that is not a whole number of at least 1, naming the field', () => {
    const base = { ...emptyForm('openai'), id: 'oa', baseUrl: 'https://api.openai.com/v1' };
    for (const bad of ['0', '-5', '1.5', 'lots']) {
      const r = toInput({ ...base, maxOutputTokens: bad }, null, 1);
      expect(!r.ok && r.errors).toEqual({ maxOutputTokens: 'a whole number, 1 or more' });
    }
    const ok = toInput({ ...base, maxOutputTokens: ' 4096 ' }, null, 1);
    expect(ok.ok && ok.input.maxOutputTokens).toBe(4096);
  });

  it('moves items for reordering', () => {
    expect(moveItem(['a', 'b', 'c', 'd'], 0, 2)).toEqual(['b', 'c', 'a', 'd']);
    expect(moveItem(['a', 'b', 'c', 'd'], 3, 0)).toEqual(['d', 'a', 'b', 'c']);
    expect(moveItem(['a', 'b'], 5, 0)).toEqual(['a', 'b']);
  });
});
