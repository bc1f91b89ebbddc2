import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseStream } from '../../../src/main/control/sse-stream';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A real loopback response to write into, and a client that reads only when told to. */
async function pair(): Promise<{ stream: SseStream; client: http.IncomingMessage; closed: () => boolean }> {
  let closed = false;
  const streamReady = new Promise<SseStream>((resolve) => {
    server = http.createServer((_req, res) => resolve(new SseStream(res, () => (closed = true))));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server!.address() as AddressInfo).port;
  const client = await new Promise<http.IncomingMessage>((resolve) =>
    http.get(`http://127.0.0.1:${port}/`, resolve),
  );
  client.pause();
  return { stream: await streamReady, client, closed: () => closed };
}

async function readAll(client: http.IncomingMessage, until: string): Promise<string> {
  let text = '';
  client.on('data', (c: Buffer) => (text += c.toString()));
  client.resume();
  await expect.poll(() => text.includes(until), { timeout: 5_000 }).toBe(true);
  return text;
}

describe('SSE stream', () => {
  it('gathers events into one write per tick, each a named event with one JSON data line', async () => {
    const { stream, client } = await pair();
    stream.send('status', { port: 1 }, false);
    stream.send('live', [{ type: 'x', text: 'a\nb' }], true);
    const text = await readAll(client, 'event: live');
    expect(text).toBe(
      'retry: 2000\n\nevent: status\ndata: {"port":1}\n\nevent: live\ndata: [{"type":"x","text":"a\\nb"}]\n\n',
    );
  });

  it('drops live batches, never status, while the client does not read', async () => {
    const { stream, client } = await pair();
    // Far more than loopback socket buffers hold, one flush tick apart, so the backlog builds up.
    const big = 'x'.repeat(512 * 1024);
    for (let i = 0; i < 30; i++) {
      stream.send('live', [big], true);
      await new Promise((r) => setTimeout(r, 60));
    }
    stream.send('status', { last: true }, false);
    expect(stream.dropped).toBeGreaterThan(0);
    const text = await readAll(client, '"last":true');
    expect(text.split('event: live').length - 1).toBe(30 - stream.dropped);
  });

  it('ends the response and reports once when closed', async () => {
    const { stream, client, closed } = await pair();
    const ended = new Promise<void>((r) => client.on('end', () => r()));
    client.resume();
    stream.close();
    stream.close();
    await ended;
    expect(closed()).toBe(true);
    stream.send('status', {}, false);
  });
});
