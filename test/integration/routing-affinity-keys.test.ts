import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedUpstream, post } from '../support/fault-upstream';
import { anthropicKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * Affinity holds the key too: a provider's pool takes keys in turn, but a conversation's turns go with
 * the key that served its previous turn (a prompt cache is per key), while other sessions keep turning.
 */
describe('session affinity and key pools', () => {
  let up: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    up = await new ScriptedUpstream(() => ({
      headers: { 'content-type': 'text/event-stream' },
      chunks: [anthropicKit.stream('ok')],
    })).start();
    sluice = await startSluice({
      providers: [{ id: 'pool', kind: 'anthropic', baseUrl: up.url, apiKeys: ['key-one', 'key-two'] }],
    });
  });
  afterAll(async () => {
    await sluice.close();
    await up.close();
  });

  const send = async (session: string, messages: unknown[]): Promise<string> => {
    const res = await post(
      sluice.url,
      '/v1/messages',
      JSON.stringify({
        model: 'claude-sonnet-4',
        max_tokens: 16,
        stream: true,
        metadata: { user_id: `user_k_session_${session}` },
        messages,
      }),
      anthropicKit.headers,
    );
    expect(res.status).toBe(200);
    return String(up.last().headers['x-api-key']);
  };

  it("a conversation's turns keep its first key while other sessions' requests take turns", async () => {
    const main: unknown[] = [];
    const mainKeys: string[] = [];
    const otherKeys: string[] = [];
    for (let t = 0; t < 6; t++) {
      main.push({ role: 'user', content: `q${t}` });
      mainKeys.push(await send('main', main));
      main.push({ role: 'assistant', content: 'ok' });
      for (const other of ['x', 'y']) {
        otherKeys.push(await send(`${other}-${t}`, [{ role: 'user', content: 'hi' }]));
      }
    }
    expect(new Set(mainKeys).size).toBe(1);
    expect(new Set(otherKeys)).toEqual(new Set(['key-one', 'key-two']));
  });
});
