import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRow } from '../../src/shared/usage';
import {
  ScriptedUpstream,
  pairProviders,
  postThenLeave,
  type Script,
  type SeenRequest,
} from '../support/fault-upstream';
import { KITS, chatKit, type FormatKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * A client that goes away must take its upstream request with it at once, in every phase. Measured on
 * the upstream side: when its socket closed. The product goal is ~50 ms; the bound here is generous.
 */
const BOUND_MS = 1_000;

describe('client disconnect', () => {
  let a: ScriptedUpstream;
  let b: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    a = await new ScriptedUpstream().start();
    b = await new ScriptedUpstream(() => ({ chunks: [chatKit.stream('from B')] })).start();
    sluice = await startSluice({
      providers: pairProviders(a, b),
      settings: {
        firstByteTimeoutMs: 10_000,
        idleTimeoutMs: 10_000,
        prefetchMaxMs: 10_000,
        retryBaseDelayMs: 3_000,
        retryMaxDelayMs: 3_000,
      },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await a.close();
    await b.close();
  });
  beforeEach(() => {
    sluice.app.gateway.health.reset();
  });

  /** Waits for the upstream request to close and checks it closed soon after the client left. */
  async function expectClosedSoonAfter(rec: SeenRequest, leftAt: number): Promise<void> {
    await expect.poll(() => rec.closedAt, { timeout: 3_000 }).not.toBeNull();
    expect(rec.finished).toBe(false);
    expect(rec.closedAt! - leftAt).toBeLessThan(BOUND_MS);
  }

  function rowFor(kit: FormatKit, model: string): Promise<UsageRow> {
    return sluice.row((r) => r.model === model && r.format === kit.format);
  }

  describe.each(KITS)('$format', (kit: FormatKit) => {
    const leave = (model: string, after: { ms: number } | 'first-byte'): ReturnType<typeof postThenLeave> =>
      postThenLeave(sluice.url, kit.path(model), kit.body(model), kit.headers, after);

    async function run(
      model: string,
      script: Script,
      after: { ms: number } | 'first-byte',
    ): Promise<UsageRow> {
      a.script = () => script;
      const before = a.requests.length;
      const bBefore = b.requests.length;
      const { leftAt } = await leave(model, after);
      await expect.poll(() => a.requests.length).toBe(before + 1);
      await expectClosedSoonAfter(a.last(), leftAt);
      const row = await rowFor(kit, model);
      expect(row).toMatchObject({ status: 'aborted', httpStatus: 499 });
      expect(row.durationMs).toBeLessThan(5_000);
      expect(b.requests.length).toBe(bBefore);
      return row;
    }

    it('while waiting for the upstream headers', async () => {
      const model = `wait-headers-${kit.kind}`;
      await run(model, { headersDelayMs: 8_000, chunks: [kit.stream('late')] }, { ms: 200 });
      const attempts = sluice.app.attempts.forRequest((await rowFor(kit, model)).requestId);
      expect(attempts.at(-1)).toMatchObject({ provider: `${kit.kind}-a`, outcome: 'aborted' });
    });

    it('in the prefetch gate (headers and a preamble in, nothing sent to the client yet)', async () => {
      await run(`prefetch-${kit.kind}`, { chunks: [kit.preamble()], then: 'hang' }, { ms: 200 });
    });

    it('while relaying, keeping the usage seen so far', async () => {
      const row = await run(`relay-${kit.kind}`, { chunks: [kit.head('some')], then: 'hang' }, 'first-byte');
      expect(row.provider).toBe(`${kit.kind}-a`);
      if (kit.headInputTokens !== null) {
        expect(row).toMatchObject({ usageProvenance: 'partial', inputTokens: kit.headInputTokens });
      }
    });
  });

  it('during the backoff before a retry: recorded as aborted at once, no further attempt', async () => {
    a.script = () => ({ status: 500, headers: { 'content-type': 'application/json' }, chunks: ['{}'] });
    b.script = () => ({ status: 500, headers: { 'content-type': 'application/json' }, chunks: ['{}'] });
    const [aBefore, bBefore] = [a.requests.length, b.requests.length];
    const model = 'backoff-leave';
    const { leftAt } = await postThenLeave(
      sluice.url,
      chatKit.path(model),
      chatKit.body(model),
      chatKit.headers,
      {
        ms: 300,
      },
    );
    const row = await rowFor(chatKit, model);
    expect(row).toMatchObject({ status: 'aborted', httpStatus: 499 });
    // The backoff is 3 s: the row must not wait for it.
    expect(performance.now() - leftAt).toBeLessThan(2_000);
    await new Promise((r) => setTimeout(r, 100));
    expect([a.requests.length - aBefore, b.requests.length - bBefore]).toEqual([1, 1]);
  });
});
