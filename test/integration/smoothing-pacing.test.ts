import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { LiveEvent } from '../../src/shared/live-events';
import { FakeUpstream, type FakeReply, type RecordedRequest } from '../support/fake-upstream';
import { startSluice, type TestSluice } from '../support/sluice';
import { letters, post, requestFor, scenario, unsmoothed } from '../support/smoothing-streams';

type Smoothed = Extract<LiveEvent, { type: 'smoothed' }>;

/** Timing is read from live 'smoothed' marks and the client's arrival times, with generous bounds. */
describe('smoothing pace through the real gateway: fixed, adaptive, live marks, disconnects, backpressure', () => {
  let upstream: FakeUpstream;
  let reply: (r: RecordedRequest) => FakeReply | Promise<FakeReply> = () => ({ chunks: [] });
  const sluices = new Map<string, TestSluice>();
  const live: LiveEvent[] = [];
  const unsubscribe: (() => void)[] = [];

  const configs: Record<string, Record<string, unknown>> = {
    fixed7: { enabled: true, mode: 'fixed', chunkChars: 7, delayMs: 1, maxLagMs: 250 },
    fixedSlow: { enabled: true, mode: 'fixed', chunkChars: 10, delayMs: 25, maxLagMs: 250 },
    adaptive: { enabled: true, mode: 'adaptive', chunkChars: 10, delayMs: 8, maxLagMs: 150 },
    adaptiveLong: { enabled: true, mode: 'adaptive', chunkChars: 10, delayMs: 8, maxLagMs: 5_000 },
    fixedStuck: { enabled: true, mode: 'fixed', chunkChars: 50, delayMs: 10_000, maxLagMs: 250 },
    adaptiveStuck: { enabled: true, mode: 'adaptive', chunkChars: 50, delayMs: 8, maxLagMs: 60_000 },
  };
  const sluice = (name: string): TestSluice => sluices.get(name)!;

  beforeAll(async () => {
    upstream = await new FakeUpstream((r) => reply(r)).start();
    for (const [name, smoothing] of Object.entries(configs)) {
      const s = await startSluice({
        providers: [
          { id: 'oai', kind: 'openai', baseUrl: `${upstream.url}/v1`, apiKey: 'sk-p', priority: 1 },
          { id: 'ant', kind: 'anthropic', baseUrl: upstream.url, apiKey: 'sk-ant-p', priority: 1 },
          { id: 'gem', kind: 'gemini', baseUrl: upstream.url, apiKey: 'gk-p', priority: 1 },
        ],
        settings: {
          smoothing,
          maxAttempts: 1,
          circuitMinSamples: 1000,
          circuitConsecutiveFailures: 1000,
          idleTimeoutMs: 2_000,
        },
      });
      sluices.set(name, s);
      unsubscribe.push(s.app.live.subscribe((batch) => live.push(...batch)));
    }
  });
  afterAll(async () => {
    for (const u of unsubscribe) u();
    for (const s of sluices.values()) await s.close();
    await upstream.close();
  });

  /** The 'smoothed' live events of one response, once the request has finished. */
  async function smoothedOf(res: { headers: http.IncomingHttpHeaders }): Promise<Smoothed[]> {
    const id = String(res.headers['x-sluice-request-id']);
    await expect
      .poll(() => live.some((e) => e.type === 'request-finished' && e.requestId === id), { timeout: 5_000 })
      .toBe(true);
    return live.filter((e): e is Smoothed => e.type === 'smoothed' && e.requestId === id);
  }

  it('fixed: pieces go out delayMs apart even when the whole upstream stream is already there', async () => {
    const text = letters(100);
    reply = () => ({ chunks: [scenario('anthropic', text).frames.join('')] });
    const { path, body } = requestFor('anthropic');
    const res = await post(sluice('fixedSlow').url, path, body);
    const [mark, ...more] = await smoothedOf(res);
    expect(more).toEqual([]);
    expect(mark!.deliveredOffsetsMs).toHaveLength(10);
    expect(mark!.deliveredOffsetsMs[0]).toBeGreaterThanOrEqual(mark!.upstreamOffsetMs);
    const gaps = mark!.deliveredOffsetsMs.slice(1).map((t, i) => t - mark!.deliveredOffsetsMs[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(23); // 25 ms, rounding and timer slack
    // And the wire agrees: the text took at least 9 pauses to arrive.
    const textChunks = res.chunks.filter((c) => c.bytes.includes('text_delta'));
    expect(textChunks.at(-1)!.at - textChunks[0]!.at).toBeGreaterThanOrEqual(9 * 23);
  });

  it('adaptive: first piece at once, the rest spread within maxLagMs, long before the next upstream event', async () => {
    const text = letters(100);
    const frames = scenario('openai-chat', text).frames;
    reply = () => ({
      chunks: [frames[0]!, () => new Promise((r) => setTimeout(() => r(frames.slice(1).join('')), 1_000))],
    });
    const { path, body } = requestFor('openai-chat');
    const res = await post(sluice('adaptive').url, path, body);
    const [mark] = await smoothedOf(res);
    const d = mark!.deliveredOffsetsMs.map((t) => t - mark!.upstreamOffsetMs);
    expect(d).toHaveLength(10);
    expect(d[0]).toBeLessThanOrEqual(50);
    expect(d.at(-1)).toBeGreaterThanOrEqual(60); // spread, not dumped at once
    expect(d.at(-1)).toBeLessThanOrEqual(150 + 350); // near maxLagMs (generous slack), long before 1 s
  });

  it('adaptive: flushes the rest when the next upstream event arrives', async () => {
    const text = letters(100);
    const frames = scenario('openai-chat', text).frames;
    reply = () => ({
      chunks: [frames[0]!, () => new Promise((r) => setTimeout(() => r(frames.slice(1).join('')), 300))],
    });
    const { path, body } = requestFor('openai-chat');
    const res = await post(sluice('adaptiveLong').url, path, body);
    const [mark] = await smoothedOf(res);
    const d = mark!.deliveredOffsetsMs.map((t) => t - mark!.upstreamOffsetMs);
    expect(d).toHaveLength(10);
    // Spread over 5 s it would end near 4.5 s; the next event at ~300 ms flushes what is left.
    expect(d.at(-1)).toBeGreaterThanOrEqual(200);
    expect(d.at(-1)).toBeLessThan(2_000);
    expect(d.at(-1)! - d.at(-2)!).toBeLessThan(100);
  });

  it("adaptive: flushes at once at the upstream's end", async () => {
    reply = () => ({ chunks: [scenario('gemini', letters(100)).frames.join('')] });
    const { path, body } = requestFor('gemini');
    const res = await post(sluice('adaptiveLong').url, path, body);
    const [mark] = await smoothedOf(res);
    const d = mark!.deliveredOffsetsMs;
    expect(d).toHaveLength(10);
    expect(d.at(-1)! - d[0]!).toBeLessThan(1_000);
  });

  it("marks smoothed pieces in the live view, one 'smoothed' event per split delta", async () => {
    const frames = scenario('anthropic', letters(30)).frames;
    const second = frames[7]!.replace('"text":"', '"text":"second ');
    reply = () => ({ chunks: [frames.slice(0, 8).join(''), second, frames.slice(8).join('')], delayMs: 20 });
    const { path, body } = requestFor('anthropic');
    const res = await post(sluice('fixed7').url, path, body);
    const marks = await smoothedOf(res);
    expect(marks.map((m) => m.deliveredOffsetsMs.length)).toEqual([Math.ceil(30 / 7), Math.ceil(37 / 7)]);
    for (const m of marks) {
      expect(m.deliveredOffsetsMs[0]).toBeGreaterThanOrEqual(m.upstreamOffsetMs);
      expect([...m.deliveredOffsetsMs].sort((a, b) => a - b)).toEqual(m.deliveredOffsetsMs);
      expect(typeof m.at).toBe('number');
    }
    expect(marks[1]!.upstreamOffsetMs).toBeGreaterThanOrEqual(marks[0]!.upstreamOffsetMs);
  });

  for (const name of ['fixedStuck', 'adaptiveStuck']) {
    it(`${name}: a client that leaves during a delay closes the upstream socket promptly`, async () => {
      let hangUp: () => void = () => {};
      const hang = new Promise<string>((r) => (hangUp = () => r('')));
      const frames = scenario('openai-chat', letters(100)).frames;
      reply = () => ({ chunks: [frames[0]!, () => hang] });
      const abortedBefore = upstream.aborted.length;
      const { path, body } = requestFor('openai-chat');
      const t0 = performance.now();
      const id = await new Promise<string>((resolve, reject) => {
        const req = http.request(`${sluice(name).url}${path}`, { method: 'POST' }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve(String(res.headers['x-sluice-request-id']));
          });
        });
        req.on('error', () => {});
        req.on('timeout', reject);
        req.end(body);
      });
      await expect.poll(() => upstream.aborted.length, { timeout: 3_000 }).toBe(abortedBefore + 1);
      expect(performance.now() - t0).toBeLessThan(5_000); // the next piece was due in 10 s (fixed) or 30 s (adaptive)
      const row = await sluice(name).row((r) => r.requestId === id);
      expect(row).toMatchObject({ status: 'aborted', httpStatus: 499 });
      hangUp();
    });
  }

  it('keeps backpressure: a client that stops reading stalls the upstream, and then gets every byte', async () => {
    const toolFrame = Buffer.from(
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: 'x'.repeat(16_000) } }] }, finish_reason: null }] })}\n\n`,
    );
    const textFrame = Buffer.from(scenario('openai-chat', letters(140)).frames[0]!);
    const count = 1_200; // ~19 MB: several times what the socket buffers on the way hold (~6 MB here)
    const total = count * toolFrame.length + (count / 50) * textFrame.length;
    let sent = 0;
    let finished = false;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        void (async () => {
          for (let i = 0; i < count; i++) {
            for (const f of i % 50 === 0 ? [textFrame, toolFrame] : [toolFrame]) {
              if (res.destroyed) return;
              sent += f.length;
              if (!res.write(f)) await new Promise((r) => res.once('drain', r));
            }
          }
          res.end('data: [DONE]\n\n');
          finished = true;
        })();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const s = await startSluice({
      providers: [{ id: 'oai', kind: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: 'sk-p' }],
      settings: { smoothing: { enabled: true, mode: 'fixed', chunkChars: 50, delayMs: 0 } },
    });
    try {
      const { path, body } = requestFor('openai-chat');
      const paused = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request(`${s.url}${path}`, { method: 'POST' }, (res) => {
          res.pause();
          resolve(res);
        });
        req.on('error', reject);
        req.end(body);
      });
      // Wait until the upstream stops making progress.
      let last = -1;
      for (let i = 0; i < 100 && sent !== last; i++) {
        last = sent;
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(finished).toBe(false);
      expect(sent).toBeLessThan(total * 0.75);
      const chunks: Buffer[] = [];
      paused.on('data', (c: Buffer) => chunks.push(c));
      await new Promise((r) => {
        paused.on('end', r);
        paused.resume();
      });
      expect(finished).toBe(true);
      const got = unsmoothed('openai-chat', Buffer.concat(chunks));
      expect(got.text).toBe(letters(140).repeat(count / 50));
      expect(got.textEvents).toHaveLength((count / 50) * 3);
      expect(got.others.filter((f) => f.includes('tool_calls'))).toHaveLength(count);
    } finally {
      await s.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
