import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedUpstream, post, type RawResponse, type Script } from '../support/fault-upstream';
import { anthropicKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * Session affinity through the real gateway, measured: a Claude Code-like conversation of 20 turns
 * across two providers that share requests 1:1 stays on the provider that served its first turn while
 * it is healthy (other conversations interleaved keep alternating), and moves on the very request that
 * finds that provider failing.
 */

type Id = 'p1' | 'p2';
const fail500: Script = { status: 500, headers: { 'content-type': 'application/json' }, chunks: ['{}'] };
const answer = (id: Id): Script => ({
  headers: { 'content-type': 'text/event-stream' },
  chunks: [anthropicKit.stream(`from ${id}`)],
});

describe('session affinity', () => {
  const up = {} as Record<Id, ScriptedUpstream>;
  let sluice: TestSluice;

  beforeAll(async () => {
    for (const id of ['p1', 'p2'] as const) up[id] = await new ScriptedUpstream(() => answer(id)).start();
    sluice = await startSluice({
      providers: (['p1', 'p2'] as const).map((id) => ({
        id,
        kind: 'anthropic',
        baseUrl: up[id].url,
        apiKey: `key-${id}`,
        priority: 1,
        weight: 1,
      })),
      settings: { maxAttempts: 2, retryBaseDelayMs: 1 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    for (const u of Object.values(up)) await u.close();
  });
  beforeEach(() => {
    sluice.app.gateway.health.reset();
    sluice.app.gateway.affinity.clear();
    for (const id of ['p1', 'p2'] as const) up[id].script = () => answer(id);
  });

  /** A conversation as Claude Code sends it: its session in metadata.user_id, the history growing. */
  function conversation(session: string | null) {
    const messages: { role: string; content: string }[] = [];
    return async (): Promise<{ served: Id; res: RawResponse }> => {
      messages.push({ role: 'user', content: `turn ${messages.length / 2 + 1} of ${session ?? 'anon'}` });
      const body = JSON.stringify({
        model: 'claude-sonnet-4',
        max_tokens: 64,
        stream: true,
        system: 'You are Claude Code.',
        ...(session === null ? {} : { metadata: { user_id: `user_0a1b_account_x_session_${session}` } }),
        messages,
      });
      const res = await post(sluice.url, '/v1/messages', body, anthropicKit.headers);
      const served = (['p1', 'p2'] as const).find((id) => res.text === anthropicKit.stream(`from ${id}`));
      if (served === undefined) throw new Error(`unexpected answer ${res.status}: ${res.text.slice(0, 200)}`);
      messages.push({ role: 'assistant', content: `answer from ${served}` });
      return { served, res };
    };
  }

  it('20 turns stay 100 % on one provider while it is healthy, and move on the next request after it fails', async () => {
    const main = conversation('7f3c-main');
    const others = Array.from({ length: 20 }, (_, i) => conversation(`other-${i}`));
    const turns: Id[] = [];
    const otherServed: Id[] = [];
    let first: RawResponse | null = null;
    for (let t = 0; t < 20; t++) {
      const { served, res } = await main();
      turns.push(served);
      first ??= res;
      otherServed.push((await others[t]!()).served); // another session's first turn takes a weighted turn
    }
    const holder = turns[0]!;
    const kept = turns.filter((s) => s === holder).length / turns.length;
    // Without affinity the 1:1 weights would alternate: the other sessions do.
    expect(new Set(otherServed).size).toBe(2);

    // The holder fails: the next turn is served by the other provider, and the conversation stays there,
    // even once the first is healthy again (its cache is now on the other).
    up[holder].script = () => fail500;
    const other: Id = holder === 'p1' ? 'p2' : 'p1';
    const after: Id[] = [];
    for (let t = 0; t < 3; t++) after.push((await main()).served);
    up[holder].script = () => answer(holder);
    sluice.app.gateway.health.reset();
    for (let t = 0; t < 3; t++) after.push((await main()).served);
    const turnsToMove = after.indexOf(other) + 1;
    console.log(
      `affinity: ${Math.round(kept * 100)} % of 20 turns kept on ${holder} while healthy; ` +
        `moved to ${other} after ${turnsToMove} request(s) once ${holder} failed; then ${after.join(' ')}`,
    );
    expect(kept).toBe(1);
    expect(turnsToMove).toBe(1);
    expect(after).toEqual([other, other, other, other, other, other]);

    // The row says why: the first turn took a weighted turn, a later one was kept by affinity.
    const firstId = String(first!.headers['x-sluice-request-id']);
    expect((await sluice.row((r) => r.requestId === firstId)).route).toMatchObject({ affinity: null });
    const { res: later } = await main();
    const laterId = String(later.headers['x-sluice-request-id']);
    expect((await sluice.row((r) => r.requestId === laterId)).route).toMatchObject({ affinity: other });
  }, 60_000);

  it('without a session id, the opening (system + first user message) keeps a conversation together', async () => {
    const anon = conversation(null);
    const served: Id[] = [];
    for (let t = 0; t < 6; t++) served.push((await anon()).served);
    expect(new Set(served).size).toBe(1);
  });

  it('a large body (read lazily) keeps its session by metadata.user_id, without being parsed for it', async () => {
    const big = 'x'.repeat(1_200_000);
    const served: Id[] = [];
    const messages: unknown[] = [];
    for (let t = 0; t < 4; t++) {
      messages.push({ role: 'user', content: t === 0 ? big : `q${t}` });
      const res = await post(
        sluice.url,
        '/v1/messages',
        JSON.stringify({
          model: 'claude-sonnet-4',
          max_tokens: 8,
          stream: true,
          metadata: { user_id: 'user_big_session_1' },
          messages,
        }),
        anthropicKit.headers,
      );
      served.push(res.text === anthropicKit.stream('from p1') ? 'p1' : 'p2');
      messages.push({ role: 'assistant', content: 'ok' });
      await conversation(`between-${t}`)(); // another session's turn moves the weighted turn on
    }
    expect(new Set(served).size).toBe(1);
  });

  it('expires after affinityTtlMs without a turn', async () => {
    sluice.app.config.updateSettings({ affinityTtlMs: 1 });
    try {
      const main = conversation('short-lived');
      const served: Id[] = [];
      for (let t = 0; t < 6; t++) {
        served.push((await main()).served);
        await new Promise((r) => setTimeout(r, 5));
      }
      // Each turn finds its entry lapsed and takes a weighted turn: both providers serve.
      expect(new Set(served).size).toBe(2);
    } finally {
      sluice.app.config.updateSettings({ affinityTtlMs: 3_600_000 });
    }
  });
});
