import type { ServerResponse } from 'node:http';

/** Writes are gathered and sent together this often: at most 20 writes a second per stream. */
export const SSE_FLUSH_MS = 50;
/** Past this many unsent bytes a `live` batch is dropped: the UI loses frames, the gateway never waits. */
const DROP_LIVE_BYTES = 1024 * 1024;
/** Past this many the client is not reading at all: the stream ends (EventSource reconnects). */
const GIVE_UP_BYTES = 8 * 1024 * 1024;
/** A comment line this often keeps idle connections open through anything that times them out. */
const HEARTBEAT_MS = 15_000;

/** One server-sent-events response: named events with JSON data, coalesced and bounded. */
export class SseStream {
  private queue: string[] = [];
  private queuedBytes = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;
  /** Live batches dropped because the client read too slowly. */
  dropped = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly onClose: () => void,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    // Tells EventSource how long to wait before reconnecting, and flushes the headers at once.
    res.write('retry: 2000\n\n');
    this.heartbeat = setInterval(() => this.enqueue(': ping\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
    res.on('close', () => this.close());
  }

  /** Queues one event; `droppable` events are skipped while the client is behind. */
  send(event: string, data: unknown, droppable: boolean): void {
    if (this.closed) return;
    const backlog = this.queuedBytes + this.res.writableLength;
    if (backlog > GIVE_UP_BYTES) {
      this.res.destroy();
      return;
    }
    if (droppable && backlog > DROP_LIVE_BYTES) {
      this.dropped++;
      return;
    }
    // JSON never contains a raw newline, so one `data:` line carries the whole payload.
    this.enqueue(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /**
   * Ends the stream after sending what is queued. `retryMs` tells EventSource how soon to reconnect (a
   * stream ended on purpose, e.g. to re-check the token, comes back at once rather than after 2 s).
   */
  end(retryMs?: number): void {
    if (this.closed) return;
    if (retryMs !== undefined) this.enqueue(`retry: ${retryMs}\n\n`);
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flush();
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.queue = [];
    if (!this.res.writableEnded) this.res.end();
    this.onClose();
  }

  private enqueue(text: string): void {
    if (this.closed) return;
    this.queue.push(text);
    this.queuedBytes += Buffer.byteLength(text);
    this.flushTimer ??= setTimeout(() => this.flush(), SSE_FLUSH_MS);
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (this.closed || this.queue.length === 0) return;
    const text = this.queue.join('');
    this.queue = [];
    this.queuedBytes = 0;
    this.res.write(text);
  }
}
