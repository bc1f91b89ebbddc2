import { beforeEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../src/shared/settings';
import { baseUrlFor, closedPort, post, type RawResponse } from '../support/fault-upstream';
import { KITS, type FormatKit } from '../support/format-kits';
import { attemptsOf, expectServedByB, usePair } from '../support/failover-pair';
import type { TestSluice } from '../support/sluice';

/**
 * What fails a candidate over BEFORE the commit point at the HTTP level, in every wire format: connect
 * refused, retryable statuses, refused credentials — and what does not (the client's own mistakes).
 * Timeouts and the prefetch gate: failover-prefetch.test.ts.
 */

const SETTINGS = { firstByteTimeoutMs: 1_000, retryBaseDelayMs: 5, retryMaxDelayMs: 10 };
const settings = SettingsSchema.parse(SETTINGS);

describe('failover before the commit: connect and status', () => {
  const pair = usePair(SETTINGS, async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    // Only `dead-*` models reach these: a closed port tried before `<kind>-a`.
    return (['openai', 'anthropic', 'gemini'] as const).map((kind) => ({
      id: `${kind}-dead`,
      kind,
      baseUrl: baseUrlFor(kind, dead),
      apiKey: 'key-dead',
      priority: 0,
      allowModels: ['dead-*'],
    }));
  });
  const sluice = (): TestSluice => pair.sluice;

  describe.each(KITS)('$format', (kit: FormatKit) => {
    const send = (model = 'm-test'): Promise<RawResponse> =>
      post(sluice().url, kit.path(model), kit.body(model), kit.headers);
    const A = `${kit.kind}-a`;
    const B = `${kit.kind}-b`;

    beforeEach(() => {
      pair.a.script = () => ({ chunks: [kit.stream('from A')] });
      pair.b.script = () => ({ chunks: [kit.stream('from B')] });
    });

    it('serves a healthy first candidate as is (the kit itself is a valid, complete stream)', async () => {
      const res = await send();
      expect(res.status).toBe(200);
      expect(res.text).toBe(kit.stream('from A'));
      expect(res.headers['x-sluice-attempts']).toBe('1');
      const { row } = await attemptsOf(sluice(), res);
      expect(row).toMatchObject({
        status: 'completed',
        provider: A,
        usageProvenance: 'reported',
        ...kit.usage,
      });
    });

    it('fails over from a closed port (connect refused) to the next candidate', async () => {
      const res = await send('dead-model');
      expect(res.status).toBe(200);
      expect(res.text).toBe(kit.stream('from A'));
      expect(res.headers['x-sluice-attempts']).toBe('2');
      const { attempts } = await attemptsOf(sluice(), res);
      expect(attempts.map((x) => [x.provider, x.outcome, x.phase])).toEqual([
        [`${kit.kind}-dead`, 'failed', 'connect'],
        [A, 'committed', 'relay'],
      ]);
      expect(attempts[0]!.reason).toMatch(/ECONNREFUSED/);
    });

    it('records candidates whose allowModels exclude the model as skipped (model_not_allowed)', async () => {
      const res = await send();
      const { attempts } = await attemptsOf(sluice(), res);
      expect(attempts[0]).toMatchObject({
        provider: `${kit.kind}-dead`,
        phase: 'skipped',
        outcome: 'skipped',
        reason: 'model_not_allowed',
      });
    });

    it.each([408, 409, 429, 500, 503, 529])('fails over on HTTP %i', async (status) => {
      pair.a.script = () => ({
        status,
        headers: { 'content-type': 'application/json' },
        chunks: [kit.jsonError(`upstream says ${status}`)],
      });
      const res = await send();
      await expectServedByB(sluice(), kit, res, `http_status ${status}`);
      const { attempts } = await attemptsOf(sluice(), res);
      expect(attempts.find((x) => x.provider === A)).toMatchObject({ httpStatus: status, phase: 'headers' });
      expect(attempts.find((x) => x.provider === A)!.bodyHead).toContain(`upstream says ${status}`);
    });

    it.each([401, 403])(
      'fails over on HTTP %i and shows a credentials problem in the health view',
      async (status) => {
        pair.a.script = () => ({
          status,
          headers: { 'content-type': 'application/json' },
          chunks: [kit.jsonError('invalid x-api-key')],
        });
        const res = await send();
        await expectServedByB(sluice(), kit, res, `http_status ${status}`);
        const view = sluice().app.gateway.health.view(A, settings);
        expect(view.credentialsProblem).toContain(String(status));
        expect(sluice().app.gateway.health.view(B, settings).credentialsProblem).toBeNull();
      },
    );

    // A 404 moves on to a provider that may have the model: faithful-model-not-found.test.ts.
    it.each([400, 413, 422])(
      'returns a client mistake (HTTP %i) unchanged, without failover',
      async (status) => {
        const body = `{"error":{"message":"your fault ${status}","type":"invalid_request_error"},"x":"ü"}`;
        pair.a.script = () => ({ status, headers: { 'content-type': 'application/json' }, chunks: [body] });
        const before = pair.b.requests.length;
        const res = await send();
        expect(res.status).toBe(status);
        expect(res.body.equals(Buffer.from(body))).toBe(true);
        expect(res.headers['content-type']).toBe('application/json');
        expect(res.headers['x-sluice-attempts']).toBe('1');
        expect(pair.b.requests.length).toBe(before);
        const { row } = await attemptsOf(sluice(), res);
        expect(row).toMatchObject({ status: 'failed', httpStatus: status, provider: A });
      },
    );
  });
});
