import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignatureBook } from '../../src/main/proxy/signature-book';
import { FakeUpstream, type FakeReply } from '../support/fake-upstream';
import { post } from '../support/fault-upstream';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * Gemini 3 rejects a replayed functionCall without the thought signature it issued. An Anthropic (or
 * Chat) client has no place for it, so Sluice keeps it by the call's id and puts it back when the
 * client sends that call again (issue #16 §2, reasoning).
 */

const SIG = 'CiQB0e2Kb-the-signature-gemini-issued-for-this-call==';

const callChunk = (stream: boolean): string => {
  const payload = {
    candidates: [
      {
        content: {
          role: 'model',
          parts: [
            { functionCall: { name: 'read_file', args: { path: 'notes.txt' } }, thoughtSignature: SIG },
          ],
        },
        finishReason: 'STOP',
      },
    ],
    usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 5, totalTokenCount: 17 },
    modelVersion: 'gemini-3-pro',
  };
  return stream ? `data: ${JSON.stringify(payload)}\r\n\r\n` : JSON.stringify(payload);
};

const textChunk = `data: ${JSON.stringify({
  candidates: [{ content: { role: 'model', parts: [{ text: 'Done.' }] }, finishReason: 'STOP' }],
  usageMetadata: { promptTokenCount: 30, candidatesTokenCount: 2, totalTokenCount: 32 },
})}\r\n\r\n`;

describe('Gemini thought signatures across a translated conversation', () => {
  let gemini: FakeUpstream;
  let next: FakeReply;
  let sluice: TestSluice;

  beforeAll(async () => {
    gemini = await new FakeUpstream(() => next).start();
    sluice = await startSluice({
      providers: [
        {
          id: 'g3',
          kind: 'gemini',
          baseUrl: gemini.url,
          apiKey: 'AIzaSyTestKeyForGemini0123456789abcd',
          models: { '*': 'gemini-3-pro' },
        },
      ],
    });
  });
  afterAll(async () => {
    await sluice.close();
    await gemini.close();
  });

  const anthropic = (body: unknown) =>
    post(sluice.url, '/v1/messages', JSON.stringify(body), {
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
    });

  for (const stream of [true, false]) {
    it(`puts the signature back on the call when the client replays it (${stream ? 'stream' : 'whole'})`, async () => {
      next = stream
        ? { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: [callChunk(true)] }
        : { status: 200, headers: { 'content-type': 'application/json' }, chunks: [callChunk(false)] };
      const ask = { role: 'user', content: 'What is in notes.txt?' };
      const first = await anthropic({ model: 'claude-x', max_tokens: 256, stream, messages: [ask] });
      expect(first.status).toBe(200);
      const id = stream
        ? /"type":"tool_use","id":"([^"]+)"/.exec(first.text)?.[1]
        : (JSON.parse(first.text) as { content: { type: string; id?: string }[] }).content.find(
            (b) => b.type === 'tool_use',
          )?.id;
      expect(id).toBeTruthy();
      // The Anthropic client never sees Gemini's signature.
      expect(first.text).not.toContain(SIG);

      next = { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: [textChunk] };
      const before = gemini.requests.length;
      const second = await anthropic({
        model: 'claude-x',
        max_tokens: 256,
        stream: true,
        messages: [
          ask,
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id, name: 'read_file', input: { path: 'notes.txt' } }],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'remember the milk' }] },
        ],
      });
      expect(second.status).toBe(200);
      const sent = gemini.requests[before]!.json as {
        contents: { role: string; parts: Record<string, unknown>[] }[];
      };
      const call = sent.contents.flatMap((c) => c.parts).find((p) => 'functionCall' in p);
      expect(call?.thoughtSignature).toBe(SIG);
    });
  }

  it('keeps a bounded number of calls, the oldest leaving first', () => {
    const book = new SignatureBook(2);
    for (const id of ['a', 'b', 'c']) book.remember(id, { vendor: 'gemini', value: `sig-${id}` });
    expect(book.size).toBe(2);
    const turn = {
      model: null,
      system: [],
      messages: ['a', 'c'].map((id) => ({
        role: 'assistant' as const,
        parts: [{ type: 'tool_call' as const, id, name: 't', arguments: '{}', signature: null }],
      })),
      tools: [],
      toolChoice: null,
      parallelToolCalls: null,
      maxOutputTokens: null,
      temperature: null,
      topP: null,
      topK: null,
      stop: [],
      stream: false,
      reasoning: null,
      user: null,
    };
    const signed = book.attach(turn).messages.map((m) => (m.parts[0] as { signature: unknown }).signature);
    expect(signed).toEqual([null, { vendor: 'gemini', value: 'sig-c' }]);
    // Only Gemini's own signatures are kept.
    book.remember('d', { vendor: 'anthropic', value: 'x' });
    expect(book.size).toBe(2);
  });
});
