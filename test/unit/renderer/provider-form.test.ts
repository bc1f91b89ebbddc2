import { describe, expect, it } from 'vitest';
import {
  emptyForm,
  formFrom,
  moveItem,
  parseList,
  parsePairs,
  toInput,
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
  headers: { 'x-api-key-extra': 'sk-…abcd', 'x-team': 'core' },
  rpm: 60,
  smoothing: { chunkChars: 4 },
  hasKey: true,
  keyPreview: 'sk-…wxyz',
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
      headers: { 'x-api-key-extra': 'sk-…abcd', 'x-team': 'core' },
      allowModels: ['claude-*'],
      rpm: 60,
      smoothing: { chunkChars: 4 },
    });
    expect('apiKey' in r.input).toBe(false);
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

  it('moves items for reordering', () => {
    expect(moveItem(['a', 'b', 'c', 'd'], 0, 2)).toEqual(['b', 'c', 'a', 'd']);
    expect(moveItem(['a', 'b', 'c', 'd'], 3, 0)).toEqual(['d', 'a', 'b', 'c']);
    expect(moveItem(['a', 'b'], 5, 0)).toEqual(['a', 'b']);
  });
});
