import { describe, expect, it } from 'vitest';
import { ProviderSchema } from '../../../src/shared/config';
import { isSecretHeader, providerSecrets } from '../../../src/shared/provider-secrets';

const provider = ProviderSchema.parse({
  id: 'p',
  kind: 'openai',
  baseUrl: 'https://example.test/v1',
  apiKey: 'sk-key-000000',
  headers: {
    'api-key': 'azure-1111',
    'x-api-key': 'xkey-2222',
    Authorization: 'Bearer bare-3333',
    'x-goog-api-key': 'goog-4444',
    'x-custom-cred': 'marked-5555',
    'x-team': 'core',
  },
  secretHeaders: ['X-CUSTOM-CRED'],
});

describe('provider secrets', () => {
  it('knows credential headers by name, and the ones the user marked', () => {
    for (const name of [
      'api-key',
      'x-api-key',
      'Authorization',
      'x-goog-api-key',
      'x-auth-token',
      'x-secret',
    ])
      expect(isSecretHeader(provider, name), name).toBe(true);
    expect(isSecretHeader(provider, 'x-custom-cred')).toBe(true);
    expect(isSecretHeader(provider, 'x-team')).toBe(false);
    expect(isSecretHeader(provider, 'anthropic-version')).toBe(false);
  });

  it('redacts no short value by value (it would cut `none` out of every text), though it stays secret', () => {
    const p = ProviderSchema.parse({
      id: 'q',
      kind: 'openai',
      baseUrl: 'https://example.test/v1',
      headers: { 'x-auth-mode': 'none', authorization: 'Bearer abc' },
    });
    expect(isSecretHeader(p, 'x-auth-mode')).toBe(true);
    expect(providerSecrets([p])).toEqual(['Bearer abc']);
  });

  it('lists the key, every credential header value and the bare token after its scheme', () => {
    expect(providerSecrets([provider]).sort()).toEqual(
      [
        'sk-key-000000',
        'azure-1111',
        'xkey-2222',
        'Bearer bare-3333',
        'bare-3333',
        'goog-4444',
        'marked-5555',
      ].sort(),
    );
  });
});
