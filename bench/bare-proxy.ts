import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { createParser } from 'eventsource-parser';
import { Pool } from 'undici';
import { drained } from './drained';

/**
 * What the issue calls the naive relay: beside the bytes, every chunk decoded with TextDecoder and
 * every event JSON.parse'd whole, the text delta read from the tree. The reference an observing relay
 * is judged against (the issue puts it at about 1.8× bare).
 */
function naiveObserver(): (chunk: Buffer) => void {
  const decoder = new TextDecoder();
  let text = '';
  let events = 0;
  const parser = createParser({
    onEvent(e) {
      events++;
      if (e.data === '[DONE]') return;
      const chunk = JSON.parse(e.data) as { choices?: { delta?: { content?: unknown } }[] };
      const content = chunk.choices?.[0]?.delta?.content;
      if (typeof content === 'string') text += content;
    },
  });
  return (chunk) => {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (events < 0) throw new Error(text); // keeps `text` live, so the work is not optimised away
  };
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

async function forward(pool: Pool, req: IncomingMessage, res: ServerResponse, naive: boolean): Promise<void> {
  const body = await readAll(req);
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const up = await pool.request({
    method: 'POST',
    path: req.url ?? '/',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer sk-bench',
      'content-length': String(body.length),
    },
    body,
    signal: abort.signal,
  });
  const type = up.headers['content-type'];
  res.writeHead(up.statusCode, {
    'content-type': typeof type === 'string' ? type : 'text/event-stream',
    'cache-control': 'no-cache',
  });
  // Pulled like Sluice pulls (async iteration: whatever is buffered comes as one chunk), so the ratio
  // between the two is Sluice's own work, not a difference in how bytes are read.
  const observe = naive ? naiveObserver() : null;
  for await (const chunk of up.body as AsyncIterable<Buffer>) {
    observe?.(chunk);
    if (!res.write(chunk)) await drained(res);
  }
  res.end();
}

/**
 * The floor for any Node proxy (its own process): node:http in, one undici Pool out, chunks piped with
 * res.write. No parsing, no accounting — what is left is the cost of two sockets and Node's streams.
 * `naive`: the same, observing every event the naive way (naiveObserver).
 */
export function runBare(upstreamPort: number, naive = false): void {
  // As many connections as Sluice is given in the bench config, so neither serializes streams.
  const pool = new Pool(`http://127.0.0.1:${upstreamPort}`, {
    connections: 1024,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
  process.on('disconnect', () => process.exit(0));
  // An exit of its own on SIGTERM, so a profiler started with --cpu-prof gets to write its file.
  process.on('SIGTERM', () => process.exit(0));
  const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    forward(pool, req, res, naive).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`bare proxy: ${err instanceof Error ? err.message : String(err)}`);
      } else res.destroy();
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('bare: no port');
    process.send?.({ type: 'ready', port: address.port });
  });
}
