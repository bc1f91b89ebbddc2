import { beforeEach, describe, expect, it } from 'vitest';
import { adapterFor } from '../../src/formats';
import { SettingsSchema } from '../../src/shared/settings';
import { post, type RawResponse } from '../support/fault-upstream';
import { KITS, type FormatKit } from '../support/format-kits';
import { attemptsOf, expectServedByB, usePair } from '../support/failover-pair';

/**
 * Issue #14 item 8: a provider that does not have the model (a 404, or a 400 that says the model is
 * not found / not supported, in each vendor's own shape) passes the request to the next provider in
 * the chain; the last one's answer reaches the client as it is. An invalid request (bad JSON, a schema
 * error) still returns at once: it would fail everywhere. Not having a model is no health failure.
 */

const SETTINGS = {
  firstByteTimeoutMs: 1_000,
  retryBaseDelayMs: 5,
  retryMaxDelayMs: 10,
  circuitConsecutiveFailures: 1,
};
const settings = SettingsSchema.parse(SETTINGS);
const JSON_HEADERS = { 'content-type': 'application/json' };

/** Each vendor's model-not-found answers, as their APIs (and common compatible servers) write them. */
const NOT_FOUND: Record<FormatKit['kind'], { status: number; body: string }[]> = {
  openai: [
    {
      status: 404,
      body: '{"error":{"message":"The model `m-test` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}',
    },
    {
      status: 400,
      body: '{"error":{"message":"The requested model is not supported.","code":"model_not_supported","param":"model","type":"invalid_request_error"}}',
    },
    { status: 400, body: '{"error":{"message":"m-test is not a valid model ID","code":400}}' },
    {
      status: 400,
      body: '{"error":{"message":"Model Not Exist","type":"invalid_request_error","param":null,"code":"invalid_request_error"}}',
    },
    {
      status: 404,
      body: '{"error":{"message":"model \\"m-test\\" not found, try pulling it first","type":"api_error"}}',
    },
  ],
  anthropic: [
    {
      status: 404,
      body: '{"type":"error","error":{"type":"not_found_error","message":"model: m-test"},"request_id":"req_1"}',
    },
    {
      status: 400,
      body: '{"type":"error","error":{"type":"invalid_request_error","message":"The model m-test is not supported."}}',
    },
  ],
  gemini: [
    {
      status: 404,
      body: '{\n  "error": {\n    "code": 404,\n    "message": "models/m-test is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.",\n    "status": "NOT_FOUND"\n  }\n}\n',
    },
    {
      status: 400,
      body: '{"error":{"code":400,"message":"* GenerateContentRequest.model: model m-test does not exist","status":"INVALID_ARGUMENT"}}',
    },
  ],
};

/** Invalid requests in each vendor's shape: they would fail everywhere, so they return at once. */
const INVALID: Record<FormatKit['kind'], string> = {
  openai:
    '{"error":{"message":"Invalid type for \'messages[0].content\': expected one of a string or array of objects, but got an integer instead.","type":"invalid_request_error","param":"messages[0].content","code":"invalid_type"}}',
  anthropic: '{"type":"error","error":{"type":"invalid_request_error","message":"model: Field required"}}',
  gemini:
    '{"error":{"code":400,"message":"Invalid JSON payload received. Unknown name \\"contentz\\": Cannot find field.","status":"INVALID_ARGUMENT"}}',
};

describe('a provider without the model passes the request on', () => {
  const pair = usePair(SETTINGS);

  describe.each(KITS)('$format', (kit: FormatKit) => {
    const send = (): Promise<RawResponse> =>
      post(pair.sluice.url, kit.path('m-test'), kit.body('m-test'), kit.headers);

    beforeEach(() => {
      pair.a.script = () => ({ chunks: [kit.stream('from A')] });
      pair.b.script = () => ({ chunks: [kit.stream('from B')] });
    });

    it.each(NOT_FOUND[kit.kind])(
      'moves on from HTTP $status "model not found" (%#)',
      async ({ status, body }) => {
        pair.a.script = () => ({ status, headers: JSON_HEADERS, chunks: [body] });
        const res = await send();
        await expectServedByB(pair.sluice, kit, res, new RegExp(`^model_not_found ${status}`));
        // Not having a model says nothing about the provider's health.
        expect(pair.sluice.app.gateway.health.view(`${kit.kind}-a`, settings)).toMatchObject({
          state: 'closed',
          failures: 0,
        });
      },
    );

    it('returns the last candidate’s "model not found" as it is', async () => {
      const { status, body } = NOT_FOUND[kit.kind][0]!;
      pair.a.script = () => ({ status, headers: JSON_HEADERS, chunks: [body] });
      pair.b.script = () => ({ status, headers: JSON_HEADERS, chunks: [body] });
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.text).toBe(body);
      expect(res.headers['x-sluice-attempts']).toBe('2');
      const { row } = await attemptsOf(pair.sluice, res);
      expect(row).toMatchObject({ status: 'failed', httpStatus: status, provider: `${kit.kind}-b` });
    });

    it('returns an invalid request (a schema error 400) at once, without trying another provider', async () => {
      pair.a.script = () => ({ status: 400, headers: JSON_HEADERS, chunks: [INVALID[kit.kind]] });
      const before = pair.b.requests.length;
      const res = await send();
      expect(res.status).toBe(400);
      expect(res.text).toBe(INVALID[kit.kind]);
      expect(res.headers['x-sluice-attempts']).toBe('1');
      expect(pair.b.requests.length).toBe(before);
    });
  });
});

describe('isModelNotFound: each format knows its vendor’s shapes', () => {
  it.each(KITS.flatMap((kit) => NOT_FOUND[kit.kind].map((c) => ({ format: kit.format, ...c }))))(
    '$format $status is model-not-found',
    ({ format, status, body }) => {
      expect(adapterFor(format).isModelNotFound(status, body)).toBe(true);
    },
  );

  it.each(KITS.map((kit) => ({ format: kit.format, body: INVALID[kit.kind] })))(
    '$format: a schema error is not',
    ({ format, body }) => {
      expect(adapterFor(format).isModelNotFound(400, body)).toBe(false);
    },
  );

  it.each([
    '{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-x"}}',
    '{"error":{"message":"This model\'s maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}',
    '{"error":{"message":"Unsupported parameter: \'temperature\' is not supported with this model.","type":"invalid_request_error","param":"temperature","code":"unsupported_parameter"}}',
    '{"error":{"code":400,"message":"Function calling is not enabled for models/gemini-x","status":"INVALID_ARGUMENT"}}',
    'not json at all',
    '',
  ])('a 400 that names the model but is about something else is not: %s', (body) => {
    for (const kit of KITS) expect(adapterFor(kit.format).isModelNotFound(400, body)).toBe(false);
  });

  it('other statuses are not', () => {
    for (const kit of KITS) {
      expect(adapterFor(kit.format).isModelNotFound(500, NOT_FOUND[kit.kind][0]!.body)).toBe(false);
      expect(adapterFor(kit.format).isModelNotFound(401, NOT_FOUND[kit.kind][0]!.body)).toBe(false);
    }
  });
});
