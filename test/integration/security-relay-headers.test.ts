import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream';
import { post } from '../support/fault-upstream';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * The gateway answers from Sluice's own origin, where the dashboard keeps its session in
 * sessionStorage: a provider's page (an HTML error, or worse) passed through must never run there.
 */
describe('relayed answers cannot run as pages on Sluice’s origin', () => {
  let upstream: FakeUpstream;
  let sluice: TestSluice;
  const page = '<!doctype html><script>fetch("/_sluice/api/status")</script>';

  beforeAll(async () => {
    upstream = await new FakeUpstream(() => ({
      status: 400,
      headers: { 'content-type': 'text/html' },
      chunks: [page],
    })).start();
    sluice = await startSluice({
      providers: [
        { id: 'o', kind: 'openai', baseUrl: `${upstream.url}/v1`, apiKey: 'sk-provider-0123456789' },
      ],
    });
  });
  afterAll(async () => {
    await sluice.close();
    await upstream.close();
  });

  it('a passed-through HTML answer comes sandboxed and unsniffable', async () => {
    const res = await post(
      sluice.url,
      '/v1/chat/completions',
      JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      { 'content-type': 'application/json' },
    );
    expect(res.status).toBe(400);
    expect(res.text).toBe(page);
    expect(res.headers['content-security-policy']).toMatch(/^sandbox\b/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
