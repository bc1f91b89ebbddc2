import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream, type FakeReply, type RecordedRequest } from '../support/fake-upstream';
import { anthropicKit, chatKit, geminiKit, responsesKit, type FormatKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';
import { timedPost } from '../support/timed-post';

/**
 * Issue #14 item 3: a stream whose last event has no blank line after it (the upstream just ends after
 * `message_stop`, `response.completed`, the finish chunk or `[DONE]`). Sluice dropped that event,
 * appended an error event and recorded the request failed. Now Sluice is exactly as lenient as each
 * format's SDK at the end of a stream: the bytes go to the client as they came, nothing appended, and
 * the request is recorded completed when the SDK reads the stream as complete:
 * - Chat and Responses: openai-node dispatches an event the stream ends inside (openai/openai-node#2726);
 * - Anthropic: @anthropic-ai/sdk discards it, as WHATWG says, but a `message_delta` with a stop reason
 *   followed by the end of the stream is a finished message when `message_stop` is missing;
 * - Gemini: @google/genai rejects a stream that ends inside an event ("Incomplete JSON segment at the
 *   end"): Sluice records it failed, and no more lenient than that.
 */

/** The stream without the blank line after its last event: no newline at all, one LF, or CRLF framed with one CRLF. */
const ENDINGS: Record<string, (whole: string) => string> = {
  'no line end': (s) => s.slice(0, -2),
  'one LF': (s) => s.slice(0, -1),
  'CRLF, one CRLF': (s) => s.replaceAll('\n', '\r\n').slice(0, -2),
  'CR, one CR': (s) => s.replaceAll('\n', '\r').slice(0, -1),
};

const chatFinishLast = (): string =>
  chatKit.head('Hallo') +
  `data: ${JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-test',
    choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 },
  })}\n\n`;

describe('stream endings without the last blank line', () => {
  let upstream: FakeUpstream;
  let sluice: TestSluice;
  let reply: (r: RecordedRequest) => FakeReply = () => ({ chunks: [] });
  const kits: FormatKit[] = [chatKit, responsesKit, anthropicKit, geminiKit];

  beforeAll(async () => {
    upstream = await new FakeUpstream((r) => reply(r)).start();
    sluice = await startSluice({
      providers: [
        { id: 'openai', kind: 'openai', baseUrl: chatKit.baseUrl(upstream.url) },
        { id: 'anthropic', kind: 'anthropic', baseUrl: anthropicKit.baseUrl(upstream.url) },
        { id: 'gemini', kind: 'gemini', baseUrl: geminiKit.baseUrl(upstream.url) },
      ],
      // Many failures on purpose: no circuit may open between the cases.
      settings: { prefetchMaxMs: 200, circuitMinSamples: 1000, circuitConsecutiveFailures: 1000 },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await upstream.close();
  });

  let n = 0;
  /** Sends `kit`'s request with the upstream answering `body` in two writes; the answer and its row. */
  async function through(kit: FormatKit, body: string) {
    const model = `m-${++n}`;
    const cut = Math.floor(body.length / 2);
    reply = () => ({ chunks: [body.slice(0, cut), body.slice(cut)], delayMs: 20 });
    const res = await timedPost(sluice.url, kit.path(model), kit.body(model), kit.headers);
    const row = await sluice.row((r) => r.model === model);
    return { res, row };
  }

  for (const kit of [chatKit, responsesKit, anthropicKit]) {
    for (const [ending, cut] of Object.entries(ENDINGS)) {
      it(`${kit.format}, ${ending}: relayed as it came and recorded completed`, async () => {
        const body = cut(kit.stream('Hallo'));
        const { res, row } = await through(kit, body);
        expect(res.status).toBe(200);
        expect(res.body.toString()).toBe(body);
        expect(row.status).toBe('completed');
        expect(row.error).toBeNull();
        expect(row.outputTokens).toBe(kit.usage.outputTokens);
        expect(row.usageProvenance).toBe('reported');
      });
    }
  }

  it('openai-chat: a finish chunk carrying usage, last and without its blank line, is read (no [DONE])', async () => {
    const body = chatFinishLast().slice(0, -2);
    const { res, row } = await through(chatKit, body);
    expect(res.body.toString()).toBe(body);
    expect(row.status).toBe('completed');
    expect(row.outputTokens).toBe(3);
  });

  it('openai-chat: the injected usage chunk, last and without its blank line, is still taken out', async () => {
    const model = `m-${++n}`;
    const injected = chatKit.stream('Hallo').replaceAll('}]}\n\n', '}],"usage":null}\n\n');
    const body = injected.slice(0, injected.indexOf('data: [DONE]') - 2);
    reply = () => ({ chunks: [body] });
    const request = JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const res = await timedPost(sluice.url, chatKit.path(model), request, chatKit.headers);
    const finish = chatKit
      .stream('Hallo')
      .split('\n\n')
      .find((f) => f.includes('"finish_reason":"stop"'));
    expect(res.body.toString()).toBe(`${chatKit.head('Hallo')}${finish}\n\n`);
    expect(res.body.toString()).not.toContain('usage');
    const row = await sluice.row((r) => r.model === model);
    expect(row.status).toBe('completed');
    expect(row.outputTokens).toBe(3);
  });

  it('anthropic: message_delta with a stop reason, then the end without message_stop, is completed', async () => {
    const whole = anthropicKit.stream('Hallo');
    const body = whole.slice(0, whole.indexOf('event: message_stop'));
    const { res, row } = await through(anthropicKit, body);
    expect(res.body.toString()).toBe(body);
    expect(row.status).toBe('completed');
    expect(row.outputTokens).toBe(3);
  });

  it('anthropic: no more lenient than the SDK — a message_delta the stream ends inside is not read', async () => {
    const whole = anthropicKit.stream('Hallo');
    const body = whole.slice(0, whole.indexOf('event: message_stop') - 2);
    const { res, row } = await through(anthropicKit, body);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/^stream_cut/);
    // The unfinished event is dropped and the error event stands on its own.
    expect(res.body.toString()).toContain('event: error');
    expect(res.body.toString()).not.toContain('"stop_reason":"end_turn"');
  });

  it('openai-responses: a stream that ends after the deltas, without response.completed, still fails', async () => {
    const { row } = await through(responsesKit, responsesKit.head('Hallo'));
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/^stream_cut/);
  });

  for (const [ending, cut] of Object.entries(ENDINGS)) {
    it(`gemini, ${ending}: no more lenient than @google/genai, which rejects it — recorded failed`, async () => {
      const { row } = await through(geminiKit, cut(geminiKit.stream('Hallo')));
      expect(row.status).toBe('failed');
      expect(row.error).toMatch(/^stream_cut/);
    });
  }

  it('gemini: junk the stream ends inside, after the finish, is relayed as it came and recorded failed', async () => {
    const body = `${geminiKit.stream('Hallo')}data: {"candidates":[]}`;
    const { res, row } = await through(geminiKit, body);
    expect(res.body.toString()).toBe(body);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/^stream_cut/);
  });

  it('a stream that ends with its blank line is unchanged: completed, byte-exact', async () => {
    for (const kit of kits) {
      const body = kit.stream('Hallo');
      const { res, row } = await through(kit, body);
      expect(res.body.toString(), kit.format).toBe(body);
      expect(row.status, kit.format).toBe('completed');
    }
  });
});
