import net from 'node:net';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

/** One HTTP/1.1 message as it crossed the wire: start line, headers in order (names lower-cased), body de-chunked. */
export interface WireMessage {
  startLine: string;
  headers: [string, string][];
  /** De-chunked but still content-encoded, exactly as sent. */
  body: Buffer;
}

/** A request a client sent and the response it got back, in connection order. */
export interface Exchange {
  request: WireMessage;
  response: WireMessage | null;
}

/** Bytes kept per connection and direction; a CLI's prompt with its tool list is ~50 KB. */
const MAX_RECORDED_BYTES = 16 * 1024 * 1024;

/**
 * A byte-transparent TCP relay in front of Sluice that keeps a copy of both directions, so a test can see
 * exactly what a real CLI sent and what Sluice answered without changing either. It listens on
 * 127.0.0.1 with Sluice's own port number (Sluice itself on ::1), because Sluice's DNS-rebinding guard
 * refuses a Host header that names another port.
 */
export class Tee {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly conns: { up: Buffer[]; upBytes: number; down: Buffer[]; downBytes: number }[] = [];
  url = '';

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = net.createServer((client) => {
      const rec = { up: [] as Buffer[], upBytes: 0, down: [] as Buffer[], downBytes: 0 };
      this.conns.push(rec);
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (c: Buffer) => {
        if (rec.upBytes < MAX_RECORDED_BYTES) rec.up.push(Buffer.from(c));
        rec.upBytes += c.length;
      });
      upstream.on('data', (c: Buffer) => {
        if (rec.downBytes < MAX_RECORDED_BYTES) rec.down.push(Buffer.from(c));
        rec.downBytes += c.length;
      });
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.targetPort, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Every request seen so far with its response, connection by connection. */
  exchanges(): Exchange[] {
    const out: Exchange[] = [];
    for (const c of this.conns) {
      const requests = parseHttp(Buffer.concat(c.up), false);
      const responses = parseHttp(Buffer.concat(c.down), true);
      requests.forEach((request, i) => out.push({ request, response: responses[i] ?? null }));
    }
    return out;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const s = this.server;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** The value of a header, or undefined. */
export function header(m: WireMessage, name: string): string | undefined {
  return m.headers.find(([n]) => n === name)?.[1];
}

/** Splits recorded HTTP/1.1 bytes into messages (content-length, chunked, or read-to-close for responses). */
export function parseHttp(buf: Buffer, isResponse: boolean): WireMessage[] {
  const out: WireMessage[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const end = buf.indexOf('\r\n\r\n', pos);
    if (end < 0) break;
    const lines = buf.subarray(pos, end).toString('latin1').split('\r\n');
    const startLine = lines[0] ?? '';
    const headers = lines.slice(1).map((l): [string, string] => {
      const i = l.indexOf(':');
      return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()];
    });
    const msg: WireMessage = { startLine, headers, body: Buffer.alloc(0) };
    pos = end + 4;
    const status = isResponse ? Number(startLine.split(' ')[1]) : 0;
    const length = header(msg, 'content-length');
    if (isResponse && (status < 200 || status === 204 || status === 304)) {
      // no body
    } else if (/chunked/i.test(header(msg, 'transfer-encoding') ?? '')) {
      const parts: Buffer[] = [];
      for (;;) {
        const eol = buf.indexOf('\r\n', pos);
        if (eol < 0) {
          pos = buf.length;
          break;
        }
        const size = parseInt(buf.subarray(pos, eol).toString('latin1'), 16);
        pos = eol + 2;
        if (!(size > 0)) {
          const trailerEnd = buf.indexOf('\r\n', pos);
          pos = trailerEnd < 0 ? buf.length : trailerEnd + 2;
          break;
        }
        parts.push(buf.subarray(pos, pos + size));
        pos += size + 2;
      }
      msg.body = Buffer.concat(parts);
    } else if (length !== undefined) {
      msg.body = buf.subarray(pos, pos + Number(length));
      pos += Number(length);
    } else if (isResponse) {
      msg.body = buf.subarray(pos);
      pos = buf.length;
    }
    out.push(msg);
  }
  return out;
}

/** The body with its content-encoding undone, or null when this Node cannot (zstd before Node 22.15). */
export function decodedBody(m: WireMessage): Buffer | null {
  const enc = (header(m, 'content-encoding') ?? 'identity').toLowerCase().trim();
  try {
    switch (enc) {
      case 'identity':
      case '':
        return m.body;
      case 'gzip':
      case 'x-gzip':
        return zlib.gunzipSync(m.body, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      case 'deflate':
        return zlib.inflateSync(m.body);
      case 'br':
        return zlib.brotliDecompressSync(m.body);
      case 'zstd': {
        const z = zlib as unknown as { zstdDecompressSync?: (b: Buffer) => Buffer };
        return z.zstdDecompressSync ? z.zstdDecompressSync(m.body) : null;
      }
      default:
        return null;
    }
  } catch {
    return null;
  }
}
