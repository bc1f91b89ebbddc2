import { describe, expect, it } from 'vitest';
import type { PoolKeyView, ProviderView } from '../../../src/shared/ipc-contract';
import {
  newKeyPreview,
  poolFormFrom,
  poolInput,
} from '../../../src/renderer/src/features/providers/key-pool-form';
import {
  emptyForm,
  formFrom,
  toInput,
} from '../../../src/renderer/src/features/providers/provider-form-model';

const key = (fingerprint: string, source: PoolKeyView['source']): PoolKeyView => ({
  fingerprint,
  source,
  requests: 0,
  errors: 0,
  unusableForMs: 0,
  reason: null,
});
const view = {
  id: 'p',
  kind: 'openai',
  baseUrl: 'https://api.example.com/v1',
  priority: 1,
  enabled: true,
  models: {},
  headers: {},
  hasKey: true,
  keyPreview: 'sk-…1111',
  builtin: false,
  keys: [key('aaaa…0001', 'apiKey'), key('bbbb…0002', 'apiKeys'), key('cccc…0003', 'apiKeys')],
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
} as ProviderView;

describe('key pool form', () => {
  it('holds the saved pool by fingerprint (not the apiKey) and sends nothing when it is unchanged', () => {
    const pool = poolFormFrom(view);
    expect(pool).toEqual({ keep: ['bbbb…0002', 'cccc…0003'], add: [] });
    expect(poolInput(pool, view, false)).toBeUndefined();
    const saved = toInput(formFrom(view), view, 1);
    expect(saved.ok && 'apiKeys' in saved.input).toBe(false);
  });

  it('sends kept fingerprints and new keys in order, null when emptied, only new keys after a move', () => {
    expect(poolInput({ keep: ['cccc…0003'], add: ['new-key-1234'] }, view, false)).toEqual([
      { keep: 'cccc…0003' },
      'new-key-1234',
    ]);
    expect(poolInput({ keep: [], add: [] }, view, false)).toBeNull();
    expect(poolInput({ keep: ['bbbb…0002'], add: ['new-key-1234'] }, view, true)).toEqual(['new-key-1234']);
    expect(poolInput({ keep: [], add: [] }, null, false)).toBeUndefined();
    const f = {
      ...emptyForm('openai'),
      id: 'n',
      baseUrl: 'https://h/v1',
      pool: { keep: [], add: ['k-1', 'k-2'] },
    };
    const r = toInput(f, null, 1);
    expect(r.ok && r.input.apiKeys).toEqual(['k-1', 'k-2']);
  });

  it('previews a typed key by its last four characters only', () => {
    expect(newKeyPreview('sk-abcdefgh-9876')).toBe('…9876');
    expect(newKeyPreview('short')).toBe('••••');
  });
});
