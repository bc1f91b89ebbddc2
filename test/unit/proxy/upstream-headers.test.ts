import { describe, expect, it } from 'vitest';
import { adapterForKind } from '../../../src/formats';
import { buildHeaders, clientHeaders } from '../../../src/main/proxy/upstream';
import { ProviderSchema } from '../../../src/shared/config';

// Issue #15 item 12: what a browser adds never reaches a provider, and only Sluice answers CORS.
describe('browser headers and CORS at the upstream boundary', () => {
  it('drops Cookie, Origin and Referer on the way up, whether or not the provider has a key', () => {
    const inbound = {
      cookie: 'sluice_session=s; other=1',
      origin: 'https://allowed.example',
      referer: 'https://allowed.example/page',
      'anthropic-version': '2023-06-01',
    };
    for (const apiKey of ['sk-p', undefined]) {
      const p = ProviderSchema.parse({ id: 'p', kind: 'anthropic', baseUrl: 'https://a', apiKey });
      const h = buildHeaders(inbound, p, null, adapterForKind('anthropic').authHeaders);
      expect(Object.keys(h).sort()).toEqual(
        apiKey === undefined ? ['anthropic-version'] : ['anthropic-version', 'x-api-key'],
      );
    }
  });

  it('drops every access-control-* header of the answer', () => {
    expect(
      clientHeaders({
        'access-control-allow-origin': '*',
        'Access-Control-Allow-Credentials': 'true',
        'access-control-expose-headers': 'x-a',
        'access-control-allow-headers': '*',
        'request-id': 'r1',
        vary: 'accept-encoding',
      }),
    ).toEqual({ 'request-id': 'r1', vary: 'accept-encoding' });
  });
});
