import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedUpstream, post } from '../support/fault-upstream';
import { anthropicKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * Weights through the real gateway: three providers of equal priority weighted 1:2:3 share 1 000
 * requests (each a new conversation) within 2 % of those shares, interleaved; one in cooldown is
 * passed over, and takes its turns again, without a burst, once it is back.
 */

const WEIGHTS = { w1: 1, w2: 2, w3: 3 } as const;
type Id = keyof typeof WEIGHTS;

describe('weights', () => {
  const up = {} as Record<Id, ScriptedUpstream>;
  let sluice: TestSluice;

  beforeAll(async () => {
    for (const id of Object.keys(WEIGHTS) as Id[]) {
      up[id] = await new ScriptedUpstream(() => ({
        headers: { 'content-type': 'text/event-stream' },
        chunks: [anthropicKit.stream(id)],
      })).start();
    }
    sluice = await startSluice({
      providers: (Object.keys(WEIGHTS) as Id[]).map((id) => ({
        id,
        kind: 'anthropic',
        baseUrl: up[id].url,
        apiKey: `key-${id}`,
        priority: 1,
        weight: WEIGHTS[id],
      })),
      settings: { captureFrames: false },
    });
  });
  afterAll(async () => {
    await sluice.close();
    for (const u of Object.values(up)) await u.close();
  });

  /** Sends one first turn of a new conversation; returns who served it (from the answer's text). */
  async function one(n: number): Promise<Id> {
    const body = JSON.stringify({
      model: 'claude-x',
      max_tokens: 8,
      stream: true,
      messages: [{ role: 'user', content: `question ${n}` }],
    });
    const res = await post(sluice.url, '/v1/messages', body, anthropicKit.headers);
    const served = (Object.keys(WEIGHTS) as Id[]).find((id) => res.text === anthropicKit.stream(id));
    if (served === undefined) throw new Error(`unexpected answer: ${res.status} ${res.text.slice(0, 200)}`);
    return served;
  }

  it('1 000 requests over weights 1:2:3 land within 2 % of the shares; in turn order, interleaved', async () => {
    // Eight at a time: the shares do not depend on the order the answers come back in.
    const served: Id[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 1000) served.push(await one(next++));
      }),
    );
    const shares = Object.fromEntries(
      (Object.keys(WEIGHTS) as Id[]).map((id) => [id, served.filter((s) => s === id).length / served.length]),
    );
    console.log(`weights 1:2:3 over ${served.length} requests: ${JSON.stringify(shares)}`);
    expect(served).toHaveLength(1000);
    expect(Math.abs(shares.w1! - 1 / 6)).toBeLessThan(0.02);
    expect(Math.abs(shares.w2! - 2 / 6)).toBeLessThan(0.02);
    expect(Math.abs(shares.w3! - 3 / 6)).toBeLessThan(0.02);
    // One at a time, the sequence itself: w3 holds half the share, so at most 2 in a row; the others
    // never twice in a row.
    const seq: Id[] = [];
    for (let i = 0; i < 60; i++) seq.push(await one(1000 + i));
    let run = 1;
    const longest: Record<Id, number> = { w1: 0, w2: 0, w3: 0 };
    for (let i = 0; i < seq.length; i++) {
      run = i > 0 && seq[i] === seq[i - 1] ? run + 1 : 1;
      longest[seq[i]!] = Math.max(longest[seq[i]!], run);
    }
    expect(longest).toEqual({ w1: 1, w2: 1, w3: 2 });
  }, 120_000);

  it('a provider in cooldown is passed over, and shares again at once when it is back, without a burst', async () => {
    const settings = sluice.app.config.settings();
    sluice.app.gateway.health.cooldown('w3', settings, 60_000);
    const whileDown: Id[] = [];
    for (let i = 0; i < 30; i++) whileDown.push(await one(2000 + i));
    expect(whileDown).not.toContain('w3');
    // w1:w2 = 1:2 among those left (±1: the turn state carries over from before).
    expect(Math.abs(whileDown.filter((s) => s === 'w2').length - 20)).toBeLessThanOrEqual(1);
    sluice.app.gateway.health.reset('w3');
    const after: Id[] = [];
    for (let i = 0; i < 60; i++) after.push(await one(3000 + i));
    expect(Math.abs(after.filter((s) => s === 'w3').length - 30)).toBeLessThanOrEqual(1);
    expect(after.join(',')).not.toContain('w3,w3,w3');
  }, 60_000);
});
