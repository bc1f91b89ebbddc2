import { beforeEach, describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../../src/formats/anthropic';
import type { LiveEvent } from '../../src/shared/live-events';
import { SettingsSchema } from '../../src/shared/settings';
import { post, type RawResponse } from '../support/fault-upstream';
import { anthropicKit } from '../support/format-kits';
import { attemptsOf, usePair } from '../support/failover-pair';

/**
 * Issue #14 item 10: a conversation that failed over between Anthropic providers carries thinking
 * blocks signed by another provider; the next one answers 400 "Invalid signature in thinking block".
 * On exactly that answer Sluice retries once on the same provider with the thinking blocks of the
 * earlier assistant turns removed, and records that it did.
 */

const SETTINGS = { retryBaseDelayMs: 5, retryMaxDelayMs: 10, circuitConsecutiveFailures: 1 };
const settings = SettingsSchema.parse(SETTINGS);
const JSON_HEADERS = { 'content-type': 'application/json' };
const BAD_SIGNATURE =
  '{"type":"error","error":{"type":"invalid_request_error","message":"messages.1.content.0: Invalid `signature` in `thinking` block"},"request_id":"req_sig"}';

const CONVERSATION = {
  model: 'm-test',
  max_tokens: 1024,
  stream: true,
  thinking: { type: 'enabled', budget_tokens: 512 },
  messages: [
    { role: 'user', content: 'What is 2+2?' },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Simple sum.', signature: 'sig-from-another-provider' },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'text', text: '4' },
      ],
    },
    { role: 'user', content: [{ type: 'text', text: 'And the weather?' }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Need a tool.', signature: 'sig-2' },
        { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'rain' }] },
  ],
};

/** The conversation with every thinking block of the assistant turns removed. */
const STRIPPED = {
  ...CONVERSATION,
  messages: CONVERSATION.messages.map((m) =>
    m.role === 'assistant' && Array.isArray(m.content)
      ? { ...m, content: m.content.filter((b) => b.type !== 'thinking' && b.type !== 'redacted_thinking') }
      : m,
  ),
};

