import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRow } from '../../src/shared/usage';
import { ScriptedUpstream, pairProviders, post, type RawResponse } from '../support/fault-upstream';
import { KITS, errorFrameMessage, type FormatKit } from '../support/format-kits';
import { SDKS } from '../support/sdk-runners';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * After the commit the client holds one provider's bytes: no failover any more. A stream that dies
 * must end with one well-formed error event in the client's own format, and be recorded as failed
 * with the usage seen so far.
 */

describe('after the commit', () => {
  let a: ScriptedUpstream;
  let b: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    a = await new ScriptedUpstream().start();
    b = await new ScriptedUpstream().start();
    sluice = await startSluice({
      providers: pairProviders(a, b),
      settings: { idleTimeoutMs: 400, firstByteTimeoutMs: 2_000, prefetchMaxMs: 5_000, retryBaseDelayMs: 5 },
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

  function rowOf(res: RawResponse): Promise<UsageRow> {
    return sluice.row((r) => r.requestId === res.headers['x-sluice-request-id']);
  }

  describe.each(KITS)('$format', (kit: FormatKit) => {
    const send = (model = 'm-test'): Promise<RawResponse> =>
      post(sluice.url, kit.path(model), kit.body(model), kit.headers);
    const A = `${kit.kind}-a`;
    const head = kit.head('partial answer');

    beforeEach(() => {
      b.script = () => ({ chunks: [kit.stream('from B')] });
    });

    /** The client got A's head, then exactly one error frame in its format; nothing from B. */
    async function expectEndedWithError(res: RawResponse, message: RegExp, code: RegExp): Promise<UsageRow> {
      const before = b.requests.length;
      expect(res.status).toBe(200);
      expect(res.text.startsWith(head)).toBe(true);
      expect(errorFrameMessage(kit, res.text.slice(head.length))).toMatch(message);
      expect(res.text).not.toContain('from B');
      expect(b.requests.length).toBe(before);
      const row = await rowOf(res);
      expect(row).toMatchObject({ status: 'failed', provider: A, httpStatus: 200 });
      expect(row.error).toMatch(code);
      // No usage reported before the cut: the output is estimated from the text that was seen.
      if (kit.headInputTokens === null) expect(row.usageProvenance).toBe('estimated');
      else expect(row).toMatchObject({ usageProvenance: 'partial', inputTokens: kit.headInputTokens });
      return row;
    }

    it('a socket cut after the first content ends the response with an error event', async () => {
      a.script = () => ({ chunks: [head], then: 'cut' });
      await expectEndedWithError(await send(), /broke|terminated|closed|socket/i, /^stream_broke: /);
    });

    it('upstream EOF without the terminal event ends the response with an error event', async () => {
      a.script = () => ({ chunks: [head] });
      await expectEndedWithError(await send(), /terminal/, /^stream_cut$/);
    });

    it('idleTimeoutMs between chunks ends the response with an error event', async () => {
      a.script = () => ({ chunks: [head, kit.stream('late')], delayMs: 1_500 });
      await expectEndedWithError(await send(), /idle/, /^idle_timeout: \d+ ms$/);
    });

    it('an upstream error event after the content is forwarded as is, with nothing appended', async () => {
      const body = head + kit.errorEvent('overloaded mid-stream');
      // Well apart: content and error in one read would (rightly) fail over before the commit.
      a.script = () => ({ chunks: [head, kit.errorEvent('overloaded mid-stream')], delayMs: 200 });
      const res = await send();
      expect(res.status).toBe(200);
      expect(res.text).toBe(body);
      const row = await rowOf(res);
      expect(row).toMatchObject({ status: 'failed', provider: A });
      expect(row.error).toMatch(/^error_in_stream: .*overloaded mid-stream/);
      if (kit.headInputTokens !== null) expect(row.usageProvenance).toBe('partial');
    });

    it('a socket cut after the terminal event changes nothing: the response was complete', async () => {
      a.script = () => ({ chunks: [kit.stream('whole')], then: 'cut' });
      const res = await send();
      expect(res.text).toBe(kit.stream('whole'));
      const row = await rowOf(res);
      expect(row).toMatchObject({
        status: 'completed',
        provider: A,
        usageProvenance: 'reported',
        ...kit.usage,
      });
    });

    it('an upstream left open after the terminal event still completes cleanly', async () => {
      a.script = () => ({ chunks: [kit.stream('whole')], then: 'hang' });
      const res = await send();
      expect(res.text).toBe(kit.stream('whole'));
      expect((await rowOf(res)).status).toBe('completed');
    });

    it('the official SDK raises when the stream is cut after the commit', async () => {
      a.script = () => ({ chunks: [head], then: 'cut' });
      const model = `sdk-cut-${kit.kind}`;
      await expect(SDKS[kit.format](sluice.url, model)).rejects.toThrow();
      const row = await sluice.row((r) => r.model === model && r.format === kit.format);
      expect(row).toMatchObject({ status: 'failed', provider: A });
    });

    it('the official SDK raises when the upstream stops without its terminal event', async () => {
      a.script = () => ({ chunks: [head] });
      await expect(SDKS[kit.format](sluice.url, `sdk-eof-${kit.kind}`)).rejects.toThrow();
    });

    it('the official SDK sees a clean success after a failover', async () => {
      a.script = () => ({
        status: 503,
        headers: { 'content-type': 'application/json' },
        chunks: [kit.jsonError('busy')],
      });
      const model = `sdk-ok-${kit.kind}`;
      await expect(SDKS[kit.format](sluice.url, model)).resolves.toBe('from B');
      const row = await sluice.row((r) => r.model === model && r.format === kit.format);
      expect(row).toMatchObject({ status: 'completed', provider: `${kit.kind}-b`, ...kit.usage });
    });
  });
});
