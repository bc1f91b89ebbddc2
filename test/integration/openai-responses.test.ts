import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, { APIError } from 'openai';
import type { Response as OpenAIResponse } from 'openai/resources/responses/responses';
import { FakeUpstream, splitBytes, type FakeReply, type RecordedRequest } from '../support/fake-upstream';
import { fixtures } from '../support/fixtures';
import { startSluice, type TestSluice } from '../support/sluice';
import type { UsageRow } from '../../src/shared/usage';

interface ExpectedResponses {
  text: string;
  reasoning_summary: string;
  function_calls: { item_id: string; call_id: string; name: string; arguments: string }[];
  status: string;
  terminal_event: string;
  usage: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  error_event: { code: string; message: string } | null;
}

const PROVIDER_KEY = 'sk-provider';
const CLIENT_KEY = 'sk-client';
const REQUEST = { model: 'gpt-test', input: 'hi' };

/** The usage Sluice must record: OpenAI's `input_tokens` includes the cached tokens, so they are taken out. */
function responsesTokens(
  usage: Record<string, unknown>,
): Pick<
  UsageRow,
  'inputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'outputTokens' | 'reasoningTokens'
> {
  const cached =
    (usage.input_tokens_details as { cached_tokens?: number } | undefined)?.cached_tokens ?? null;
  return {
    inputTokens: (usage.input_tokens as number) - (cached ?? 0),
    cacheReadTokens: cached,
    cacheWriteTokens: null,
    outputTokens: usage.output_tokens as number,
    reasoningTokens:
      (usage.output_tokens_details as { reasoning_tokens?: number } | undefined)?.reasoning_tokens ?? null,
  };
}

/** What a caller reads off the event stream. */
interface Seen {
  text: string;
  summary: string;
  args: Map<string, string>;
  calls: { call_id: string; name: string; arguments: string }[];
  terminal: OpenAIResponse | null;
  terminalType: string | null;
}

function emptySeen(): Seen {
  return { text: '', summary: '', args: new Map(), calls: [], terminal: null, terminalType: null };
}

function fold(seen: Seen, event: OpenAI.Responses.ResponseStreamEvent): void {
  switch (event.type) {
    case 'response.output_text.delta':
      seen.text += event.delta;
      break;
    case 'response.reasoning_summary_text.delta':
      seen.summary += event.delta;
      break;
    case 'response.function_call_arguments.delta':
      seen.args.set(event.item_id, (seen.args.get(event.item_id) ?? '') + event.delta);
      break;
    case 'response.output_item.done':
      if (event.item.type === 'function_call') {
        const { call_id, name, arguments: args } = event.item;
        seen.calls.push({ call_id, name, arguments: args });
      }
      break;
    case 'response.completed':
    case 'response.failed':
    case 'response.incomplete':
      seen.terminal = event.response;
      seen.terminalType = event.type;
      break;
    default:
      break;
  }
}

