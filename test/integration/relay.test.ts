import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { FakeUpstream, splitBytes, type FakeReply, type RecordedRequest } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';

/** Raw HTTP to Sluice: status, headers and the exact body bytes, with the arrival time of each chunk. */
function post(
  url: string,
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  chunks: Buffer[];
}> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), chunks }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const chatChunk = (content: string, finish: string | null = null): string =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":${finish === null ? 'null' : `"${finish}"`}}],"usage":null}\n\n`;
const usageChunk =
  'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":3,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":4}}}\n\n';
const chatStream =
  chatChunk('Grüße ') + chatChunk('aus 東京 🗼') + chatChunk('', 'stop') + usageChunk + 'data: [DONE]\n\n';
const chatBody = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    model: 'gpt-test',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'hi' }],
    ...extra,
  });

describe('relay', () => {
  let upstream: FakeUpstream;
  let backup: FakeUpstream;
  let sluice: TestSluice;
  let reply: (r: RecordedRequest) => FakeReply | Promise<FakeReply> = () => ({ chunks: [chatStream] });
  let backupReply: (r: RecordedRequest) => FakeReply | Promise<FakeReply> = () => ({ chunks: [chatStream] });

  beforeAll(async () => {
    upstream = await new FakeUpstream((r) => reply(r)).start();
    backup = await new FakeUpstream((r) => backupReply(r)).start();
    sluice = await startSluice({
      providers: [
        {
          id: 'primary',
          kind: 'openai',
          baseUrl: `${upstream.url}/v1`,
          apiKey: 'sk-1',
          priority: 1,
          headers: {},
        },
        { id: 'backup', kind: 'openai', baseUrl: `${backup.url}/v1`, apiKey: 'sk-2', priority: 2 },
        { id: 'claude', kind: 'anthropic', baseUrl: upstream.url, priority: 1, enabled: false },
      ],
      settings: {
        maxRequestBodyBytes: 4096,
        idleTimeoutMs: 500,
        firstByteTimeoutMs: 2000,
        prefetchMaxMs: 1000,
      },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await upstream.close();
    await backup.close();
  });
  afterEach(() => {
    reply = () => ({ chunks: [chatStream] });
    backupReply = () => ({ chunks: [chatStream] });
  });

  it('relays the upstream bytes exactly, split anywhere (multi-byte UTF-8 across TCP writes)', async () => {
    const bytes = Buffer.from(chatStream);
    for (const seed of [3, 5]) {
      reply = () => ({ chunks: splitBytes(bytes, seed, 7), delayMs: 0 });
      const res = await post(sluice.url, '/v1/chat/completions', chatBody());
      expect(res.status).toBe(200);
      expect(res.body.equals(bytes)).toBe(true);
    }
    const oneByOne = [...bytes].map((b) => Buffer.from([b]));
    reply = () => ({ chunks: oneByOne });
    expect((await post(sluice.url, '/v1/chat/completions', chatBody())).body.equals(bytes)).toBe(true);
  });

  it('sets SSE headers, forwards request ids and adds its own', async () => {
    reply = () => ({
      chunks: [chatStream],
      headers: { 'x-request-id': 'req_up_1', 'openai-processing-ms': '12', 'set-cookie': 'a=b' },
    });
    const res = await post(sluice.url, '/v1/chat/completions', chatBody());
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.headers['x-request-id']).toBe('req_up_1');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['x-sluice-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers['x-sluice-attempts']).toBe('1');
  });

  it('delivers a gzip-encoded upstream stream decoded and intact', async () => {
    reply = () => ({ chunks: splitBytes(Buffer.from(chatStream), 9, 40), gzip: true });
    const res = await post(sluice.url, '/v1/chat/completions', chatBody(), { 'accept-encoding': 'br, zstd' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.toString()).toBe(chatStream);
    expect(upstream.requests.at(-1)!.headers['accept-encoding']).toBe('gzip, deflate, br');
    const row = await sluice.row((r) => r.requestId === res.headers['x-sluice-request-id']);
    expect(row).toMatchObject({ status: 'completed', inputTokens: 7, cacheReadTokens: 4, outputTokens: 3 });
  });

  it('passes a paced stream through event by event, without waiting for the end', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    reply = () => ({
      chunks: [
        chatChunk('first '),
        () => gate.then(() => chatChunk('second', 'stop') + usageChunk + 'data: [DONE]\n\n'),
      ],
    });
    const seen = new Promise<string>((resolve, reject) => {
      const req = http.request(`${sluice.url}/v1/chat/completions`, { method: 'POST' }, (res) => {
        res.once('data', (c: Buffer) => {
          resolve(c.toString());
          release();
          res.resume();
        });
      });
      req.on('error', reject);
      req.end(chatBody());
    });
    // The upstream holds its second event until the client has the first: this only resolves if Sluice does not buffer.
    expect(await seen).toBe(chatChunk('first '));
  });

  it('asks for usage the client did not request and gives the client the stream it would have had', async () => {
    const res = await post(sluice.url, '/v1/chat/completions', chatBody({ stream_options: undefined }));
    const sent = upstream.requests.at(-1)!.json as { stream_options: unknown };
    expect(sent.stream_options).toEqual({ include_usage: true });
    const expected =
      (chatChunk('Grüße ') + chatChunk('aus 東京 🗼') + chatChunk('', 'stop')).replaceAll(
        ',"usage":null',
        '',
      ) + 'data: [DONE]\n\n';
    expect(res.body.toString()).toBe(expected);
    const row = await sluice.row((r) => r.requestId === res.headers['x-sluice-request-id']);
    expect(row).toMatchObject({ status: 'completed', outputTokens: 3, usageProvenance: 'reported' });
  });

  it('fails over to the next provider on a 5xx, and records the provider that answered', async () => {
    reply = () => ({
      status: 503,
      headers: { 'content-type': 'application/json' },
      chunks: ['{"error":{"message":"overloaded"}}'],
    });
    const res = await post(sluice.url, '/v1/chat/completions', chatBody());
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(chatStream);
    expect(res.headers['x-sluice-attempts']).toBe('2');
    expect(backup.requests.at(-1)!.headers.authorization).toBe('Bearer sk-2');
    const row = await sluice.row((r) => r.requestId === res.headers['x-sluice-request-id']);
    expect(row.provider).toBe('backup');
  });

  it("returns the client's own mistake unchanged, without failover", async () => {
    const before = backup.requests.length;
    reply = () => ({
      status: 400,
      headers: { 'content-type': 'application/json' },
      chunks: ['{"error":{"message":"bad model","type":"invalid_request_error"}}'],
    });
    const res = await post(sluice.url, '/v1/chat/completions', chatBody());
    expect(res.status).toBe(400);
    expect(res.body.toString()).toBe('{"error":{"message":"bad model","type":"invalid_request_error"}}');
    expect(backup.requests.length).toBe(before);
  });

  it("answers with the last upstream's own error when every provider fails", async () => {
    reply = () => ({ status: 529, chunks: ['overloaded'] });
    backupReply = () => ({ status: 502, chunks: ['bad gateway'] });
    const res = await post(sluice.url, '/v1/chat/completions', chatBody());
    expect(res.status).toBe(502);
    // maxAttempts (4) allows one more round over both providers after a backoff.
    expect(res.headers['x-sluice-attempts']).toBe('4');
    expect(res.body.toString()).toBe('bad gateway');
    expect(res.headers['x-sluice-summary']).toBe('4 attempts failed; last: backup: http_status 502');
  });

  it('ends a stream cut after the commit with an error event, and records it as failed', async () => {
    reply = () => ({ chunks: [chatChunk('partial')], cut: true });
    const res = await post(sluice.url, '/v1/chat/completions', chatBody());
    expect(res.status).toBe(200);
    const text = res.body.toString();
    expect(text.startsWith(chatChunk('partial'))).toBe(true);
    expect(text.slice(chatChunk('partial').length)).toMatch(/^data: \{"error":\{.*\}\}\n\n$/);
    const row = await sluice.row((r) => r.requestId === res.headers['x-sluice-request-id']);
    expect(row.status).toBe('failed');
  });

  it('ends a stream that goes idle after the commit with an error event', async () => {
    reply = () => ({ chunks: [chatChunk('a'), chatChunk('b')], delayMs: 1500 });
    const res = await post(sluice.url, '/v1/chat/completions', chatBody());
    expect(res.body.toString()).toMatch(/idle/);
  });

  it('aborts the upstream when the client goes away mid-stream, and records it as aborted', async () => {
    reply = () => ({ chunks: [chatChunk('a'), chatChunk('b'), chatChunk('c')], delayMs: 300 });
    const abortedBefore = upstream.aborted.length;
    const id = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${sluice.url}/v1/chat/completions`, { method: 'POST' }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve(String(res.headers['x-sluice-request-id']));
        });
      });
      req.on('error', () => {});
      req.on('timeout', reject);
      req.end(chatBody());
    });
    const row = await sluice.row((r) => r.requestId === id);
    expect(row).toMatchObject({ status: 'aborted', httpStatus: 499 });
    await expect.poll(() => upstream.aborted.length).toBe(abortedBefore + 1);
  });

  it('refuses bad input with format-native errors', async () => {
    const notFound = await post(sluice.url, '/v1/embeddings', '{}');
    expect(notFound.status).toBe(404);
    expect(JSON.parse(notFound.body.toString())).toMatchObject({
      error: { message: expect.stringContaining('/v1/embeddings') },
    });
    const anthropic404 = await post(sluice.url, '/v1/messages/batches', '{}', {
      'anthropic-version': '2023-06-01',
    });
    expect(JSON.parse(anthropic404.body.toString())).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error' },
    });
    const malformed = await post(sluice.url, '/v1/chat/completions', '{"model":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.toString()).toMatch(/not valid JSON/);
    const badUtf8 = await post(
      sluice.url,
      '/v1/chat/completions',
      Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    );
    expect(badUtf8.body.toString()).toMatch(/UTF-8/);
    const big = await post(sluice.url, '/v1/chat/completions', JSON.stringify({ pad: 'x'.repeat(5000) }));
    expect(big.status).toBe(413);
    const noProvider = await post(sluice.url, '/v1/messages', JSON.stringify({ model: 'c', messages: [] }));
    expect(noProvider.status).toBe(503);
    expect(JSON.parse(noProvider.body.toString())).toMatchObject({
      type: 'error',
      error: { message: expect.stringContaining('disabled') },
    });
  });
});
