import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, GoogleGenAI, type GenerateContentResponse } from '@google/genai';
import { FakeUpstream, splitBytes, type FakeReply, type RecordedRequest } from '../support/fake-upstream';
import { fixtures } from '../support/fixtures';
import { startSluice, type TestSluice } from '../support/sluice';
import type { UsageRow } from '../../src/shared/usage';

interface ExpectedGemini {
  text: string;
  thought_text: string | null;
  function_calls: { name: string; args: Record<string, unknown> }[];
  finish_reason: string | null;
  usage: Record<string, unknown> | null;
  error: unknown;
  unframed_error?: { code: number; message: string } | null;
  completed: boolean;
}

const PROVIDER_KEY = 'gk-provider';
const CLIENT_KEY = 'gk-client';
/** The model the client names, and what the provider's `models` table maps it to. */
const ALIAS = 'gemini-alias';
const UPSTREAM_MODEL = 'gemini-upstream-model';

/**
 * The usage Sluice must record for a usageMetadata: `promptTokenCount` includes the cached tokens, and
 * server-side tool input (`toolUsePromptTokenCount`) and thoughts are billed beside prompt and
 * candidates, so input = prompt + tool-use prompt − cached and output = candidates + thoughts.
 */
function geminiTokens(
  u: Record<string, unknown> | null,
): Pick<
  UsageRow,
  'inputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'outputTokens' | 'reasoningTokens'
> {
  if (u === null) {
    return {
      inputTokens: null,
      cacheReadTokens: null,
      cacheWriteTokens: null,
      outputTokens: null,
      reasoningTokens: null,
    };
  }
  const n = (k: string): number | null => (typeof u[k] === 'number' ? u[k] : null);
  const cached = n('cachedContentTokenCount');
  const thoughts = n('thoughtsTokenCount');
  return {
    inputTokens: n('promptTokenCount')! + (n('toolUsePromptTokenCount') ?? 0) - (cached ?? 0),
    cacheReadTokens: cached,
    cacheWriteTokens: null,
    outputTokens: n('candidatesTokenCount')! + (thoughts ?? 0),
    reasoningTokens: thoughts,
  };
}

/** What a caller reads off the chunks: candidate 0's parts, the last finishReason and usageMetadata. */
interface Seen {
  text: string;
  thought: string;
  calls: { name: string | undefined; args: Record<string, unknown> | undefined }[];
  finishReason: string | null;
  usage: unknown;
}

function fold(seen: Seen, chunk: GenerateContentResponse): void {
  const candidate = chunk.candidates?.[0];
  for (const part of candidate?.content?.parts ?? []) {
    if (part.text !== undefined) {
      if (part.thought === true) seen.thought += part.text;
      else seen.text += part.text;
    }
    if (part.functionCall) seen.calls.push({ name: part.functionCall.name, args: part.functionCall.args });
  }
  if (candidate?.finishReason) seen.finishReason = candidate.finishReason;
  if (chunk.usageMetadata) seen.usage = chunk.usageMetadata;
}

