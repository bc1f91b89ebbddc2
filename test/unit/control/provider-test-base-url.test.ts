import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderSchema } from '../../../src/shared/config';
import { testProvider } from '../../../src/main/control/provider-test';
import type { UpstreamHeaders } from '../../../src/main/control/deps';
import { FakeUpstream } from '../../support/fake-upstream';

const upstreamHeaders: UpstreamHeaders = (inbound) => ({ ...inbound });

describe('provider test of a base URL with the version Sluice adds itself (issue #14 item 9)', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await new FakeUpstream(() => ({ status: 404, chunks: ['not found'] })).start();
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('says what to change and sends nothing', async () => {
    const provider = ProviderSchema.parse({ id: 'a', kind: 'anthropic', baseUrl: `${upstream.url}/v1` });
    const result = await testProvider(provider, null, '1.0.0', [], upstreamHeaders);
    expect(result).toEqual({
      ok: false,
      status: null,
      latencyMs: 0,
      message: `base URL: remove /v1 from the base URL (${upstream.url}): Sluice adds /v1/messages itself, as Anthropic's SDK does; Anthropic's own base is https://api.anthropic.com`,
    });
    expect(upstream.requests).toHaveLength(0);
  });
});
