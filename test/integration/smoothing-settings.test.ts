import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';
import { letters, post, requestFor, scenario, unsmoothed } from '../support/smoothing-streams';

/**
 * Which smoothing applies: the global settings, laid over by the client app's (`smoothingByClient`)
 * and then by the provider's (`smoothing`). Providers are picked per request by model name.
 */

const TEXT = letters(60);

describe('smoothing settings per provider and per client app', () => {
  let upstream: FakeUpstream;
  let globalOff: TestSluice;
  let globalOn: TestSluice;

  /** Providers that each take one model, with these smoothing overrides. */
  const providers = (
    url: string,
    overrides: Record<string, Record<string, unknown> | undefined>,
  ): unknown[] =>
    Object.entries(overrides).map(([id, smoothing]) => ({
      id,
      kind: 'openai',
      baseUrl: `${url}/v1`,
      apiKey: 'sk-p',
      priority: 1,
      allowModels: [id],
      ...(smoothing === undefined ? {} : { smoothing }),
    }));

  beforeAll(async () => {
    upstream = await new FakeUpstream(() => ({
      chunks: [scenario('openai-chat', TEXT).frames.join('')],
    })).start();
    const common = { maxAttempts: 1, circuitMinSamples: 1000, circuitConsecutiveFailures: 1000 };
    globalOff = await startSluice({
      providers: providers(upstream.url, {
        plain: undefined,
        'on-by-provider': { enabled: true },
        'on-with-size': { enabled: true, chunkChars: 6 },
      }),
      settings: { ...common, smoothing: { enabled: false, mode: 'fixed', chunkChars: 3, delayMs: 0 } },
    });
    globalOn = await startSluice({
      providers: providers(upstream.url, {
        plain: undefined,
        'off-by-provider': { enabled: false },
        'size-by-provider': { chunkChars: 4 },
        'full-by-provider': { enabled: true, mode: 'fixed', chunkChars: 12, delayMs: 0, maxLagMs: 250 },
      }),
      settings: {
        ...common,
        smoothing: { enabled: true, mode: 'fixed', chunkChars: 5, delayMs: 0 },
        smoothingByClient: {
          curl: { enabled: false },
          codex: { chunkChars: 10 },
          'gemini-cli': { enabled: true, mode: 'fixed', chunkChars: 15, delayMs: 0, maxLagMs: 250 },
        },
      },
    });
  });
  afterAll(async () => {
    await globalOff.close();
    await globalOn.close();
    await upstream.close();
  });

  /** Number of text events the client got for a request to `model`, checking the text is intact. */
  async function textEvents(s: TestSluice, model: string, userAgent = 'smoothing-test/1'): Promise<number> {
    const { path, body } = requestFor('openai-chat', model);
    const res = await post(s.url, path, body, { 'user-agent': userAgent });
    expect(res.status).toBe(200);
    const got = unsmoothed('openai-chat', res.body);
    expect(got.text).toBe(TEXT);
    return got.textEvents.length;
  }

  it('global off: not smoothed', async () => {
    expect(await textEvents(globalOff, 'plain')).toBe(1);
  });

  it('global off, provider `smoothing: {enabled: true}`: smoothed', async () => {
    expect(await textEvents(globalOff, 'on-by-provider')).toBeGreaterThan(1);
  });

  it('global off, provider `{enabled: true, chunkChars: 6}`: smoothed in pieces of 6', async () => {
    expect(await textEvents(globalOff, 'on-with-size')).toBe(10);
  });

  it('global on: smoothed with the global chunkChars', async () => {
    expect(await textEvents(globalOn, 'plain')).toBe(12);
  });

  it('global on, `smoothingByClient: {curl: {enabled: false}}`: not smoothed for user-agent curl/8', async () => {
    expect(await textEvents(globalOn, 'plain', 'curl/8.5.0')).toBe(1);
    expect(await textEvents(globalOn, 'plain', 'smoothing-test/1')).toBe(12);
  });

  it('global on, provider `smoothing: {enabled: false}`: not smoothed', async () => {
    expect(await textEvents(globalOn, 'off-by-provider')).toBe(1);
  });

  it('a complete override object replaces the global values', async () => {
    expect(await textEvents(globalOn, 'full-by-provider')).toBe(5);
    expect(await textEvents(globalOn, 'plain', 'GeminiCLI/1.0')).toBe(4);
  });

  it('global on, provider `{chunkChars: 4}`: still smoothed, in pieces of 4', async () => {
    expect(await textEvents(globalOn, 'size-by-provider')).toBe(15);
  });

  it('global on, `smoothingByClient: {codex: {chunkChars: 10}}`: still smoothed, in pieces of 10', async () => {
    expect(await textEvents(globalOn, 'plain', 'codex_cli_rs/0.1')).toBe(6);
  });

  it('global off with chunkChars 3, provider `{enabled: true}`: smoothed with the global chunkChars', async () => {
    expect(await textEvents(globalOff, 'on-by-provider')).toBe(20);
  });
});
