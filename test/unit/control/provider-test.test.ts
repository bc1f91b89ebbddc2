import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderSchema, type ProviderConfig } from '../../../src/shared/config';
import { testProvider } from '../../../src/main/control/provider-test';
import type { UpstreamHeaders } from '../../../src/main/control/deps';
import { FakeUpstream } from '../../support/fake-upstream';

/** What the gateway would send, in short: the key as x-api-key, then the provider's headers. */
const upstreamHeaders: UpstreamHeaders = (inbound, p) => ({
  ...inbound,
  ...(p.apiKey === undefined ? {} : { 'x-api-key': p.apiKey }),
  ...Object.fromEntries(Object.entries(p.headers).map(([k, v]) => [k.toLowerCase(), v])),
});

describe('provider test', () => {
  let upstream: FakeUpstream;
  let provider: ProviderConfig;

  beforeAll(async () => {
    upstream = await new FakeUpstream(() => ({
      status: 401,
      headers: { 'content-type': 'application/json' },
      chunks: ['{"error":{"message":"no"}}'],
    })).start();
    provider = ProviderSchema.parse({
      id: 'a',
      kind: 'anthropic',
      baseUrl: upstream.url,
      apiKey: 'sk-ant-stored-0123456789',
      headers: { 'x-custom-cred': 'marked-secret-1', 'x-team': 'core' },
      secretHeaders: ['x-custom-cred'],
    });
  });
  afterAll(() => upstream.close());

  it('sends the stored credentials to the origin they were saved for', async () => {
    await testProvider(provider, new URL(upstream.url).origin, '0.0.0', [], upstreamHeaders);
    const sent = upstream.requests.at(-1)!.headers;
    expect(sent['x-api-key']).toBe('sk-ant-stored-0123456789');
    expect(sent['x-custom-cred']).toBe('marked-secret-1');
  });

  it('never sends them anywhere else', async () => {
    const r = await testProvider(provider, 'https://api.anthropic.com', '0.0.0', [], upstreamHeaders);
    const sent = upstream.requests.at(-1)!.headers;
    expect(sent['x-api-key']).toBeUndefined();
    expect(sent['x-custom-cred']).toBeUndefined();
    expect(sent['x-team']).toBe('core');
    expect(r.message).toContain('belongs to https://api.anthropic.com');
  });
});
