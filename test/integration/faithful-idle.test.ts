import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { ScriptedUpstream, pairProviders, post } from '../support/fault-upstream';
import { anthropicKit } from '../support/format-kits';
import { attemptsOf } from '../support/failover-pair';
import { startSluice, type TestSluice } from '../support/sluice';

/**
 * Issue #14 item 11: reasoning models can be silent for minutes between events, so the idle timeout
 * defaults to 300 s; Anthropic's `ping` events are activity for the idle timer (any byte resets it)
 * but never content: the prefetch gate does not commit on a ping.
 */

const PING = 'event: ping\ndata: {"type": "ping"}\n\n';

describe('idle timeout and keep-alive pings', () => {
  let a: ScriptedUpstream;
  let b: ScriptedUpstream;
  let sluice: TestSluice;

  beforeAll(async () => {
    a = await new ScriptedUpstream().start();
    b = await new ScriptedUpstream(() => ({ chunks: [anthropicKit.stream('from B')] })).start();
    sluice = await startSluice({
      providers: pairProviders(a, b),
      settings: {
        idleTimeoutMs: 300,
        firstByteTimeoutMs: 2_000,
        prefetchMaxMs: 5_000,
        retryBaseDelayMs: 5,
        maxAttempts: 2,
      },
    });
  });
  afterAll(async () => {
    await sluice.close();
    await a.close();
    await b.close();
  });

  it('defaults idleTimeoutMs to 300 s', () => {
    expect(DEFAULT_SETTINGS.idleTimeoutMs).toBe(300_000);
  });

  it('pings keep a stream alive past idleTimeoutMs after the commit', async () => {
    const whole = anthropicKit.stream('kept alive');
    const head = anthropicKit.head('kept alive');
    // 1.5 s of pings, 150 ms apart, with idleTimeoutMs 300: only the pings keep it open.
    a.script = () => ({
      chunks: [head, ...Array<string>(10).fill(PING), whole.slice(head.length)],
      delayMs: 150,
    });
    const res = await post(sluice.url, anthropicKit.path('m'), anthropicKit.body('m'), anthropicKit.headers);
    expect(res.text).toBe(head + PING.repeat(10) + whole.slice(head.length));
    const { row } = await attemptsOf(sluice, res);
    expect(row).toMatchObject({ status: 'completed', provider: 'anthropic-a' });
  });

  it('without pings the same silence is an idle timeout (the control case)', async () => {
    const whole = anthropicKit.stream('silent');
    const head = anthropicKit.head('silent');
    a.script = () => ({ chunks: [head, whole.slice(head.length)], delayMs: 1_000 });
    const res = await post(sluice.url, anthropicKit.path('m'), anthropicKit.body('m'), anthropicKit.headers);
    const { row } = await attemptsOf(sluice, res);
    expect(row).toMatchObject({ status: 'failed', provider: 'anthropic-a' });
    expect(row.error).toMatch(/^idle_timeout/);
  });

  it('the prefetch gate does not commit on pings: an error after them still fails over', async () => {
    a.script = () => ({
      chunks: [anthropicKit.preamble(), PING, PING, PING, anthropicKit.errorEvent('overloaded after pings')],
      delayMs: 100,
    });
    const res = await post(sluice.url, anthropicKit.path('m'), anthropicKit.body('m'), anthropicKit.headers);
    expect(res.text).toBe(anthropicKit.stream('from B'));
    const { attempts } = await attemptsOf(sluice, res);
    expect(attempts.map((x) => [x.provider, x.outcome])).toEqual([
      ['anthropic-a', 'failed'],
      ['anthropic-b', 'committed'],
    ]);
    expect(attempts[0]!.reason).toMatch(/^error_in_stream/);
  });

  it('the prefetch gate holds pings until the first content, and they keep the gate’s idle timer too', async () => {
    const whole = anthropicKit.stream('after pings');
    const pre = anthropicKit.preamble();
    a.script = () => ({ chunks: [pre, PING, PING, PING, PING, whole.slice(pre.length)], delayMs: 200 });
    const started = performance.now();
    const res = await post(sluice.url, anthropicKit.path('m'), anthropicKit.body('m'), anthropicKit.headers);
    expect(res.text).toBe(pre + PING.repeat(4) + whole.slice(pre.length));
    const { row } = await attemptsOf(sluice, res);
    expect(row).toMatchObject({ status: 'completed', provider: 'anthropic-a' });
    // Committed (first byte to the client) only with the content, ~1 s in: not at the first ping.
    expect(row.ttfbMs).toBeGreaterThanOrEqual(900);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });
});
