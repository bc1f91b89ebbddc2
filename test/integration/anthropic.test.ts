import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Anthropic, { APIError as APIError1 } from '@anthropic-ai/sdk';
import Anthropic0, { APIError as APIError0 } from 'anthropic-sdk-0';
import { FakeUpstream, splitBytes, type FakeReply, type RecordedRequest } from '../support/fake-upstream';
import { fixtures } from '../support/fixtures';
import { startSluice, type TestSluice } from '../support/sluice';
import type { UsageRow } from '../../src/shared/usage';

interface ExpectedAnthropic {
  text: string;
  thinking: string | null;
  tool_calls: { id: string; name: string; arguments: string }[];
  stop_reason: string | null;
  usage: Record<string, unknown> | null;
  error: { type: string; message: string } | null;
}

type Usage = Record<string, unknown>;

const PROVIDER_KEY = 'sk-ant-provider';
const CLIENT_KEY = 'sk-ant-client';

/** Both SDK lines, each with a fetch that records the headers it sent. */
interface SdkLine {
  label: string;
  /** The 0.x client is driven through the 1.x declarations: the calls used here have one shape in both. */
  client: Anthropic;
  apiError: typeof APIError1 | typeof APIError0;
  /** What the SDK itself put on the wire, request by request. */
  sent: { url: URL; headers: Headers }[];
}

function makeLine(label: string, sluiceUrl: string, line: '1' | '0'): SdkLine {
  const sent: SdkLine['sent'] = [];
  const recordingFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    sent.push({
      url,
      headers: new Headers(init?.headers ?? (input instanceof Request ? input.headers : {})),
    });
    return fetch(input, init);
  };
  const options = { baseURL: sluiceUrl, apiKey: CLIENT_KEY, maxRetries: 0, fetch: recordingFetch };
  const client = line === '1' ? new Anthropic(options) : (new Anthropic0(options) as unknown as Anthropic);
  return { label, client, apiError: line === '1' ? APIError1 : APIError0, sent };
}

/** An SSE reply replaying `sse` split at deterministic pseudo-random byte boundaries. */
function sseReply(sse: Buffer, seed: number): FakeReply {
  return {
    headers: { 'content-type': 'text/event-stream; charset=utf-8' },
    chunks: splitBytes(sse, seed, 64),
    delayMs: 1,
  };
}

function jsonReply(value: unknown, status = 200): FakeReply {
  const bytes = Buffer.from(JSON.stringify(value));
  return { status, headers: { 'content-type': 'application/json' }, chunks: splitBytes(bytes, 7, 40) };
}

/**
 * The usage Sluice must record for an Anthropic usage object: `input_tokens` already excludes cached
 * tokens. With server-side compaction the top level covers only the final pass and `iterations` lists
 * every pass, so the billed numbers are the sums over `iterations`.
 */
function anthropicTokens(
  usage: Usage,
): Pick<UsageRow, 'inputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'outputTokens'> {
  const passes = Array.isArray(usage.iterations) ? (usage.iterations as Usage[]) : [usage];
  const sum = (key: string): number | null =>
    passes.some((p) => typeof p[key] === 'number')
      ? passes.reduce((n, p) => n + (typeof p[key] === 'number' ? p[key] : 0), 0)
      : null;
  return {
    inputTokens: sum('input_tokens'),
    cacheReadTokens: sum('cache_read_input_tokens'),
    cacheWriteTokens: sum('cache_creation_input_tokens'),
    outputTokens: sum('output_tokens'),
  };
}

/** What the SDK's raw stream events add up to. */
interface Seen {
  text: string;
  thinking: string;
  tools: { id: string; name: string; json: string }[];
  stopReason: string | null;
  usage: Usage | null;
}

function emptySeen(): Seen {
  return { text: '', thinking: '', tools: [], stopReason: null, usage: null };
}

