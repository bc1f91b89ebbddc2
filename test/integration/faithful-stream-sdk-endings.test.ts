import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream, type FakeReply, type RecordedRequest } from '../support/fake-upstream';
import { anthropicKit, chatKit, geminiKit, responsesKit, type FormatKit } from '../support/format-kits';
import { SDKS } from '../support/sdk-runners';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * Issue #14 item 3 through the official SDKs: the same stream without the blank line after its last
 * event, read by the SDK straight from the provider and through Sluice. Where the SDK accepts it
 * directly, it accepts it through Sluice with the same text, and Sluice records the request completed;
 * where it rejects it (@google/genai), Sluice is no more lenient and records it failed.
 */

type Outcome = { ok: true; text: string } | { ok: false };

async function outcome(run: Promise<string>): Promise<Outcome> {
  try {
    return { ok: true, text: await run };
  } catch {
    return { ok: false };
  }
}

describe('official SDKs read a stream without its last blank line the same through Sluice', () => {
  let upstream: FakeUpstream;
  let sluice: TestSluice;
  let body = '';

  beforeAll(async () => {
    upstream = await new FakeUpstream((_r: RecordedRequest): FakeReply => {
      const cut = Math.floor(body.length / 2);
      return { chunks: [body.slice(0, cut), body.slice(cut)], delayMs: 10 };
    }).start();
    sluice = await startSluice({
      providers: [
        { id: 'openai', kind: 'openai', baseUrl: chatKit.baseUrl(upstream.url) },
        { id: 'anthropic', kind: 'anthropic', baseUrl: anthropicKit.baseUrl(upstream.url) },
        { id: 'gemini', kind: 'gemini', baseUrl: geminiKit.baseUrl(upstream.url) },
      ],
      settings: { circuitMinSamples: 1000, circuitConsecutiveFailures: 1000 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await upstream.close();
  });

  let n = 0;
  /** The SDK's outcome straight from the fake provider, then through Sluice, and Sluice's row. */
  async function both(kit: FormatKit, stream: string) {
    body = stream;
    const model = `m-${++n}`;
    const direct = await outcome(SDKS[kit.format](upstream.url, model));
    const through = await outcome(SDKS[kit.format](sluice.url, model));
    const row = await sluice.row((r) => r.model === model);
    return { direct, through, row };
  }

  const accepted: [string, FormatKit, string][] = [
    [
      'anthropic: the stream ends right after message_stop',
      anthropicKit,
      anthropicKit.stream('Hallo').slice(0, -2),
    ],
    [
      'anthropic: the stream ends after message_delta, without message_stop',
      anthropicKit,
      anthropicKit.stream('Hallo').slice(0, anthropicKit.stream('Hallo').indexOf('event: message_stop')),
    ],
    [
      'openai-responses: the stream ends right after response.completed',
      responsesKit,
      responsesKit.stream('Hallo').slice(0, -1),
    ],
    ['openai-chat: the stream ends right after [DONE]', chatKit, chatKit.stream('Hallo').slice(0, -2)],
    [
      'openai-chat: the stream ends right after the usage chunk, without [DONE]',
      chatKit,
      chatKit.stream('Hallo').slice(0, chatKit.stream('Hallo').indexOf('data: [DONE]') - 1),
    ],
    [
      'openai-chat: the stream ends right after the finish chunk (no usage chunk, no [DONE])',
      chatKit,
      `${chatKit.head('Hallo')}data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
    ],
  ];

  for (const [name, kit, stream] of accepted) {
    it(`${name}: accepted both ways, recorded completed`, async () => {
      const { direct, through, row } = await both(kit, stream);
      expect(direct).toEqual({ ok: true, text: 'Hallo' });
      expect(through).toEqual(direct);
      expect(row.status).toBe('completed');
      expect(row.error).toBeNull();
    });
  }

  it('gemini: the stream ends right after the finish chunk — @google/genai rejects it both ways, recorded failed', async () => {
    const { direct, through, row } = await both(geminiKit, geminiKit.stream('Hallo').slice(0, -2));
    expect(direct).toEqual({ ok: false });
    expect(through).toEqual({ ok: false });
    expect(row.status).toBe('failed');
  });

  it('gemini: the whole stream is accepted both ways', async () => {
    const { direct, through, row } = await both(geminiKit, geminiKit.stream('Hallo'));
    expect(direct).toEqual({ ok: true, text: 'Hallo' });
    expect(through).toEqual(direct);
    expect(row.status).toBe('completed');
  });
});
