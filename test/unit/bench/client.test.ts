import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAgent, runStream } from '../../../bench/client';
import { tagOf } from '../../../bench/fake-upstream';
import { SCRIPTS, streamFrames } from '../../../bench/wire-scripts';

/** The bench's client against a real upstream that pauses after the Anthropic head frames. */
describe('bench client', () => {
  const frames = streamFrames('anthropic', 7);
  let corrupt = false;
  let seenPath = '';
  let seenBody = '';
  const server = http.createServer((req, res) => {
    seenPath = req.url ?? '';
    seenBody = '';
    req.on('data', (c: Buffer) => (seenBody += c.toString()));
    req.on('end', () => {
      void (async () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const f of SCRIPTS.anthropic.head) res.write(f);
        await sleep(150);
        for (const f of frames.slice(SCRIPTS.anthropic.head.length))
          res.write(corrupt ? Buffer.from(f.toString().toUpperCase()) : f);
        res.end();
      })();
    });
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('times first content past the head frames, and checks every byte', async () => {
    const agent = newAgent();
    const target = { name: 'direct' as const, port, wire: 'anthropic' as const };
    const ok = await runStream(target, agent, Buffer.concat(frames), 5_000);
    expect(seenPath).toBe('/v1/messages');
    expect(ok.error).toBeNull();
    expect(ok.ttfbMs).toBeLessThan(ok.contentMs);
    expect(ok.contentMs - ok.ttfbMs).toBeGreaterThanOrEqual(100);
    expect(tagOf(seenBody)).toBeNull();
    // A tagged stream carries its tag where the format keeps an end user's id, for the upstream to log.
    await runStream(target, agent, Buffer.concat(frames), 5_000, { tag: 42 });
    expect((JSON.parse(seenBody) as { metadata: { user_id: string } }).metadata.user_id).toBe('bench-tag-42');
    expect(tagOf(seenBody)).toBe(42);
    corrupt = true;
    const bad = await runStream(target, agent, Buffer.concat(frames), 5_000);
    expect(bad.error).toMatch(/^bytes differ from upstream's at offset/);
    agent.destroy();
  });
});
