import zlib from 'node:zlib';
import { describe, expect, it, beforeEach } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { post, type RawResponse } from '../support/fault-upstream';
import {
  KITS,
  anthropicKit,
  chatKit,
  errorBodyMessage,
  geminiKit,
  type FormatKit,
} from '../support/format-kits';
import { attemptsOf, usePair } from '../support/failover-pair';
import { SDKS } from '../support/sdk-runners';

/**
 * Issue #14 item 7: when every attempt failed, the client gets the provider's own answer — the last
 * attempt's status, the headers SDKs and CLIs act on, and its error body byte for byte — with
 * Sluice's account of the attempts in `x-sluice-attempts` (the count) and `x-sluice-summary`.
 * When no attempt got an answer and every one timed out, the status is 504.
 */

const SETTINGS = {
  maxAttempts: 2,
  firstByteTimeoutMs: 300,
  retryBaseDelayMs: 5,
  retryMaxDelayMs: 10,
  maxCooldownMs: 50,
};

/** A vendor's own 429, as its API writes it (spacing, key order and non-ASCII kept). */
const RATE_LIMITED: Record<FormatKit['kind'], { body: string; headers: Record<string, string> }> = {
  openai: {
    body: '{\n    "error": {\n        "message": "Rate limit reached for gpt-x on tokens per min (TPM): Limit 30000, Used 30000 — try again in 7s.",\n        "type": "tokens",\n        "param": null,\n        "code": "rate_limit_exceeded"\n    }\n}\n',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'retry-after': '7',
      'retry-after-ms': '7000',
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '7s',
      'x-request-id': 'req_openai_1',
      'x-should-retry': 'true',
      'x-unrelated': 'dropped',
    },
  },
  anthropic: {
    body: '{"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed your organization’s rate limit of 50 requests per minute."},"request_id":"req_011CA"}',
    headers: {
      'content-type': 'application/json',
      'retry-after': '7',
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:07Z',
      'request-id': 'req_011CA',
      'x-unrelated': 'dropped',
    },
  },
  gemini: {
    body: '{\n  "error": {\n    "code": 429,\n    "message": "Resource has been exhausted (e.g. check quota).",\n    "status": "RESOURCE_EXHAUSTED"\n  }\n}\n',
    headers: {
      'content-type': 'application/json; charset=UTF-8',
      'retry-after': '7',
      'x-unrelated': 'dropped',
    },
  },
};

