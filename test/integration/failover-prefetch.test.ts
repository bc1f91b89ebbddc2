import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedUpstream, post, type RawResponse } from '../support/fault-upstream';
import { KITS, chatKit, responsesKit, type FormatKit } from '../support/format-kits';
import { attemptsOf, expectServedByB, usePair } from '../support/failover-pair';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * The prefetch gate and the timeouts before the commit, in every wire format: a 200 that is really a
 * failure (error event, HTML, empty, a JSON error, no content, silence) must fail over, and the
 * client must get exactly the next provider's bytes, never a mix.
 */

const SETTINGS = {
  firstByteTimeoutMs: 300,
  idleTimeoutMs: 600,
  prefetchMaxMs: 5_000,
  retryBaseDelayMs: 5,
  retryMaxDelayMs: 10,
};

const HTML = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>';

describe('failover before the commit: timeouts and the prefetch gate', () => {
  const pair = usePair(SETTINGS);
  const sluice = (): TestSluice => pair.sluice;

  describe.each(KITS)('$format', (kit: FormatKit) => {
    const send = (model = 'm-test'): Promise<RawResponse> =>
      post(sluice().url, kit.path(model), kit.body(model), kit.headers);

    beforeEach(() => {
      pair.a.script = () => ({ chunks: [kit.stream('from A')] });
      pair.b.script = () => ({ chunks: [kit.stream('from B')] });
    });

    it('fails over when no header arrives within firstByteTimeoutMs', async () => {
      pair.a.script = () => ({ headersDelayMs: 2_000, chunks: [kit.stream('from A')] });
      await expectServedByB(sluice(), kit, await send(), 'first_byte_timeout');
    });

    it('fails over when headers arrive but no body byte within firstByteTimeoutMs', async () => {
      pair.a.script = () => ({ chunks: [], then: 'hang' });
      await expectServedByB(sluice(), kit, await send(), 'first_byte_timeout');
    });

    it('fails over on an error event inside a 200 stream', async () => {
      pair.a.script = () => ({
        chunks: [kit.preamble(), kit.errorEvent('overloaded inside 200')],
        then: 'hang',
      });
      await expectServedByB(sluice(), kit, await send(), 'error_in_stream', 'prefetch');
    });

    it('fails over on an HTML page answered with 200', async () => {
      pair.a.script = () => ({ headers: { 'content-type': 'text/html; charset=utf-8' }, chunks: [HTML] });
      await expectServedByB(sluice(), kit, await send(), 'html_page', 'prefetch');
    });

    it('fails over on an empty 200 body', async () => {
      pair.a.script = () => ({ chunks: [] });
      await expectServedByB(sluice(), kit, await send(), 'empty_body', 'prefetch');
    });

    it('fails over on a 200 body that is one JSON error object', async () => {
      pair.a.script = () => ({
        headers: { 'content-type': 'application/json' },
        chunks: [kit.jsonError('quota')],
      });
      await expectServedByB(sluice(), kit, await send(), /^error_in_(body|stream)/, 'prefetch');
    });

    it('fails over on a stream that ends without any content', async () => {
      pair.a.script = () => ({ chunks: [kit.preamble()] });
      await expectServedByB(sluice(), kit, await send(), 'no_content', 'prefetch');
    });

    it('fails over when the stream goes quiet for idleTimeoutMs before any content', async () => {
      pair.a.script = () => ({ chunks: [kit.preamble()], then: 'hang' });
      const started = performance.now();
      await expectServedByB(sluice(), kit, await send(), /./, 'prefetch');
      // The idle timeout (600 ms) decided it, not the prefetch bound (5 s).
      expect(performance.now() - started).toBeLessThan(4_000);
    });

    it('passes a stream split into single bytes through the gate intact', async () => {
      const bytes = Buffer.from(kit.stream('from A'));
      pair.a.script = () => ({ chunks: [...bytes].map((x) => Buffer.from([x])) });
      const res = await send();
      expect(res.body.equals(bytes)).toBe(true);
    });
  });

  it('openai-chat: a chunk with `"error": null` is not an error', async () => {
    const stream = chatKit.stream('from A').replaceAll('"choices"', '"error":null,"choices"');
    pair.a.script = () => ({ chunks: [stream] });
    pair.b.script = () => ({ chunks: [chatKit.stream('from B')] });
    const res = await post(sluice().url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    expect(res.text).toBe(stream);
    expect(res.headers['x-sluice-attempts']).toBe('1');
    const { row } = await attemptsOf(sluice(), res);
    expect(row).toMatchObject({ status: 'completed', provider: 'openai-a' });
  });

  it('openai-responses: fails over on response.failed before any content', async () => {
    const failed =
      'event: response.failed\ndata: ' +
      JSON.stringify({
        type: 'response.failed',
        sequence_number: 2,
        response: {
          id: 'resp_1',
          object: 'response',
          status: 'failed',
          output: [],
          error: { code: 'server_error', message: 'The model failed' },
          usage: null,
        },
      }) +
      '\n\n';
    pair.a.script = () => ({ chunks: [responsesKit.preamble(), failed] });
    pair.b.script = () => ({ chunks: [responsesKit.stream('from B')] });
    const res = await post(
      sluice().url,
      responsesKit.path('m'),
      responsesKit.body('m'),
      responsesKit.headers,
    );
    expect(res.text).toBe(responsesKit.stream('from B'));
    const { attempts } = await attemptsOf(sluice(), res);
    expect(attempts.filter((x) => x.outcome === 'failed').map((x) => x.reason?.split(':')[0])).toEqual([
      'error_in_stream',
    ]);
  });
});

describe('per-provider timeouts', () => {
  let a: ScriptedUpstream;
  let b: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    a = await new ScriptedUpstream().start();
    b = await new ScriptedUpstream(() => ({ chunks: [chatKit.stream('from B')] })).start();
    sluice = await startSluice({
      providers: [
        // The global timeouts are long; this provider's own ones are short.
        {
          id: 'quick',
          kind: 'openai',
          baseUrl: `${a.url}/v1`,
          apiKey: 'k1',
          priority: 1,
          firstByteTimeoutMs: 200,
          idleTimeoutMs: 200,
        },
        { id: 'backup', kind: 'openai', baseUrl: `${b.url}/v1`, apiKey: 'k2', priority: 2 },
      ],
      settings: { firstByteTimeoutMs: 5_000, idleTimeoutMs: 5_000, prefetchMaxMs: 5_000 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await a.close();
    await b.close();
  });

  it("applies a provider's own firstByteTimeoutMs instead of the global one", async () => {
    a.script = () => ({ headersDelayMs: 1_000, chunks: [chatKit.stream('from A')] });
    const res = await post(sluice.url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    expect(res.text).toBe(chatKit.stream('from B'));
  });

  it("applies a provider's own idleTimeoutMs to the prefetch gate", async () => {
    const rest = chatKit.stream('from A').slice(chatKit.preamble().length);
    a.script = () => ({ chunks: [chatKit.preamble(), rest], delayMs: 1_000 });
    const res = await post(sluice.url, chatKit.path('m'), chatKit.body('m'), chatKit.headers);
    expect(res.text).toBe(chatKit.stream('from B'));
  });
});
