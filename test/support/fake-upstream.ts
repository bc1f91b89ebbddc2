import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

/** A request the fake upstream received. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

/** How the fake answers one request. */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** Written one by one, `delayMs` apart (each a separate TCP write); a function is awaited for its chunk. */
  chunks: (string | Buffer | (() => Promise<string | Buffer>))[];
  /** Pause between chunks. */
  delayMs?: number;
  /** Pause before the first chunk (after the headers). */
  firstDelayMs?: number;
  /** gzip the whole body as a stream, flushing after each chunk. */
  gzip?: boolean;
  /** Destroy the socket after the chunks instead of ending cleanly. */
  cut?: boolean;
}

/** A real HTTP server on 127.0.0.1:0 that speaks whatever the test tells it to. */
export class FakeUpstream {
  readonly requests: RecordedRequest[] = [];
  private server: http.Server | null = null;
  /** Sockets whose response was aborted by the peer (the proxy), in order. */
  readonly aborted: string[] = [];
  url = '';

  constructor(public reply: (req: RecordedRequest) => FakeReply | Promise<FakeReply>) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const body = Buffer.concat(parts).toString('utf8');
        let json: unknown = null;
        try {
          json = body ? JSON.parse(body) : null;
        } catch {
          json = null;
        }
        const rec: RecordedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body,
          json,
        };
        this.requests.push(rec);
        void this.answer(rec, res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private async answer(rec: RecordedRequest, res: http.ServerResponse): Promise<void> {
    const r = await this.reply(rec);
    const headers: Record<string, string> = { 'content-type': 'text/event-stream', ...r.headers };
    if (r.gzip) headers['content-encoding'] = 'gzip';
    res.on('close', () => {
      if (!res.writableFinished) this.aborted.push(rec.url);
    });
    res.writeHead(r.status ?? 200, headers);
    res.flushHeaders();
    const gz = r.gzip ? zlib.createGzip() : null;
    if (gz) gz.pipe(res);
    for (const [i, item] of r.chunks.entries()) {
      const pause = i === 0 ? r.firstDelayMs : r.delayMs;
      if (pause) await new Promise((resolve) => setTimeout(resolve, pause));
      const chunk = typeof item === 'function' ? await item() : item;
      if (res.destroyed) return;
      if (gz) {
        gz.write(chunk);
        await new Promise<void>((resolve) => gz.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
      } else res.write(chunk);
    }
    if (r.cut) {
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (gz) gz.end();
    else res.end();
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** Splits bytes at pseudo-random boundaries (deterministic per seed), 1..maxLen bytes each. */
export function splitBytes(buf: Buffer, seed: number, maxLen = 97): Buffer[] {
  let x = seed >>> 0 || 1;
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length;) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const n = 1 + ((x >>> 0) % maxLen);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}
