import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';

/*
 * What the inspector gets from a real request through the real app: its raw frames with arrival
 * offsets, its price, and (only when asked for) its body — never a credential, in any file.
 */

const PROVIDER_KEY = 'sk-ant-provider-9f8e7d6c5b4a';
const EVENTS: [string, string][] = [
  [
    'message_start',
    '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"usage":{"input_tokens":100000,"cache_read_input_tokens":0,"cache_creation_input_tokens":0,"output_tokens":1}}}',
  ],
  [
    'content_block_start',
    '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
  ],
  [
    'content_block_delta',
    `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"the key is ${PROVIDER_KEY}"}}`,
  ],
  ['content_block_stop', '{"type":"content_block_stop","index":0}'],
  [
    'message_delta',
    '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":100000}}',
  ],
  ['message_stop', '{"type":"message_stop"}'],
];
const SSE = EVENTS.map(([e, d]) => `event: ${e}\ndata: ${d}\n\n`);

let upstream: FakeUpstream;
let sluice: TestSluice | undefined;

beforeAll(async () => {
  upstream = await new FakeUpstream(() => ({ chunks: SSE, delayMs: 15 })).start();
});
afterAll(async () => {
  await upstream.close();
});
afterEach(async () => {
  await sluice?.close();
  sluice = undefined;
});

async function ask(body: object): Promise<string> {
  const res = await fetch(`${sluice!.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'client-key-not-stored' },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.headers.get('x-sluice-request-id')!;
}

function start(settings: Record<string, unknown> = {}): Promise<TestSluice> {
  return startSluice({
    providers: [{ id: 'claude', kind: 'anthropic', baseUrl: upstream.url, apiKey: PROVIDER_KEY }],
    settings,
  });
}

describe('captures and cost of a real request', () => {
  it('keeps every frame with its offset, redacted, and the cost at today’s price', async () => {
    sluice = await start();
    const id = await ask({
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    await sluice.row((r) => r.requestId === id);
    const detail = sluice.app.queries.getRequest(id)!;
    expect(detail.capture.frames.map((f) => [f.event, f.data])).toEqual(
      EVENTS.map(([e, d]) => [e, d.replace(PROVIDER_KEY, '[redacted]')]),
    );
    const offsets = detail.capture.frames.map((f) => f.offsetMs);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(offsets.at(-1)! - offsets[0]!).toBeGreaterThanOrEqual(40); // five gaps of 15 ms, give or take
    expect(detail.capture.requestBody).toBeNull(); // bodies are off by default
    // Sonnet 4.5 at $3 in / $15 out per million (prompts up to 200 k): 100 k input + 100 k output.
    expect(detail.request.costUsd).toBeCloseTo(0.3 + 1.5, 9);
    expect(detail.pricing).toMatchObject({ modelPattern: 'claude-sonnet-4-5*', source: 'builtin' });
    await sluice.app.close(1_000);
    // Every file Sluice wrote (config.json is the test's own, written with the key in it).
    for (const f of fs.readdirSync(sluice.dataDir).filter((name) => name !== 'config.json')) {
      const bytes = fs.readFileSync(path.join(sluice.dataDir, f));
      expect(bytes.includes(PROVIDER_KEY), f).toBe(false);
      expect(bytes.includes('client-key-not-stored'), f).toBe(false);
    }
  });

  it('records the request line and headers as sent, the key masked, in the detail call', async () => {
    sluice = await start({ captureFrames: false });
    const res = await fetch(`${sluice.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        'x-api-key': 'client-key-not-stored',
        authorization: `Bearer ${PROVIDER_KEY}`,
        'x-trace-id': 'trace-42',
        'user-agent': 'claude-cli/2.0.0 (external, cli)',
      },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, stream: true, messages: [] }),
    });
    await res.text();
    const id = res.headers.get('x-sluice-request-id')!;
    await sluice.row((r) => r.requestId === id);
    const detail = await sluice.app.control.api.call('requests.get', { requestId: id });
    if (!detail.ok || detail.value === null) throw new Error('no detail');
    const recorded = detail.value.capture.requestHeaders!;
    expect(recorded).toMatchObject({ method: 'POST', target: '/v1/messages?beta=true', omitted: 0 });
    const byName = new Map(recorded.headers.map((h) => [h.name, h]));
    expect(byName.get('x-api-key')).toEqual({
      name: 'x-api-key',
      value: 'clie…(redacted, 21 chars)',
      redacted: true,
    });
    expect(byName.get('authorization')).toEqual({
      name: 'authorization',
      value: `Bearer sk-a…(redacted, ${PROVIDER_KEY.length} chars)`,
      redacted: true,
    });
    expect(byName.get('x-trace-id')).toEqual({ name: 'x-trace-id', value: 'trace-42', redacted: false });
    expect(byName.get('anthropic-version')?.value).toBe('2023-06-01');
    expect(byName.get('host')?.value).toBe(new URL(sluice.url).host);
    // Frames are off: headers are kept anyway, and only they.
    expect(detail.value.capture.frames).toEqual([]);
    const text = JSON.stringify(detail.value);
    expect(text).not.toContain('client-key-not-stored');
    expect(text).not.toContain(PROVIDER_KEY);
    await sluice.app.close(1_000);
    for (const f of fs.readdirSync(sluice.dataDir).filter((name) => name !== 'config.json')) {
      const bytes = fs.readFileSync(path.join(sluice.dataDir, f));
      expect(bytes.includes(PROVIDER_KEY), f).toBe(false);
      expect(bytes.includes('client-key-not-stored'), f).toBe(false);
    }
  });

  it('keeps the request body when captureRequestBodies is on, with credentials redacted', async () => {
    sluice = await start({ captureRequestBodies: true });
    const body = {
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      stream: true,
      messages: [{ role: 'user', content: `use ${PROVIDER_KEY}` }],
    };
    const id = await ask(body);
    await sluice.row((r) => r.requestId === id);
    const capture = sluice.app.queries.getRequest(id)!.capture;
    expect(JSON.parse(capture.requestBody!)).toEqual({
      ...body,
      messages: [{ role: 'user', content: 'use [redacted]' }],
    });
  });
});