/** Folds one raw MessageStreamEvent into `seen`: usage = message_start's with message_delta's non-null fields over it. */
function fold(seen: Seen, event: Anthropic.MessageStreamEvent, blocks: Map<number, number>): void {
  switch (event.type) {
    case 'message_start':
      seen.usage = { ...(event.message.usage as unknown as Usage) };
      break;
    case 'content_block_start':
      if (event.content_block.type === 'tool_use') {
        blocks.set(event.index, seen.tools.length);
        seen.tools.push({ id: event.content_block.id, name: event.content_block.name, json: '' });
      }
      break;
    case 'content_block_delta':
      if (event.delta.type === 'text_delta') seen.text += event.delta.text;
      else if (event.delta.type === 'thinking_delta') seen.thinking += event.delta.thinking;
      else if (event.delta.type === 'input_json_delta') {
        const at = blocks.get(event.index);
        if (at !== undefined) seen.tools[at]!.json += event.delta.partial_json;
      }
      break;
    case 'message_delta': {
      seen.stopReason = event.delta.stop_reason;
      const merged: Usage = { ...seen.usage };
      for (const [k, v] of Object.entries(event.usage)) if (v !== null && v !== undefined) merged[k] = v;
      seen.usage = merged;
      break;
    }
    default:
      break;
  }
}

const MESSAGE_BODY = {
  model: 'claude-test',
  max_tokens: 1024,
  messages: [{ role: 'user' as const, content: 'hi' }],
};