describe('Anthropic: a thinking-block signature another provider issued', () => {
  const pair = usePair(SETTINGS, () =>
    Promise.resolve([
      // Only `mapped-*` models reach this one (at A's address): its retry must map the model too.
      {
        id: 'anthropic-mapped',
        kind: 'anthropic',
        baseUrl: pair.a.url,
        apiKey: 'key-mapped',
        priority: 0,
        allowModels: ['mapped-*'],
        models: { 'mapped-x': 'upstream-x' },
      },
    ]),
  );
  const send = (body: unknown = CONVERSATION): Promise<RawResponse> =>
    post(pair.sluice.url, '/v1/messages', JSON.stringify(body), anthropicKit.headers);

  beforeEach(() => {
    pair.b.script = () => ({ chunks: [anthropicKit.stream('from B')] });
  });

  it('retries once on the same provider without the earlier turns’ thinking blocks', async () => {
    pair.a.script = (req) =>
      JSON.stringify(req.json).includes('"signature"')
        ? { status: 400, headers: JSON_HEADERS, chunks: [BAD_SIGNATURE] }
        : { chunks: [anthropicKit.stream('from A')] };
    const events: LiveEvent[] = [];
    const unsubscribe = pair.sluice.app.live.subscribe((batch) => events.push(...batch));
    const [aBefore, bBefore] = [pair.a.requests.length, pair.b.requests.length];
    const res = await send();
    expect(res.status).toBe(200);
    expect(res.text).toBe(anthropicKit.stream('from A'));
    expect(res.headers['x-sluice-attempts']).toBe('2');
    expect(pair.a.requests.length - aBefore).toBe(2);
    expect(pair.b.requests.length).toBe(bBefore);
    expect(pair.a.last().json).toEqual(STRIPPED);
    const { row, attempts } = await attemptsOf(pair.sluice, res);
    expect(row).toMatchObject({ status: 'completed', provider: 'anthropic-a' });
    const real = attempts.filter((x) => x.outcome !== 'skipped'); // anthropic-mapped: not for this model
    expect(real.map((x) => [x.provider, x.outcome, x.httpStatus])).toEqual([
      ['anthropic-a', 'failed', 400],
      ['anthropic-a', 'committed', 200],
    ]);
    expect(real[0]!.reason).toMatch(/^thinking_signature 400/);
    const id = String(res.headers['x-sluice-request-id']);
    await expect
      .poll(() => events.find((e) => e.type === 'attempt-failed' && e.requestId === id))
      .toMatchObject({ provider: 'anthropic-a', code: 'thinking_signature', status: 400 });
    unsubscribe();
    expect(pair.sluice.app.gateway.health.view('anthropic-a', settings)).toMatchObject({
      state: 'closed',
      failures: 0,
    });
  });

  it('retries only once: a second refusal reaches the client as it is', async () => {
    pair.a.script = () => ({ status: 400, headers: JSON_HEADERS, chunks: [BAD_SIGNATURE] });
    const [aBefore, bBefore] = [pair.a.requests.length, pair.b.requests.length];
    const res = await send();
    expect(res.status).toBe(400);
    expect(res.text).toBe(BAD_SIGNATURE);
    expect(pair.a.requests.length - aBefore).toBe(2);
    expect(pair.b.requests.length).toBe(bBefore);
  });

  it('does not retry another 400, nor a request with no thinking blocks to remove', async () => {
    const other =
      '{"type":"error","error":{"type":"invalid_request_error","message":"messages: roles must alternate"}}';
    pair.a.script = () => ({ status: 400, headers: JSON_HEADERS, chunks: [other] });
    let before = pair.a.requests.length;
    expect((await send()).text).toBe(other);
    expect(pair.a.requests.length - before).toBe(1);

    pair.a.script = () => ({ status: 400, headers: JSON_HEADERS, chunks: [BAD_SIGNATURE] });
    before = pair.a.requests.length;
    const res = await send(STRIPPED);
    expect(res.text).toBe(BAD_SIGNATURE);
    expect(pair.a.requests.length - before).toBe(1);
  });

  it('keeps the provider’s model mapping in the retried body', async () => {
    pair.a.script = (req) =>
      JSON.stringify(req.json).includes('"signature"')
        ? { status: 400, headers: JSON_HEADERS, chunks: [BAD_SIGNATURE] }
        : { chunks: [anthropicKit.stream('from A')] };
    const before = pair.a.requests.length;
    const res = await send({ ...CONVERSATION, model: 'mapped-x' });
    expect(res.status).toBe(200);
    const seen = pair.a.requests.slice(before).map((r) => r.json);
    expect(seen).toEqual([
      { ...CONVERSATION, model: 'upstream-x' },
      { ...STRIPPED, model: 'upstream-x' },
    ]);
  });
});

describe('stripThinking (formats/anthropic)', () => {
  it('removes thinking and redacted_thinking from assistant turns only, keeping everything else', () => {
    const withUserThinking = {
      ...CONVERSATION,
      messages: [
        ...CONVERSATION.messages,
        { role: 'user', content: [{ type: 'thinking', thinking: 'user' }] },
      ],
    };
    const repaired = anthropicAdapter.repairRequest(400, BAD_SIGNATURE, withUserThinking);
    expect(repaired?.json).toEqual({
      ...STRIPPED,
      messages: [...STRIPPED.messages, withUserThinking.messages.at(-1)],
    });
    expect(repaired?.code).toBe('thinking_signature');
    expect(withUserThinking.messages[1]!.content).toHaveLength(3); // the client's JSON is not changed
  });

  it('drops an assistant turn left empty', () => {
    const onlyThinking = {
      model: 'm',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's' }] },
        { role: 'user', content: 'b' },
      ],
    };
    expect(anthropicAdapter.repairRequest(400, BAD_SIGNATURE, onlyThinking)?.json).toEqual({
      model: 'm',
      messages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ],
    });
  });

  it('answers null for any other answer, and when there is nothing to remove', () => {
    expect(anthropicAdapter.repairRequest(500, BAD_SIGNATURE, CONVERSATION)).toBeNull();
    expect(
      anthropicAdapter.repairRequest(400, '{"type":"error","error":{"message":"bad"}}', CONVERSATION),
    ).toBeNull();
    expect(anthropicAdapter.repairRequest(400, BAD_SIGNATURE, STRIPPED)).toBeNull();
  });
});
