import http, { type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { isModeMessage, makeEvents, type StreamMode } from './sse-script';

/** Resolves once the response takes more bytes, or has closed (a closed one never drains). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function stream(res: ServerResponse, frames: readonly Buffer[], intervalMs: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  const start = performance.now();
  for (let i = 0; i < frames.length; i++) {
    if (i > 0) {
      // Paced against the stream's start, so timer lateness does not add up over a long stream.
      if (intervalMs > 0) {
        const wait = start + i * intervalMs - performance.now();
        if (wait > 0) await sleep(wait);
      } else {
        // Flat out, yet one write per event as a real upstream sends them, not one big coalesced write.
        await nextTurn();
      }
    }
    if (res.destroyed) return;
    if (!res.write(frames[i]!)) await drained(res);
  }
  res.end();
}

/** The fake OpenAI upstream (its own process): streams the current mode, which the parent sets over IPC. */
export function runUpstream(): void {
  let mode: StreamMode = { events: 8, intervalMs: 1 };
  let frames = makeEvents(mode.events);
  process.on('message', (m: unknown) => {
    if (!isModeMessage(m)) return;
    mode = m.mode;
    frames = makeEvents(mode.events);
    process.send?.({ type: 'mode-ok', seq: m.seq });
  });
  // The parent is the only reason to live: if it dies, so do we.
  process.on('disconnect', () => process.exit(0));

  const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `fake upstream: no ${req.method ?? ''} ${req.url ?? ''}` } }));
      return;
    }
    // Bound to the mode when the request arrived, so a mode change never reshapes a running stream.
    const own = frames;
    const interval = mode.intervalMs;
    req.resume();
    req.on('end', () => {
      stream(res, own, interval).catch(() => res.destroy());
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('upstream: no port');
    process.send?.({ type: 'ready', port: address.port });
  });
}
