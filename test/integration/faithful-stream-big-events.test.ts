import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream, type FakeReply, type RecordedRequest } from '../support/fake-upstream';
import { geminiKit, responsesKit } from '../support/format-kits';
import { startSluice, type TestSluice } from '../support/sluice';
import { timedPost } from '../support/timed-post';

/**
 * Issue #14 item 4: one event larger than the observer's bound (16 Mi characters: a large base64
 * image in a Responses or Gemini event) silently stopped observation; the terminal event was never
 * seen, so a complete stream got an error appended and was recorded failed. Now such an event is read
 * from its two ends (decoding resumes at the next event), the relay never changes, the outcome is
 * still decided by the terminal event, and the usage row says its numbers are partial.
 */

const IMAGE = 'A'.repeat(17 * 1024 * 1024); // past 16 Mi characters, as one string
const frame = (event: string | null, data: unknown): string =>
  `${event === null ? '' : `event: ${event}\n`}data: ${JSON.stringify(data)}\n\n`;

/** A Responses stream whose image item and final response (which repeats it) are both past the bound. */
function responsesWithImage(): string {
  const item = { type: 'image_generation_call', id: 'ig_1', status: 'completed', result: IMAGE };
  return (
    responsesKit.head('Here:') +
    frame('response.output_item.done', {
      type: 'response.output_item.done',
      sequence_number: 3,
      output_index: 1,
      item,
    }) +
    frame('response.output_text.delta', {
      type: 'response.output_text.delta',
      sequence_number: 4,
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: ' done',
    }) +
    frame('response.completed', {
      type: 'response.completed',
      sequence_number: 5,
      response: {
        id: 'resp_1',
        object: 'response',
        created_at: 1,
        status: 'completed',
        model: 'gpt-test',
        output: [item],
        error: null,
        usage: { input_tokens: 11, output_tokens: 1290, total_tokens: 1301 },
      },
    })
  );
}

/** A Gemini response whose last chunk carries the image, the finish reason and the usage. */
const geminiLast = {
  candidates: [
    {
      content: { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: IMAGE } }] },
      finishReason: 'STOP',
      index: 0,
    },
  ],
  usageMetadata: { promptTokenCount: 11, candidatesTokenCount: 1290, totalTokenCount: 1301 },
  modelVersion: 'gemini-test',
};

/** Writes `body` in 64 KiB pieces, as a socket would deliver it. */
function inPieces(body: string): FakeReply {
  const bytes = Buffer.from(body);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 64 * 1024) chunks.push(bytes.subarray(i, i + 64 * 1024));
  return { chunks };
}

describe('events past the observer bound', () => {
  let upstream: FakeUpstream;
  let sluice: TestSluice;
  let reply: (r: RecordedRequest) => FakeReply = () => ({ chunks: [] });

  beforeAll(async () => {
    upstream = await new FakeUpstream((r) => reply(r)).start();
    sluice = await startSluice({
      providers: [
        { id: 'openai', kind: 'openai', baseUrl: responsesKit.baseUrl(upstream.url) },
        { id: 'gemini', kind: 'gemini', baseUrl: geminiKit.baseUrl(upstream.url) },
      ],
    });
  });
  afterAll(async () => {
    await sluice.close();
    await upstream.close();
  });

  it('Responses: the image events are read by their ends; the stream completes with its usage, marked partial', async () => {
    const body = responsesWithImage();
    reply = () => inPieces(body);
    const res = await timedPost(
      sluice.url,
      '/v1/responses',
      responsesKit.body('img-1'),
      responsesKit.headers,
    );
    expect(res.status).toBe(200);
    expect(res.body.equals(Buffer.from(body))).toBe(true);
    const row = await sluice.row((r) => r.model === 'img-1');
    expect(row.status).toBe('completed');
    expect(row.error).toBeNull();
    expect(row.inputTokens).toBe(11);
    expect(row.outputTokens).toBe(1290);
    expect(row.usageProvenance).toBe('partial');
  }, 60_000);

  it('Gemini (SSE): the last chunk, past the bound, still finishes the stream and gives its usage', async () => {
    const body = geminiKit.head('Here:') + frame(null, geminiLast);
    reply = () => inPieces(body);
    const res = await timedPost(
      sluice.url,
      geminiKit.path('img-2'),
      geminiKit.body('img-2'),
      geminiKit.headers,
    );
    expect(res.body.equals(Buffer.from(body))).toBe(true);
    const row = await sluice.row((r) => r.model === 'img-2');
    expect(row.status).toBe('completed');
    expect(row.outputTokens).toBe(1290);
    expect(row.usageProvenance).toBe('partial');
  }, 60_000);

  it('Gemini (JSON array): an element past the bound still gives its usage', async () => {
    const body = `[${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text: 'Here:' }] }, index: 0 }] })},\r\n${JSON.stringify(geminiLast)}]`;
    reply = () => ({ ...inPieces(body), headers: { 'content-type': 'application/json' } });
    const res = await timedPost(
      sluice.url,
      '/v1beta/models/img-3:streamGenerateContent',
      geminiKit.body('img-3'),
      geminiKit.headers,
    );
    expect(res.body.equals(Buffer.from(body))).toBe(true);
    const row = await sluice.row((r) => r.model === 'img-3');
    expect(row.status).toBe('completed');
    expect(row.outputTokens).toBe(1290);
    expect(row.usageProvenance).toBe('partial');
  }, 60_000);
});
