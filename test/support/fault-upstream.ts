import http, { type IncomingHttpHeaders } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { FormatKit } from './format-kits';

/** One request a scripted upstream received, with when it arrived and when its socket closed. */
export interface SeenRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  /** performance.now() at arrival (body read). */
  arrivedAt: number;
  /** performance.now() when the response closed, or null while open. */
  closedAt: number | null;
  /** Whether the upstream finished its answer (false: the peer closed it first). */
  finished: boolean;
}

/** How a scripted upstream answers one request. */
export interface Script {
  status?: number;
  headers?: Record<string, string>;
  chunks?: (string | Buffer)[];
  /** Pause before the status line and headers (the client waits for headers). */
  headersDelayMs?: number;
  /** Pause after the headers, before the first chunk. */
  firstDelayMs?: number;
  /** Pause between chunks. */
  delayMs?: number;
  /** After the chunks: end cleanly (default), cut the socket, or hang until the peer leaves. */
  then?: 'end' | 'cut' | 'hang';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A real HTTP server on 127.0.0.1:0 answering from a script, that records each request's socket close
 * time from the moment it arrives (so an abort while the script is still waiting is seen too).
 */
export class ScriptedUpstream {
  readonly requests: SeenRequest[] = [];
  url = '';
  private server: http.Server | null = null;

  constructor(public script: (req: SeenRequest) => Script = () => ({ chunks: [] })) {}

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
        const rec: SeenRequest = {
          url: req.url ?? '',
          headers: req.headers,
          body,
          json,
          arrivedAt: performance.now(),
          closedAt: null,
          finished: false,
        };
        this.requests.push(rec);
        res.on('close', () => {
          rec.closedAt = performance.now();
          rec.finished = res.writableFinished;
        });
        void this.answer(rec, res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private async answer(rec: SeenRequest, res: http.ServerResponse): Promise<void> {
    const s = this.script(rec);
    if (s.headersDelayMs) await sleep(s.headersDelayMs);
    if (res.destroyed) return;
    res.writeHead(s.status ?? 200, { 'content-type': 'text/event-stream', ...s.headers });
    res.flushHeaders();
    for (const [i, chunk] of (s.chunks ?? []).entries()) {
      const pause = i === 0 ? s.firstDelayMs : s.delayMs;
      if (pause) await sleep(pause);
      if (res.destroyed) return;
      res.write(chunk);
    }
    if (s.then === 'hang') return;
    if (s.then === 'cut') {
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.end();
  }

  /** The most recent request (fails the test when there is none). */
  last(): SeenRequest {
    const r = this.requests.at(-1);
    if (r === undefined) throw new Error('the upstream received no request');
    return r;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** A loopback port nothing listens on (bound, then released), for connect-refused attempts. */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** What a client got: status, headers and the exact body bytes. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** Raw HTTP POST to Sluice. */
export function post(
  url: string,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const all = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: all,
            text: all.toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Starts a request and destroys it: `after` 'ms' waits that long; 'first-byte' waits for the first body
 * byte. Resolves with the moment (performance.now()) the client went away.
 */
export function postThenLeave(
  url: string,
  path: string,
  body: string,
  headers: Record<string, string>,
  after: { ms: number } | 'first-byte',
): Promise<{ leftAt: number; requestId: string | null }> {
  return new Promise((resolve, reject) => {
    let requestId: string | null = null;
    const req = http.request(
      `${url}${path}`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        requestId =
          typeof res.headers['x-sluice-request-id'] === 'string' ? res.headers['x-sluice-request-id'] : null;
        if (after === 'first-byte') {
          res.once('data', () => {
            req.destroy();
            resolve({ leftAt: performance.now(), requestId });
          });
        } else res.resume();
      },
    );
    req.on('error', () => {});
    req.end(body);
    if (after !== 'first-byte') {
      setTimeout(() => {
        if (req.destroyed) return reject(new Error('the request ended before the client could leave'));
        req.destroy();
        resolve({ leftAt: performance.now(), requestId });
      }, after.ms);
    }
  });
}

/** A provider's `baseUrl` for an upstream at `url`: OpenAI's convention includes `/v1`. */
export function baseUrlFor(kind: FormatKit['kind'], url: string): string {
  return kind === 'openai' ? `${url}/v1` : url;
}

/** For every kind: `<kind>-a` (priority 1) at `a` and `<kind>-b` (priority 2) at `b`, each with its own key. */
export function pairProviders(
  a: ScriptedUpstream,
  b: ScriptedUpstream,
  extra: Record<string, unknown> = {},
): Record<string, unknown>[] {
  return (['openai', 'anthropic', 'gemini'] as const).flatMap((kind) => [
    {
      id: `${kind}-a`,
      kind,
      baseUrl: baseUrlFor(kind, a.url),
      apiKey: `key-${kind}-a`,
      priority: 1,
      ...extra,
    },
    {
      id: `${kind}-b`,
      kind,
      baseUrl: baseUrlFor(kind, b.url),
      apiKey: `key-${kind}-b`,
      priority: 2,
      ...extra,
    },
  ]);
}
