import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Result } from '../../shared/ipc-contract';
import { errorMessage, type SerializedError } from '../../shared/errors';
import { checkOrigin } from '../http/guard';
import { parseJsonBody, readBody } from '../http/read-body';
import type { ExtraHandler } from '../http/extra-handler';
import { dashboardHeaders, serveDashboardFile } from './dashboard-files';
import type { Dispatched } from './dispatch';
import { tokenCookie, tokenProof } from './http-auth';
import type { PushHub } from './push-hub';
import { SseStream } from './sse-stream';

export const CONTROL_PREFIX = '/_sluice/';
/** Largest control call body; every contract payload is far smaller. */
export const MAX_CONTROL_BODY_BYTES = 1024 * 1024;

export interface HttpAdapterOptions {
  dispatch(name: string, payload: unknown): Promise<Dispatched>;
  pushes: PushHub;
  /** The local token now (it may be rotated while Sluice runs). */
  token(): string;
  port(): number;
  /** The built renderer (out/renderer); undefined → the page says it is not built. */
  dashboardDir: string | undefined;
  log(line: string): void;
}

export interface HttpAdapter {
  /** Mount on the gateway: it runs after the gateway's Host/Origin guard, for paths under `/_sluice/`. */
  readonly handle: ExtraHandler;
  /**
   * Ends every open push stream after what it has queued, asking EventSource to reconnect at once: a
   * page that holds the new token (its cookie) is back in a moment, one that holds an old one is not.
   */
  endStreams(): void;
  /** Ends every open push stream. */
  close(): void;
}

/** How soon a browser reconnects to a push stream ended by {@link HttpAdapter.endStreams}. */
const RECONNECT_MS = 100;

function sendJson(
  res: ServerResponse,
  status: number,
  body: Result<unknown>,
  extra: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.end(text);
}

function refusal(code: SerializedError['code'], message: string): Result<never> {
  return { ok: false, error: { code, message, retryable: false } };
}

/**
 * The control API and dashboard over HTTP, behind the local token:
 * - `POST /_sluice/api/<call>` with a JSON body → the call's Result as JSON (200), or 400 for a payload
 *   that fails its schema, 404 for an unknown call, 401 without the token, 413 past 1 MiB;
 * - `GET /_sluice/api/events` → server-sent events `live`, `status`, `request-row` (data = JSON);
 * - `GET /_sluice/…` → the built renderer with a strict CSP; `?token=` there sets an HttpOnly cookie
 *   and redirects to the same page without it, so the token leaves the address bar and history.
 */
export function createHttpAdapter(opts: HttpAdapterOptions): HttpAdapter {
  const streams = new Set<SseStream>();

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The raw path, not a normalised one: `/_sluice/../x` must not turn into another route here.
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q === -1 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
    const rest = pathname.slice(CONTROL_PREFIX.length);
    const isApi = rest.startsWith('api/');
    const method = req.method ?? 'GET';
    const page = !isApi && (method === 'GET' || method === 'HEAD');
    // The gateway's guard may let an allow-listed page call the API routes; the control API and the
    // dashboard answer only Sluice's own pages (and non-browser clients, which send no Origin).
    const foreign = checkOrigin(req.headers, opts.port());
    if (foreign !== null) {
      req.resume();
      sendJson(res, 403, refusal('forbidden', `Sluice refused this request: ${foreign}`));
      return;
    }
    const proof = tokenProof(req, opts.token(), opts.port(), page ? query.get('token') : null);
    if (proof === null) {
      if (isApi) {
        sendJson(res, 401, refusal('forbidden', 'the Sluice local token is missing or wrong'), {
          'www-authenticate': 'Bearer realm="sluice"',
        });
      } else {
        res.writeHead(401, { ...dashboardHeaders('text/plain; charset=utf-8'), 'cache-control': 'no-store' });
        res.end('Open the dashboard with the link Sluice prints at start (it carries the local token).');
      }
      req.resume();
      return;
    }
    // However it proved itself, a page load that carries the token in its URL trades it for the cookie.
    if (proof === 'query' || (page && query.has('token'))) {
      query.delete('token');
      const search = query.toString();
      res.writeHead(303, {
        location: `${pathname}${search === '' ? '' : `?${search}`}`,
        'set-cookie': tokenCookie(opts.token(), opts.port()),
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
      res.end();
      return;
    }
    if (!isApi) {
      if (!page) {
        res.writeHead(405, { allow: 'GET, HEAD' });
        res.end();
        return;
      }
      await serveDashboardFile(opts.dashboardDir, rest, method === 'HEAD', res);
      return;
    }
    const name = rest.slice('api/'.length);
    if (name === 'events') {
      if (method !== 'GET') {
        res.writeHead(405, { allow: 'GET' });
        res.end();
        return;
      }
      openEvents(res, req.socket.localPort ?? opts.port());
      return;
    }
    await call(req, res, name, method);
  }

  async function call(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    method: string,
  ): Promise<void> {
    if (method !== 'POST') {
      req.resume();
      sendJson(res, 405, refusal('bad_request', 'control calls are POST'), { allow: 'POST' });
      return;
    }
    // A JSON content type cannot be sent cross-site without a CORS preflight, which Sluice never grants.
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      sendJson(res, 415, refusal('bad_request', 'control calls take Content-Type: application/json'));
      return;
    }
    const read = await readBody(req, MAX_CONTROL_BODY_BYTES);
    if (!read.ok) {
      if (read.reason === 'too-large') {
        res.shouldKeepAlive = false;
        sendJson(
          res,
          413,
          refusal('payload_too_large', `control calls take at most ${MAX_CONTROL_BODY_BYTES} bytes`),
          {
            connection: 'close',
          },
        );
      }
      return;
    }
    let payload: unknown = {};
    if (read.body.length > 0) {
      const parsed = parseJsonBody(read.body);
      if (!parsed.ok) {
        sendJson(res, 400, refusal('bad_request', parsed.message));
        return;
      }
      payload = parsed.value;
    }
    const outcome = await opts.dispatch(name, payload);
    const status = outcome.kind === 'invalid' ? 400 : outcome.kind === 'unknown-call' ? 404 : 200;
    // The page that rotated the token keeps its session: its cookie is replaced in the same answer.
    const renewed =
      name === 'token.rotate' && outcome.result.ok
        ? { 'set-cookie': tokenCookie(opts.token(), opts.port()) }
        : undefined;
    sendJson(res, status, outcome.result, renewed);
  }

  /** `port`: where the stream came in; once the gateway moved elsewhere it ends after saying where. */
  function openEvents(res: ServerResponse, port: number): void {
    let ended = false;
    let unsubscribe = (): void => {};
    const stream = new SseStream(res, () => {
      ended = true;
      streams.delete(stream);
      unsubscribe();
    });
    streams.add(stream);
    unsubscribe = opts.pushes.subscribe((m) => {
      stream.send(m.name, m.payload, m.name === 'live');
      // The old port's listener closes once its connections end: this one must, too.
      if (m.name === 'status' && m.payload.port !== port) stream.end();
    });
    // The first status arrives within subscribe(): it may already have ended the stream.
    if (ended) unsubscribe();
  }

  return {
    handle(req, res) {
      route(req, res).catch((err: unknown) => {
        opts.log(`Sluice: control API: ${errorMessage(err)}`);
        if (!res.headersSent) sendJson(res, 500, refusal('internal', 'Sluice internal error'));
        else res.destroy();
      });
      return true;
    },
    endStreams() {
      for (const s of [...streams]) s.end(RECONNECT_MS);
    },
    close() {
      for (const s of [...streams]) s.close();
    },
  };
}