describe('when every attempt failed, the client gets the provider’s answer', () => {
  const pair = usePair(SETTINGS);

  describe.each(KITS)('$format', (kit: FormatKit) => {
    const send = (): Promise<RawResponse> => post(pair.sluice.url, kit.path('m'), kit.body('m'), kit.headers);
    const limited = RATE_LIMITED[kit.kind];

    beforeEach(() => {
      pair.a.script = () => ({
        status: 500,
        headers: { 'content-type': 'application/json' },
        chunks: [kit.jsonError('A broke')],
      });
      pair.b.script = () => ({ status: 429, headers: limited.headers, chunks: [limited.body] });
    });

    it('answers the last attempt’s status, its rate-limit headers and its body byte for byte', async () => {
      const res = await send();
      expect(res.status).toBe(429);
      expect(res.body.equals(Buffer.from(limited.body))).toBe(true);
      expect(res.headers['content-length']).toBe(String(Buffer.byteLength(limited.body)));
      for (const [name, value] of Object.entries(limited.headers)) {
        if (name === 'x-unrelated') expect(res.headers[name]).toBeUndefined();
        else expect(res.headers[name]).toBe(value);
      }
      expect(res.headers['x-sluice-attempts']).toBe('2');
      expect(res.headers['x-sluice-summary']).toBe(`2 attempts failed; last: ${kit.kind}-b: http_status 429`);
      const { row, attempts } = await attemptsOf(pair.sluice, res);
      expect(row).toMatchObject({ status: 'failed', httpStatus: 429, provider: `${kit.kind}-b` });
      expect(attempts.map((x) => [x.provider, x.reason])).toEqual([
        [`${kit.kind}-a`, 'http_status 500'],
        [`${kit.kind}-b`, 'http_status 429'],
      ]);
    });

    it('passes a gzip-encoded error body on decoded, with no content-encoding', async () => {
      pair.b.script = () => ({
        status: 429,
        headers: { ...limited.headers, 'content-encoding': 'gzip' },
        chunks: [zlib.gzipSync(limited.body)],
      });
      const res = await send();
      expect(res.status).toBe(429);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.text).toBe(limited.body);
    });

    it('answers 504 in the client’s format when every attempt timed out', async () => {
      pair.a.script = () => ({ headersDelayMs: 2_000, chunks: [kit.stream('late')] });
      pair.b.script = () => ({ chunks: [], then: 'hang' });
      const res = await send();
      expect(res.status).toBe(504);
      expect(errorBodyMessage(kit, res.text)).toMatch(/first_byte_timeout/);
      expect(res.headers['x-sluice-summary']).toMatch(/^2 attempts failed; last: .*-b: first_byte_timeout/);
    });

    it('prefers the last answer a provider gave over a later timeout', async () => {
      pair.a.script = () => ({ status: 429, headers: limited.headers, chunks: [limited.body] });
      pair.b.script = () => ({ headersDelayMs: 2_000, chunks: [kit.stream('late')] });
      const res = await send();
      expect(res.status).toBe(429);
      expect(res.text).toBe(limited.body);
      expect(res.headers['retry-after']).toBe('7');
    });

    it('falls back to Sluice’s own error (same status) when the body is over the 64 KiB bound', async () => {
      const huge = `{"error":{"message":"${'x'.repeat(70 * 1024)}"}}`;
      pair.b.script = () => ({
        status: 502,
        headers: { 'content-type': 'application/json' },
        chunks: [huge],
      });
      const res = await send();
      expect(res.status).toBe(502);
      expect(errorBodyMessage(kit, res.text)).toContain(`${kit.kind}-b`);
    });
  });

  describe('the official SDKs act on the provider’s error (a 429 with Retry-After)', () => {
    it('openai: error.code, error.type and the Retry-After header', async () => {
      pair.a.script = () => ({
        status: 500,
        headers: { 'content-type': 'application/json' },
        chunks: ['{}'],
      });
      pair.b.script = () => ({
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '3', 'x-request-id': 'req_q' },
        chunks: [
          '{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}',
        ],
      });
      const err = await SDKS[chatKit.format](pair.sluice.url, 'm').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OpenAI.APIError);
      const e = err as InstanceType<typeof OpenAI.APIError>;
      expect(e.status).toBe(429);
      expect(e.code).toBe('insufficient_quota');
      expect(e.type).toBe('insufficient_quota');
      expect(e.requestID).toBe('req_q');
      expect(e.headers?.get('retry-after')).toBe('3');
      expect(e.headers?.get('x-sluice-attempts')).toBe('2');
    });

    it('anthropic: error.type (rate_limit_error vs overloaded_error), request id and Retry-After', async () => {
      pair.a.script = () => ({
        status: 500,
        headers: { 'content-type': 'application/json' },
        chunks: ['{}'],
      });
      pair.b.script = () => ({
        status: 429,
        headers: RATE_LIMITED.anthropic.headers,
        chunks: [RATE_LIMITED.anthropic.body],
      });
      const err = await SDKS[anthropicKit.format](pair.sluice.url, 'm').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Anthropic.RateLimitError);
      const e = err as InstanceType<typeof Anthropic.APIError>;
      expect(e.status).toBe(429);
      expect(e.error).toMatchObject({ error: { type: 'rate_limit_error' } });
      expect(e.requestID).toBe('req_011CA');
      expect(e.headers?.get('retry-after')).toBe('7');

      pair.sluice.app.gateway.health.reset(); // B's Retry-After cooled it down
      pair.b.script = () => ({
        status: 529,
        headers: { 'content-type': 'application/json' },
        chunks: ['{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'],
      });
      const overloaded = await SDKS[anthropicKit.format](pair.sluice.url, 'm').then(
        () => null,
        (x: unknown) => x as InstanceType<typeof Anthropic.APIError>,
      );
      expect(overloaded?.status).toBe(529);
      expect(overloaded?.error).toMatchObject({ error: { type: 'overloaded_error', message: 'Overloaded' } });
    });

    it('@google/genai: the status and Google’s own status name', async () => {
      pair.a.script = () => ({
        status: 500,
        headers: { 'content-type': 'application/json' },
        chunks: ['{}'],
      });
      pair.b.script = () => ({
        status: 429,
        headers: RATE_LIMITED.gemini.headers,
        chunks: [RATE_LIMITED.gemini.body],
      });
      const err = await SDKS[geminiKit.format](pair.sluice.url, 'm').then(
        () => null,
        (e: unknown) => e as { status?: number; message?: string },
      );
      expect(err?.status).toBe(429);
      expect(err?.message).toContain('RESOURCE_EXHAUSTED');
      expect(err?.message).toContain('Resource has been exhausted');
    });
  });
});