describe('Gemini through Sluice with @google/genai', () => {
  let upstream: FakeUpstream;
  let sluice: TestSluice;
  let ai: GoogleGenAI;
  let next: (req: RecordedRequest) => FakeReply = () => ({ chunks: [] });
  let seed = 31;
  /** What the SDK put on the wire and what came back, request by request. */
  const exchanges: { url: URL; headers: Headers; response: Response | null }[] = [];

  beforeAll(async () => {
    upstream = await new FakeUpstream((req) => next(req)).start();
    sluice = await startSluice({
      providers: [
        {
          id: 'fake-gemini',
          kind: 'gemini',
          baseUrl: upstream.url,
          apiKey: PROVIDER_KEY,
          priority: 1,
          models: { [ALIAS]: UPSTREAM_MODEL },
        },
      ],
      // One attempt per call and no circuit breaker: each test sees exactly its own upstream exchange.
      settings: { maxAttempts: 1, circuitMinSamples: 1000, circuitConsecutiveFailures: 1000 },
    });
    ai = new GoogleGenAI({
      apiKey: CLIENT_KEY,
      httpOptions: {
        baseUrl: sluice.url,
        fetch: async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
          const exchange = {
            url: new URL(input instanceof Request ? input.url : input),
            headers: new Headers(init?.headers),
            response: null as Response | null,
          };
          exchanges.push(exchange);
          exchange.response = await fetch(input, init);
          return exchange.response;
        },
      },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await upstream.close();
  });

  /** The SDK sent its own key; the upstream got the provider's and the mapped model in the URL. */
  function expectPassThrough(req: RecordedRequest, method: string, query = ''): void {
    const sent = exchanges.at(-1)!;
    expect(sent.headers.get('x-goog-api-key')).toBe(CLIENT_KEY);
    expect(sent.url.pathname).toBe(`/v1beta/models/${ALIAS}:${method}`);
    expect(req.method).toBe('POST');
    expect(req.url).toBe(`/v1beta/models/${UPSTREAM_MODEL}:${method}${query}`);
    expect(req.headers['x-goog-api-key']).toBe(PROVIDER_KEY);
    expect(JSON.stringify(req.headers)).not.toContain(CLIENT_KEY);
  }

  function lastRow(): Promise<UsageRow> {
    const id = exchanges.at(-1)!.response?.headers.get('x-sluice-request-id') ?? null;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    return sluice.row((r) => r.requestId === id);
  }

  for (const fx of fixtures('gemini')) {
    const expected = fx.meta.expected as unknown as ExpectedGemini;
    it(`generateContentStream replays ${fx.name}: text, thoughts, function calls, finishReason, usage`, async () => {
      next = () => ({
        headers: { 'content-type': 'text/event-stream' },
        chunks: splitBytes(fx.sse, seed++, 64),
        delayMs: 1,
      });
      const seen: Seen = { text: '', thought: '', calls: [], finishReason: null, usage: null };
      const run = async (): Promise<void> => {
        const stream = await ai.models.generateContentStream({ model: ALIAS, contents: 'hi' });
        for await (const chunk of stream) fold(seen, chunk);
      };
      const body = { contents: [{ parts: [{ text: 'hi' }], role: 'user' }] };

      if (!expected.completed) {
        // What the SDK does with these bodies straight from Google: mock-error-mid-stream's bare JSON
        // error after the events is left in its buffer ("Incomplete JSON segment at the end", or an
        // ApiError when the error arrives as one whole chunk); mock-prompt-blocked-safety's only event
        // never gets its blank line. Either way the caller gets an exception, never a quiet success.
        const err: unknown = await run().then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(Error);
        expect(seen.text).toBe(expected.text);
        expectPassThrough(upstream.requests.at(-1)!, 'streamGenerateContent', '?alt=sse');
        const row = await lastRow();
        expect(row).toMatchObject({ provider: 'fake-gemini', format: 'gemini', client: 'google-sdk' });
        if (seen.text === '') {
          // No event at all, so nothing was committed: Sluice answers a whole Google error with an error status.
          expect(row.httpStatus).toBeGreaterThanOrEqual(500);
          expect(err).toBeInstanceOf(ApiError);
          expect((err as ApiError).status).toBe(row.httpStatus);
        }
        // The stream did not complete from the caller's side, so it is not recorded as completed.
        expect(row.status).toBe('failed');
        return;
      }

      await run();
      expect(seen.text).toBe(expected.text);
      expect(seen.thought).toBe(expected.thought_text ?? '');
      expect(seen.calls).toEqual(expected.function_calls.map((c) => ({ name: c.name, args: c.args })));
      expect(seen.finishReason).toBe(expected.finish_reason);
      expect(seen.usage).toEqual(expected.usage ?? null);
      const req = upstream.requests.at(-1)!;
      expectPassThrough(req, 'streamGenerateContent', '?alt=sse');
      expect(req.json).toEqual(body);
      expect(exchanges.at(-1)!.response?.headers.get('content-type')).toContain('text/event-stream');

      const row = await lastRow();
      expect(row).toMatchObject({
        status: 'completed',
        provider: 'fake-gemini',
        format: 'gemini',
        client: 'google-sdk',
        model: ALIAS,
        upstreamModel: UPSTREAM_MODEL,
        stream: true,
        httpStatus: 200,
        ...(expected.usage ? { usageProvenance: 'reported', ...geminiTokens(expected.usage) } : {}),
      });
      if (!expected.usage) {
        // Nothing reported: output is estimated from the text seen, when there was any.
        expect(row.usageProvenance).toBe(expected.text || expected.thought_text ? 'estimated' : 'none');
        if (expected.text) expect(row.outputTokens).toBeGreaterThan(0);
      }
      if (expected.usage && typeof expected.usage.totalTokenCount === 'number') {
        // The normalised parts add up to Google's own total.
        expect(row.inputTokens! + (row.cacheReadTokens ?? 0) + row.outputTokens!).toBe(
          expected.usage.totalTokenCount,
        );
      }
    });
  }

  it('generateContent returns the upstream JSON response and records its usage', async () => {
    const body = {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Let me check: ', thought: true },
              { text: '30 °C in Paris — ☀️' },
              { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 2100,
        cachedContentTokenCount: 2048,
        candidatesTokenCount: 19,
        thoughtsTokenCount: 11,
        totalTokenCount: 2130,
      },
      modelVersion: UPSTREAM_MODEL,
      responseId: 'resp-nonstream-01',
    };
    next = () => ({
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      chunks: splitBytes(Buffer.from(JSON.stringify(body)), seed++, 50),
    });
    const res = await ai.models.generateContent({ model: ALIAS, contents: 'hi' });
    expect(res.candidates?.[0]?.content?.parts).toEqual(body.candidates[0]!.content.parts);
    expect(res.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
    expect(res.candidates?.[0]?.finishReason).toBe('STOP');
    expect(res.usageMetadata).toEqual(body.usageMetadata);
    expectPassThrough(upstream.requests.at(-1)!, 'generateContent');
    expect(res.sdkHttpResponse?.headers?.['x-sluice-request-id']).toBe(
      exchanges.at(-1)!.response?.headers.get('x-sluice-request-id'),
    );
    const row = await lastRow();
    expect(row).toMatchObject({
      status: 'completed',
      stream: false,
      provider: 'fake-gemini',
      format: 'gemini',
      client: 'google-sdk',
      model: ALIAS,
      upstreamModel: UPSTREAM_MODEL,
      inputTokens: 52,
      cacheReadTokens: 2048,
      cacheWriteTokens: null,
      outputTokens: 30,
      reasoningTokens: 11,
    });
  });

  it('countTokens reaches :countTokens with the mapped model', async () => {
    next = () => ({
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      chunks: [
        JSON.stringify({ totalTokens: 31, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 31 }] }),
      ],
    });
    const res = await ai.models.countTokens({ model: ALIAS, contents: 'How many tokens is this?' });
    expect(res.totalTokens).toBe(31);
    expectPassThrough(upstream.requests.at(-1)!, 'countTokens');
    expect(upstream.requests.at(-1)!.json).toEqual({
      contents: [{ parts: [{ text: 'How many tokens is this?' }], role: 'user' }],
    });
    const row = await lastRow();
    expect(row).toMatchObject({ status: 'completed', format: 'gemini', client: 'google-sdk', model: ALIAS });
  });

  it('streamGenerateContent without alt=sse relays the JSON-array stream byte for byte and records its usage', async () => {
    // Google's JSON-array framing: pretty-printed elements separated by ",\r\n", the emoji split across writes.
    const elements = [
      {
        candidates: [{ content: { role: 'model', parts: [{ text: 'Bonjour ' }] }, index: 0 }],
        usageMetadata: { promptTokenCount: 1200, totalTokenCount: 1200, cachedContentTokenCount: 1000 },
        modelVersion: UPSTREAM_MODEL,
      },
      {
        candidates: [
          {
            content: { role: 'model', parts: [{ text: 'à tous 👋 — "quoted" [x], {y}' }] },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: {
          promptTokenCount: 1200,
          cachedContentTokenCount: 1000,
          candidatesTokenCount: 7,
          thoughtsTokenCount: 43,
          totalTokenCount: 1250,
        },
        modelVersion: UPSTREAM_MODEL,
      },
    ];
    const wire = Buffer.from(`[${elements.map((e) => JSON.stringify(e, null, 2)).join(',\r\n')}]`);
    next = () => ({
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      chunks: splitBytes(wire, 5, 23),
      delayMs: 1,
    });

    const res = await fetch(`${sluice.url}/v1beta/models/${ALIAS}:streamGenerateContent?key=${CLIENT_KEY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': CLIENT_KEY },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const received = Buffer.from(await res.arrayBuffer());
    expect(received.equals(wire)).toBe(true);

    const req = upstream.requests.at(-1)!;
    // No alt=sse added, the client's `key=` dropped (the provider's key goes in the header), model mapped.
    expect(req.url).toBe(`/v1beta/models/${UPSTREAM_MODEL}:streamGenerateContent`);
    expect(req.headers['x-goog-api-key']).toBe(PROVIDER_KEY);
    expect(JSON.stringify(req.headers)).not.toContain(CLIENT_KEY);

    const row = await sluice.row((r) => r.requestId === res.headers.get('x-sluice-request-id'));
    expect(row).toMatchObject({
      status: 'completed',
      stream: true,
      provider: 'fake-gemini',
      format: 'gemini',
      model: ALIAS,
      upstreamModel: UPSTREAM_MODEL,
      usageProvenance: 'reported',
      ...geminiTokens(elements[1]!.usageMetadata),
    });
    expect(row.inputTokens).toBe(200);
    expect(row.outputTokens).toBe(50);
  });
});