describe('Anthropic Messages through Sluice with both Anthropic SDK lines', () => {
  let upstream: FakeUpstream;
  let sluice: TestSluice;
  let next: (req: RecordedRequest) => FakeReply = () => ({ chunks: [] });
  let seed = 11;
  const lines: SdkLine[] = [];

  beforeAll(async () => {
    upstream = await new FakeUpstream((req) => next(req)).start();
    sluice = await startSluice({
      providers: [
        { id: 'fake-anthropic', kind: 'anthropic', baseUrl: upstream.url, apiKey: PROVIDER_KEY, priority: 1 },
      ],
      // One attempt per call and no circuit breaker: each test sees exactly its own upstream exchange.
      settings: { maxAttempts: 1, circuitMinSamples: 1000, circuitConsecutiveFailures: 1000 },
    });
    lines.push(makeLine('@anthropic-ai/sdk 1.x', sluice.url, '1'));
    lines.push(makeLine('anthropic-sdk-0 (0.137)', sluice.url, '0'));
  });
  afterAll(async () => {
    await sluice.close();
    await upstream.close();
  });

  /**
   * The SDK sent its own key (0.x as `x-api-key`, 1.x as `Authorization: Bearer`); the upstream got the
   * provider's key as `x-api-key` and no trace of the client's. Path, query and version headers pass through.
   */
  function expectPassThrough(req: RecordedRequest, line: SdkLine): void {
    const sent = line.sent.at(-1)!;
    const clientCredential = sent.headers.get('x-api-key') ?? sent.headers.get('authorization');
    expect(clientCredential?.replace(/^Bearer /, '')).toBe(CLIENT_KEY);
    expect(req.headers['x-api-key']).toBe(PROVIDER_KEY);
    expect(req.headers.authorization).toBeUndefined();
    expect(JSON.stringify(req.headers)).not.toContain(CLIENT_KEY);
    expect(req.url).toBe(`${sent.url.pathname}${sent.url.search}`);
    expect(sent.headers.get('anthropic-version')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(req.headers['anthropic-version']).toBe(sent.headers.get('anthropic-version'));
    expect(req.headers['anthropic-beta']).toBe(sent.headers.get('anthropic-beta') ?? undefined);
  }

  /** The row of a request whose id the SDK did not let us see: the one not recorded before `mark()`. */
  let known = new Set<string>();
  function mark(): void {
    sluice.app.flushUsage();
    known = new Set(sluice.app.repo.listRequests({ limit: 1000 }).map((r) => r.requestId));
  }
  function newRow(): Promise<UsageRow> {
    return sluice.row((r) => !known.has(r.requestId));
  }

  function rowFor(requestId: string | null): Promise<UsageRow> {
    expect(requestId).toMatch(/^[0-9a-f]{32}$/);
    return sluice.row((r) => r.requestId === requestId);
  }

  for (const which of ['1', '0'] as const) {
    describe(which === '1' ? '@anthropic-ai/sdk 1.x' : 'anthropic-sdk-0 (0.137)', () => {
      const line = (): SdkLine => lines[which === '1' ? 0 : 1]!;

      for (const fx of fixtures('anthropic')) {
        const expected = fx.meta.expected as unknown as ExpectedAnthropic;
        it(`messages.stream replays ${fx.name}: text, thinking, tool inputs, stop reason, usage`, async () => {
          const sse = fx.sse;
          next = () => sseReply(sse, seed++);
          const before = upstream.requests.length;
          mark();
          const { client, apiError } = line();
          const stream = client.messages.stream(MESSAGE_BODY);
          const seen = emptySeen();
          const blocks = new Map<number, number>();
          let requestId: string | null = null;
          const run = async (): Promise<Anthropic.Message> => {
            const { response } = await stream.withResponse();
            requestId = response.headers.get('x-sluice-request-id');
            for await (const event of stream) fold(seen, event, blocks);
            return stream.finalMessage();
          };

          if (expected.error) {
            const err: unknown = await run().then(
              () => null,
              (e: unknown) => e,
            );
            expect(err).toBeInstanceOf(Error);
            expect(seen.text).toBe(expected.text);
            expect(upstream.requests.length).toBe(before + 1);
            expectPassThrough(upstream.requests.at(-1)!, line());
            const contentBeforeError = expected.text !== '' || expected.tool_calls.length > 0;
            const row = await (requestId !== null ? rowFor(requestId) : newRow());
            expect(row).toMatchObject({
              status: 'failed',
              provider: 'fake-anthropic',
              format: 'anthropic',
              client: 'anthropic-sdk',
            });
            if (contentBeforeError) {
              // Committed: the upstream's own error event reached the SDK unchanged, and it raised it.
              expect(err).toBeInstanceOf(apiError);
              expect((err as APIError1).status).toBeUndefined();
              expect((err as APIError1).error).toMatchObject({ type: 'error', error: expected.error });
              // Cut short: the output count is raised to at least what the text seen amounts to.
              const reported = anthropicTokens(expected.usage!);
              expect(row).toMatchObject({ httpStatus: 200, ...reported, outputTokens: expect.any(Number) });
              expect(row.outputTokens).toBeGreaterThanOrEqual(reported.outputTokens ?? 0);
              expect(row.usageProvenance).toBe('partial');
            } else {
              // Nothing committed: Sluice must answer a whole Anthropic error with an error status,
              // which the SDK raises as APIError (not a 200 the SDK reads as an empty stream).
              expect(row.httpStatus).toBeGreaterThanOrEqual(500);
              expect(err).toBeInstanceOf(apiError);
              expect((err as APIError1).status).toBe(row.httpStatus);
              expect((err as APIError1).headers?.get('x-sluice-request-id')).toBe(row.requestId);
              expect((err as APIError1).error).toMatchObject({
                type: 'error',
                error: { type: expect.any(String) as unknown },
              });
            }
            return;
          }

          const final = await run();
          expect(seen.text).toBe(expected.text);
          expect(seen.thinking).toBe(expected.thinking ?? '');
          expect(seen.stopReason).toBe(expected.stop_reason);
          expect(seen.usage).toEqual(expected.usage);
          expect(seen.tools.map((t) => ({ id: t.id, name: t.name, arguments: t.json }))).toEqual(
            expected.tool_calls,
          );

          // The SDK's own accumulated Message agrees.
          expect(final.stop_reason).toBe(expected.stop_reason);
          const text = final.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
          expect(text).toBe(expected.text);
          const thinking = final.content.flatMap((b) => (b.type === 'thinking' ? [b.thinking] : [])).join('');
          expect(thinking).toBe(expected.thinking ?? '');
          const toolUses = final.content.flatMap((b) => (b.type === 'tool_use' ? [b] : []));
          expect(toolUses.map((b) => ({ id: b.id, name: b.name, input: b.input }))).toEqual(
            expected.tool_calls.map((t) => ({
              id: t.id,
              name: t.name,
              input: JSON.parse(t.arguments === '' ? '{}' : t.arguments) as unknown,
            })),
          );
          expect(final.usage.input_tokens).toBe(expected.usage!.input_tokens);
          expect(final.usage.output_tokens).toBe(expected.usage!.output_tokens);

          const req = upstream.requests.at(-1)!;
          expect(upstream.requests.length).toBe(before + 1);
          expect(req.method).toBe('POST');
          expect(req.url).toBe('/v1/messages');
          expect(req.json).toMatchObject({ ...MESSAGE_BODY, stream: true });
          expectPassThrough(req, line());

          const row = await rowFor(requestId);
          expect(row).toMatchObject({
            status: 'completed',
            provider: 'fake-anthropic',
            format: 'anthropic',
            client: 'anthropic-sdk',
            model: 'claude-test',
            stream: true,
            httpStatus: 200,
            usageProvenance: 'reported',
            ...anthropicTokens(expected.usage!),
          });
        });
      }

      it('messages.create without stream returns the upstream JSON Message and records its usage', async () => {
        const message = {
          id: 'msg_nonstream_01',
          type: 'message',
          role: 'assistant',
          model: 'claude-test-20250101',
          content: [
            { type: 'text', text: 'Checking the weather — 🌤️' },
            { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Zürich', days: 2 } },
          ],
          stop_reason: 'tool_use',
          stop_sequence: null,
          usage: {
            input_tokens: 21,
            cache_creation_input_tokens: 300,
            cache_read_input_tokens: 1200,
            output_tokens: 37,
          },
        };
        next = () => jsonReply(message);
        const { client } = line();
        const { data, response } = await client.messages.create(MESSAGE_BODY).withResponse();
        expect(data).toEqual(message);
        const req = upstream.requests.at(-1)!;
        expect(req.url).toBe('/v1/messages');
        expect(req.json).toEqual(MESSAGE_BODY);
        expectPassThrough(req, line());
        const row = await rowFor(response.headers.get('x-sluice-request-id'));
        expect(row).toMatchObject({
          status: 'completed',
          stream: false,
          provider: 'fake-anthropic',
          format: 'anthropic',
          client: 'anthropic-sdk',
          inputTokens: 21,
          cacheReadTokens: 1200,
          cacheWriteTokens: 300,
          outputTokens: 37,
        });
      });

      it('messages.countTokens reaches /v1/messages/count_tokens and returns the count', async () => {
        next = () => jsonReply({ input_tokens: 4242 });
        const { client } = line();
        const { data, response } = await client.messages
          .countTokens({ model: 'claude-test', messages: MESSAGE_BODY.messages })
          .withResponse();
        expect(data).toEqual({ input_tokens: 4242 });
        const req = upstream.requests.at(-1)!;
        expect(req.url).toBe('/v1/messages/count_tokens');
        expect(req.json).toEqual({ model: 'claude-test', messages: MESSAGE_BODY.messages });
        expectPassThrough(req, line());
        const row = await rowFor(response.headers.get('x-sluice-request-id'));
        expect(row).toMatchObject({ status: 'completed', format: 'anthropic', client: 'anthropic-sdk' });
      });

      // 0.x's beta resource adds `?beta=true` itself; 1.14 no longer does, so there the query is given as
      // a request option — either way the upstream must see exactly the SDK's path and query.
      const betaQuery = which === '1' ? { query: { beta: 'true' } } : {};

      it('beta.messages passes ?beta=true and the anthropic-beta header through', async () => {
        const fx = fixtures('anthropic').find((f) => f.name === 'claude-haiku-4.5-text')!;
        next = () => sseReply(fx.sse, seed++);
        const { client } = line();
        const stream = client.beta.messages.stream(
          { ...MESSAGE_BODY, betas: ['prompt-caching-2024-07-31', 'compact-2026-01-12'] },
          betaQuery,
        );
        const final = await stream.finalMessage();
        expect(final.content.flatMap((b) => (b.type === 'text' ? [b.text] : []))).toEqual(['Hello']);
        const req = upstream.requests.at(-1)!;
        expect(line().sent.at(-1)!.url.search).toBe('?beta=true');
        expect(req.url).toBe('/v1/messages?beta=true');
        expect(req.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31,compact-2026-01-12');
        expectPassThrough(req, line());
      });

      it('beta.messages.countTokens keeps ?beta=true and anthropic-beta on count_tokens', async () => {
        next = () => jsonReply({ input_tokens: 7 });
        const { client } = line();
        const count = await client.beta.messages.countTokens(
          { model: 'claude-test', messages: MESSAGE_BODY.messages, betas: ['token-counting-2024-11-01'] },
          betaQuery,
        );
        expect(count.input_tokens).toBe(7);
        const req = upstream.requests.at(-1)!;
        expect(req.url).toBe('/v1/messages/count_tokens?beta=true');
        expect(req.headers['anthropic-beta']).toContain('token-counting-2024-11-01');
        expectPassThrough(req, line());
      });
    });
  }
});

describe('Anthropic: an error event before any content fails over to the next provider', () => {
  const overloaded = fixtures('anthropic').find((f) => f.name === 'claude-3.5-haiku-error-overloaded')!;
  const hello = fixtures('anthropic').find((f) => f.name === 'claude-haiku-4.5-text')!;
  let primary: FakeUpstream;
  let backup: FakeUpstream;
  let sluice: TestSluice;
  let seed = 101;

  beforeAll(async () => {
    primary = await new FakeUpstream(() => sseReply(overloaded.sse, seed++)).start();
    backup = await new FakeUpstream(() => sseReply(hello.sse, seed++)).start();
    sluice = await startSluice({
      providers: [
        { id: 'primary', kind: 'anthropic', baseUrl: primary.url, apiKey: 'sk-ant-primary', priority: 1 },
        { id: 'backup', kind: 'anthropic', baseUrl: backup.url, apiKey: 'sk-ant-backup', priority: 2 },
      ],
    });
  });
  afterAll(async () => {
    await sluice.close();
    await primary.close();
    await backup.close();
  });

  for (const which of ['1', '0'] as const) {
    it(`${which === '1' ? '@anthropic-ai/sdk 1.x' : 'anthropic-sdk-0'} gets the backup's stream, never the primary's bytes`, async () => {
      const { client } = makeLine(`line ${which}`, sluice.url, which);
      const stream = client.messages.stream(MESSAGE_BODY);
      const { response } = await stream.withResponse();
      const final = await stream.finalMessage();
      expect(final.content).toEqual([{ type: 'text', text: 'Hello' }]);
      expect(final.stop_reason).toBe('end_turn');
      expect(response.headers.get('x-sluice-attempts')).toBe('2');
      expect(primary.requests.at(-1)!.headers['x-api-key']).toBe('sk-ant-primary');
      expect(backup.requests.at(-1)!.headers['x-api-key']).toBe('sk-ant-backup');
      const row = await sluice.row((r) => r.requestId === response.headers.get('x-sluice-request-id'));
      expect(row).toMatchObject({
        status: 'completed',
        provider: 'backup',
        client: 'anthropic-sdk',
        inputTokens: 10,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        outputTokens: 4,
      });
    });
  }
});