describe('OpenAI Responses through Sluice with the openai SDK', () => {
  let upstream: FakeUpstream;
  let sluice: TestSluice;
  let client: OpenAI;
  let next: (req: RecordedRequest) => FakeReply = () => ({ chunks: [] });
  let seed = 21;
  /** What the SDK put on the wire and what came back, request by request. */
  const exchanges: { url: URL; headers: Headers; response: Response | null }[] = [];

  beforeAll(async () => {
    upstream = await new FakeUpstream((req) => next(req)).start();
    sluice = await startSluice({
      providers: [
        {
          id: 'fake-openai',
          kind: 'openai',
          baseUrl: `${upstream.url}/v1`,
          apiKey: PROVIDER_KEY,
          priority: 1,
        },
      ],
      // One attempt per call and no circuit breaker: each test sees exactly its own upstream exchange.
      settings: { maxAttempts: 1, circuitMinSamples: 1000, circuitConsecutiveFailures: 1000 },
    });
    client = new OpenAI({
      baseURL: `${sluice.url}/v1`,
      apiKey: CLIENT_KEY,
      maxRetries: 0,
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
    });
  });
  afterAll(async () => {
    await sluice.close();
    await upstream.close();
  });

  function sseReply(sse: Buffer): FakeReply {
    return {
      headers: { 'content-type': 'text/event-stream; charset=utf-8' },
      // At most a few hundred writes, so the 110 KB fixture stays quick; each still a separate TCP write.
      chunks: splitBytes(sse, seed++, Math.max(64, Math.ceil(sse.length / 150))),
      delayMs: 1,
    };
  }

  /** The upstream got the provider's key as a Bearer token and never the client's; path and query unchanged. */
  function expectPassThrough(req: RecordedRequest): void {
    expect(exchanges.at(-1)!.headers.get('authorization')).toBe(`Bearer ${CLIENT_KEY}`);
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/responses');
    expect(req.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(JSON.stringify(req.headers)).not.toContain(CLIENT_KEY);
  }

  /** The row of the last exchange, found by the id Sluice put on the response. */
  function lastRow(): Promise<UsageRow> {
    const id = exchanges.at(-1)!.response?.headers.get('x-sluice-request-id') ?? null;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    return sluice.row((r) => r.requestId === id);
  }

  async function expectRow(expected: ExpectedResponses): Promise<void> {
    const row = await lastRow();
    expect(row).toMatchObject({
      status: expected.error ? 'failed' : 'completed',
      provider: 'fake-openai',
      format: 'openai-responses',
      client: 'openai-sdk',
      model: 'gpt-test',
      stream: true,
    });
    if (expected.usage) {
      expect(row).toMatchObject({ usageProvenance: 'reported', ...responsesTokens(expected.usage) });
    }
    if (expected.error) {
      // Nothing was committed before the error: Sluice answered a whole error response, not a 200.
      expect(row.httpStatus).toBeGreaterThanOrEqual(400);
      expect(exchanges.at(-1)!.response?.status).toBe(row.httpStatus);
    }
  }

  for (const fx of fixtures('responses')) {
    const expected = fx.meta.expected as unknown as ExpectedResponses;

    it(`responses.create({stream:true}) replays ${fx.name}: text, calls, reasoning summary, status, usage`, async () => {
      next = () => sseReply(fx.sse);
      const seen = emptySeen();
      let contentType: string | null = null;
      const run = async (): Promise<void> => {
        const { data: stream, response } = await client.responses
          .create({ ...REQUEST, stream: true })
          .withResponse();
        contentType = response.headers.get('content-type');
        for await (const event of stream) fold(seen, event);
      };
      if (expected.error) {
        await expect(run()).rejects.toBeInstanceOf(APIError);
        expect(seen.text).toBe(expected.text);
        expectPassThrough(upstream.requests.at(-1)!);
        await expectRow(expected);
        return;
      }
      await run();
      expect(contentType).toContain('text/event-stream');
      expect(seen.text).toBe(expected.text);
      expect(seen.summary).toBe(expected.reasoning_summary);
      expect(seen.calls).toEqual(
        expected.function_calls.map((c) => ({ call_id: c.call_id, name: c.name, arguments: c.arguments })),
      );
      expect(Object.fromEntries(seen.args)).toEqual(
        Object.fromEntries(expected.function_calls.map((c) => [c.item_id, c.arguments])),
      );
      expect(seen.terminalType).toBe(expected.terminal_event);
      expect(seen.terminal?.status).toBe(expected.status);
      expect(seen.terminal?.usage).toEqual(expected.usage);
      const req = upstream.requests.at(-1)!;
      expectPassThrough(req);
      expect(req.json).toEqual({ ...REQUEST, stream: true });
      await expectRow(expected);
    });

    it(`responses.stream().finalResponse() replays ${fx.name}`, async () => {
      next = () => sseReply(fx.sse);
      const stream = client.responses.stream(REQUEST);
      if (expected.error) {
        await expect(stream.finalResponse()).rejects.toBeInstanceOf(APIError);
        expectPassThrough(upstream.requests.at(-1)!);
        await expectRow(expected);
        return;
      }
      let deltas = '';
      stream.on('response.output_text.delta', (e) => (deltas += e.delta));
      const final = await stream.finalResponse();
      expect(deltas).toBe(expected.text);
      const text = final.output
        .flatMap((o) => (o.type === 'message' ? o.content : []))
        .flatMap((c) => (c.type === 'output_text' ? [c.text] : []))
        .join('');
      expect(text).toBe(expected.text);
      expect(final.status).toBe(expected.status);
      expect(final.usage).toEqual(expected.usage);
      const calls = final.output.flatMap((o) =>
        o.type === 'function_call' ? [{ call_id: o.call_id, name: o.name, arguments: o.arguments }] : [],
      );
      expect(calls).toEqual(
        expected.function_calls.map((c) => ({ call_id: c.call_id, name: c.name, arguments: c.arguments })),
      );
      const summary = final.output
        .flatMap((o) => (o.type === 'reasoning' ? o.summary.map((s) => s.text) : []))
        .join('');
      expect(summary).toBe(expected.reasoning_summary);
      expectPassThrough(upstream.requests.at(-1)!);
      expect(upstream.requests.at(-1)!.json).toEqual({ ...REQUEST, stream: true });
      await expectRow(expected);
    });
  }

  it('responses.create without stream returns the upstream JSON Response and records its usage', async () => {
    const body = {
      id: 'resp_nonstream_01',
      object: 'response',
      created_at: 1763474589,
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: 'gpt-test-2025-01-01',
      output: [
        {
          id: 'rs_01',
          type: 'reasoning',
          summary: [{ type: 'summary_text', text: 'Thinking about Zürich…' }],
        },
        {
          id: 'msg_01',
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Grüezi — 👋', annotations: [] }],
        },
        {
          id: 'fc_01',
          type: 'function_call',
          status: 'completed',
          call_id: 'call_01',
          name: 'get_weather',
          arguments: '{"city":"Zürich"}',
        },
      ],
      usage: {
        input_tokens: 1500,
        input_tokens_details: { cached_tokens: 1024 },
        output_tokens: 90,
        output_tokens_details: { reasoning_tokens: 64 },
        total_tokens: 1590,
      },
    };
    next = () => ({
      headers: { 'content-type': 'application/json' },
      chunks: splitBytes(Buffer.from(JSON.stringify(body)), seed++, 50),
    });
    const { data, response } = await client.responses.create(REQUEST).withResponse();
    expect(data.output_text).toBe('Grüezi — 👋');
    expect(data.output).toEqual(body.output);
    expect(data.usage).toEqual(body.usage);
    const req = upstream.requests.at(-1)!;
    expectPassThrough(req);
    expect(req.json).toEqual(REQUEST);
    const row = await sluice.row((r) => r.requestId === response.headers.get('x-sluice-request-id'));
    expect(row).toMatchObject({
      status: 'completed',
      stream: false,
      provider: 'fake-openai',
      format: 'openai-responses',
      client: 'openai-sdk',
      inputTokens: 476,
      cacheReadTokens: 1024,
      cacheWriteTokens: null,
      outputTokens: 90,
      reasoningTokens: 64,
    });
  });
});
